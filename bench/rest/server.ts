// One server of the x/rest benchmark; BENCH_MODE picks what answers GET on port BENCH_PORT:
//   raw  — bare Plumego handler: hand-written pg query + JSON (the baseline)
//   rest — token auth → tenant chain (memory) → x/rest list route on a tenant-scoped KyselyRepository
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { createApp } from 'plumego/core';
import { writeResponse } from 'plumego/contract';
import { authenticate } from 'plumego/middleware';
import { createPrincipal, type Authenticator } from 'plumego/security';
import { KyselyRepository, registerResource, type Row } from 'plumego/x/rest';
import { createTenantChain, InMemoryTenantConfigs, tenantIdFromContext, tenantScopedDb } from 'plumego/x/tenant';
import { t } from 'plumego/x/validate';

const url = process.env['BENCH_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = process.env['BENCH_SCHEMA'] ?? 'bench_rest';
const pool = new pg.Pool({ connectionString: url, max: 10, options: `-c search_path=${schema}` });
const app = createApp();

if (process.env['BENCH_MODE'] === 'raw') {
  app.addRoute('GET', '/projects', async (w, r) => {
    const tenant = r.header('x-tenant-id') ?? '';
    const res = await pool.query('select id, name, description, status, version from projects where tenant_id = $1 order by id limit 20', [tenant]);
    writeResponse(w, r, 200, res.rows);
  });
} else {
  const db = new Kysely<Record<string, Row>>({ dialect: new PostgresDialect({ pool }) });
  // One constant: tenantScopedDb keeps an instance per (db, options, tenant), and its statements stay compiled.
  const scope = { tables: { projects: true } } as const;
  // The benchmark's stand-in for bearer auth: the principal's tenant comes from the header.
  const auth: Authenticator = { authenticate: (r) => createPrincipal({ subject: 'bench', tenantId: r.header('x-tenant-id') ?? '' }) };
  const tenants = new InMemoryTenantConfigs([{ id: 't1', policy: { paths: ['/projects/*'] }, quota: { limit: 1e9, windowMs: 60_000 }, rateLimit: { ratePerSecond: 1e9, burst: 1e9 } }]);
  app.use(authenticate(auth), ...createTenantChain({ tenants }));
  registerResource(app, {
    name: 'projects',
    create: t.object({ name: t.string(), description: t.optional(t.string()), status: t.string() }),
    versionField: 'version',
    immutable: ['id', 'tenant_id'],
    list: { sort: ['name'], filters: { status: { type: 'string' } } },
  }, new KyselyRepository<Row>({
    db: (ctx) => tenantScopedDb(db, tenantIdFromContext(ctx), scope), table: 'projects', versionField: 'version',
    // The tenant column is never read, so there is nothing to hide from clients afterwards.
    columns: ['id', 'name', 'description', 'status', 'version'],
  }));
}

const port = Number(process.env['BENCH_PORT'] ?? 0);
const addr = await app.listen(port, '127.0.0.1');
process.stdout.write(`ready ${addr.port}\n`);
process.once('SIGTERM', () => void app.shutdown().then(() => pool.end()).then(() => process.exit(0)));
