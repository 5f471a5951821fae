// One server of the x/rest benchmark; BENCH_MODE picks what answers GET /projects on port BENCH_PORT.
// The headline pair:
//   raw          — bare Plumego handler: hand-written pg query + JSON (the baseline)
//   rest         — token auth → tenant chain (memory) → x/rest list route on a tenant-scoped
//                  KyselyRepository whose list statements run on the pool directly (`pool` option)
//   rest-kysely  — the same, list statements executed through Kysely's executor (no `pool` option)
// Attribution modes (what each layer costs; `run.ts --cases …`):
//   raw-headers  — the raw handler plus the list route's extra response headers (Link and the six
//                  X-RateLimit-*/X-Quota-* of the tenant chain, same lengths), and meta: what Node's HTTP
//                  stack and the socket spend on them
//   kysely       — the raw handler's SQL, executed by Kysely (`db.executeQuery(CompiledQuery.raw(…))`)
//   scoped       — a bare handler building the list with the expression builder on the tenant-scoped instance
//   rest-noten   — auth → x/rest list on an unscoped KyselyRepository (direct pool; no tenant chain, no scoping)
//   rawmem       — bare handler answering the same 20 rows from memory (no database)
//   restmem      — auth → x/rest list over a repository answering those rows from memory
import { CompiledQuery, Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { createApp } from 'plumego/core';
import { writeResponse } from 'plumego/contract';
import { authenticate } from 'plumego/middleware';
import { createPrincipal, type Authenticator } from 'plumego/security';
import { KyselyRepository, registerResource, type Repository, type Row } from 'plumego/x/rest';
import { createTenantChain, InMemoryTenantConfigs, tenantIdFromContext, tenantScopedDb } from 'plumego/x/tenant';
import { t } from 'plumego/x/validate';

const url = process.env['BENCH_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = process.env['BENCH_SCHEMA'] ?? 'bench_rest';
const mode = process.env['BENCH_MODE'] ?? 'rest';
const pool = new pg.Pool({ connectionString: url, max: 10, options: `-c search_path=${schema}` });
const db = new Kysely<Record<string, Row>>({ dialect: new PostgresDialect({ pool }) });
const app = createApp();
const SQL = 'select id, name, description, status, version from projects where tenant_id = $1 order by id limit 20';
// The rows the database returns for t1, for the modes without a database.
const ROWS = Array.from({ length: 20 }, (_, i) => ({
  id: 2 * i + 2,
  name: `project ${2 * i + 2}`,
  description: `a description of project ${2 * i + 2}`,
  status: 'active',
  version: 1,
}));
// One constant: tenantScopedDb keeps an instance per (db, options, tenant), and its statements stay compiled.
const scope = { tables: { projects: true } } as const;
// The benchmark's stand-in for bearer auth: the principal's tenant comes from the header.
const auth: Authenticator = {
  authenticate: (r) => createPrincipal({ subject: 'bench', tenantId: r.header('x-tenant-id') ?? '' }),
};
const projects = {
  name: 'projects',
  create: t.object({ name: t.string(), description: t.optional(t.string()), status: t.string() }),
  versionField: 'version',
  immutable: ['id', 'tenant_id'],
  list: { sort: ['name'], filters: { status: { type: 'string' as const } } },
};
// The tenant column is never read, so there is nothing to hide from clients afterwards.
const columns = ['id', 'name', 'description', 'status', 'version'];

switch (mode) {
  case 'raw':
    app.addRoute('GET', '/projects', async (w, r) => {
      const res = await pool.query(SQL, [r.header('x-tenant-id') ?? '']);
      writeResponse(w, r, 200, res.rows);
    });
    break;
  case 'raw-headers':
    app.addRoute('GET', '/projects', async (w, r) => {
      const res = await pool.query(SQL, [r.header('x-tenant-id') ?? '']);
      for (const [name, value] of [
        ['x-ratelimit-limit', '1000000000'],
        ['x-ratelimit-remaining', '999999999'],
        ['x-ratelimit-reset', '1765080000'],
        ['x-quota-limit', '1000000000'],
        ['x-quota-remaining', '999999999'],
        ['x-quota-reset', '1765080060'],
      ])
        w.setHeader(name!, value!);
      w.setHeader(
        'link',
        '</projects?page_size=20&total=false&page=1>; rel="first", </projects?page_size=20&total=false&page=2>; rel="next"',
      );
      writeResponse(w, r, 200, res.rows, { pagination: { page: 1, page_size: 20 } });
    });
    break;
  case 'kysely':
    app.addRoute('GET', '/projects', async (w, r) => {
      const res = await db.executeQuery(CompiledQuery.raw(SQL, [r.header('x-tenant-id') ?? '']));
      writeResponse(w, r, 200, res.rows);
    });
    break;
  case 'scoped':
    app.addRoute('GET', '/projects', async (w, r) => {
      const rows = await tenantScopedDb(db, r.header('x-tenant-id') ?? '', scope)
        .selectFrom('projects')
        .select(columns as ['id'])
        .orderBy('id')
        .limit(20)
        .execute();
      writeResponse(w, r, 200, rows);
    });
    break;
  case 'rawmem':
    app.addRoute('GET', '/projects', async (w, r) => {
      await null;
      writeResponse(
        w,
        r,
        200,
        ROWS.map((row) => ({ ...row })),
      );
    });
    break;
  case 'restmem': {
    app.use(authenticate(auth));
    const memory = { list: async () => ({ items: ROWS.map((row) => ({ ...row })) }) } as unknown as Repository<Row>;
    registerResource(app, projects, memory);
    break;
  }
  case 'rest-noten':
    app.use(authenticate(auth));
    registerResource(
      app,
      projects,
      new KyselyRepository<Row>({ db: () => db, table: 'projects', versionField: 'version', columns, pool }),
    );
    break;
  case 'rest':
  case 'rest-kysely': {
    const tenants = new InMemoryTenantConfigs([
      {
        id: 't1',
        policy: { paths: ['/projects/*'] },
        quota: { limit: 1e9, windowMs: 60_000 },
        rateLimit: { ratePerSecond: 1e9, burst: 1e9 },
      },
    ]);
    app.use(authenticate(auth), ...createTenantChain({ tenants }));
    registerResource(
      app,
      projects,
      new KyselyRepository<Row>({
        db: (ctx) => tenantScopedDb(db, tenantIdFromContext(ctx), scope),
        table: 'projects',
        versionField: 'version',
        columns,
        ...(mode === 'rest' ? { pool } : {}),
      }),
    );
    break;
  }
  default:
    throw new Error(`unknown BENCH_MODE ${mode}`);
}

const port = Number(process.env['BENCH_PORT'] ?? 0);
const addr = await app.listen(port, '127.0.0.1');
process.stdout.write(`ready ${addr.port}\n`);
process.once(
  'SIGTERM',
  () =>
    void app
      .shutdown()
      .then(() => pool.end())
      .then(() => process.exit(0)),
);
