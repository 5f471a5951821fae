// CPU per request of the list path without sockets or a database: the app's real Node listener fed
// stub request/response objects, the 20 rows of the socket benchmark answered from memory. It isolates
// what the framework spends (x/rest parsing, paging, Link, the envelope; the tenant chain) from what
// Node's HTTP stack and pg spend, and is quick and steady enough for A/B runs of one change.
// Usage: node --conditions=source --import tsx bench/rest/inproc.ts [--rounds 5] [--requests 30000] [--modes raw,rest,rest-tenant]
//        [--callgrind [--windows 4] [--warmup 5000]]
//   raw         — a bare handler writing the rows with writeResponse
//   rest        — the x/rest list route over a memory repository (validated query, meta, Link)
//   rest-auth   — the stand-in authenticator in front of it
//   rest-tenant — auth + the in-memory tenant chain (6 limit headers) in front of it
// With PostgreSQL (seeded as run.ts seeds it), the socket benchmark's pair without the sockets:
//   raw-pg         — the bare handler's hand-written pg query + writeResponse
//   rest-pg        — auth + tenant chain + x/rest list on the tenant-scoped KyselyRepository, `pool` option
//   rest-pg-kysely — the same through Kysely's executor
// Prints ns of CPU per request (process.cpuUsage over the measured loop), best of the rounds. With
// --callgrind each mode runs in its own process under `valgrind --tool=callgrind` instead, which
// dumps its counters after a warm-up and after each window of --requests: instructions per request
// (median of the windows), the same whatever the load on the machine.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { createApp, type App } from 'plumego/core';
import { writeResponse } from 'plumego/contract';
import { authenticate } from 'plumego/middleware';
import { createPrincipal, type Authenticator } from 'plumego/security';
import { KyselyRepository, registerResource, type Repository, type Row } from 'plumego/x/rest';
import { createTenantChain, InMemoryTenantConfigs, tenantIdFromContext, tenantScopedDb } from 'plumego/x/tenant';
import { t } from 'plumego/x/validate';
import { countDumps, newestDumpTotal } from '../callgrind-http.ts';
import { BENCH_PG_URL, BENCH_SCHEMA, seed } from './seed.ts';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    requests: { type: 'string', default: '30000' },
    modes: { type: 'string', default: 'raw,rest,rest-tenant' },
    callgrind: { type: 'boolean', default: false },
    windows: { type: 'string', default: '4' },
    // Under valgrind the JIT tiers up slowly: windows after a short warm-up still fall by a third.
    warmup: { type: 'string', default: '5000' },
    // Internal: set on the process that runs one mode under valgrind.
    'callgrind-child': { type: 'boolean', default: false },
  },
});
const PG_MODES = new Set(['raw-pg', 'rest-pg', 'rest-pg-kysely']);
let pool: pg.Pool | undefined;
const SQL = 'select id, name, description, status, version from projects where tenant_id = $1 order by id limit 20';

function stubRequest(url: string): IncomingMessage {
  const req = new Readable({ read() {} }) as unknown as IncomingMessage;
  Object.assign(req, {
    method: 'GET',
    url,
    headers: { host: 'bench', 'x-tenant-id': 't1' },
    rawHeaders: ['Host', 'bench', 'X-Tenant-Id', 't1'],
    httpVersionMajor: 1,
    httpVersionMinor: 1,
    socket: { remoteAddress: '127.0.0.1' },
  });
  return req;
}

let finished: (() => void) | undefined;

/** What the writer needs of a ServerResponse; the body is counted, as a socket write would read it. */
class StubResponse {
  headersSent = false;
  writableEnded = false;
  statusCode = 200;
  bytes = 0;
  headerCount = 0;
  writeHead(status: number, headers?: readonly string[]): this {
    this.statusCode = status;
    this.headerCount = (headers?.length ?? 0) / 2;
    this.headersSent = true;
    return this;
  }
  getHeader(): undefined {
    return undefined;
  }
  getHeaderNames(): string[] {
    return [];
  }
  hasHeader(): boolean {
    return false;
  }
  removeHeader(): void {}
  write(chunk: string): boolean {
    this.bytes += Buffer.byteLength(chunk);
    return true;
  }
  end(chunk?: string): this {
    if (chunk !== undefined) this.bytes += Buffer.byteLength(chunk);
    this.writableEnded = true;
    finished?.();
    return this;
  }
  once(): this {
    return this;
  }
  on(): this {
    return this;
  }
}

const ROWS = Array.from({ length: 20 }, (_, i) => ({
  id: 2 * i + 2,
  name: `project ${2 * i + 2}`,
  description: `a description of project ${2 * i + 2}`,
  status: 'active',
  version: 1,
}));
const memory = { list: async () => ({ items: ROWS.map((row) => ({ ...row })) }) } as unknown as Repository<Row>;
const projects = {
  name: 'projects',
  create: t.object({ name: t.string(), description: t.optional(t.string()), status: t.string() }),
  versionField: 'version',
  immutable: ['id', 'tenant_id'],
  list: { sort: ['name'], filters: { status: { type: 'string' as const } } },
};

function newPool(): pg.Pool {
  return new pg.Pool({ connectionString: BENCH_PG_URL, max: 10, options: `-c search_path=${BENCH_SCHEMA}` });
}

// As in server.ts: one scope constant, the columns clients see, the pool for the direct path.
const scope = { tables: { projects: true } } as const;
function pgRepository(mode: string): Repository<Row> {
  const p = (pool ??= newPool());
  const db = new Kysely<Record<string, Row>>({ dialect: new PostgresDialect({ pool: p }) });
  return new KyselyRepository<Row>({
    db: (ctx) => tenantScopedDb(db, tenantIdFromContext(ctx), scope),
    table: 'projects',
    versionField: 'version',
    columns: ['id', 'name', 'description', 'status', 'version'],
    ...(mode === 'rest-pg' ? { pool: p } : {}),
  });
}

function build(mode: string): { app: App; url: string } {
  const app = createApp();
  if (mode === 'raw-pg') {
    const db = (pool ??= newPool());
    app.addRoute('GET', '/projects', async (w, r) => {
      const res = await db.query(SQL, [r.header('x-tenant-id') ?? '']);
      writeResponse(w, r, 200, res.rows);
    });
    return { app, url: '/projects' };
  }
  if (mode === 'raw') {
    app.addRoute('GET', '/projects', async (w, r) => {
      await null;
      writeResponse(
        w,
        r,
        200,
        ROWS.map((row) => ({ ...row })),
      );
    });
    return { app, url: '/projects' };
  }
  const auth: Authenticator = {
    authenticate: (r) => createPrincipal({ subject: 'bench', tenantId: r.header('x-tenant-id') ?? '' }),
  };
  if (mode === 'rest-tenant' || PG_MODES.has(mode)) {
    const tenants = new InMemoryTenantConfigs([
      {
        id: 't1',
        policy: { paths: ['/projects/*'] },
        quota: { limit: 1e12, windowMs: 60_000 },
        rateLimit: { ratePerSecond: 1e12, burst: 1e12 },
      },
    ]);
    app.use(authenticate(auth), ...createTenantChain({ tenants }));
  } else if (mode === 'rest-auth') {
    app.use(authenticate(auth));
  } else if (mode !== 'rest') {
    throw new Error(`unknown mode ${mode}`);
  }
  registerResource(app, projects, mode === 'rest-pg' || mode === 'rest-pg-kysely' ? pgRepository(mode) : memory);
  return { app, url: '/projects?page_size=20&total=false' };
}

async function measure(app: App, url: string, n: number): Promise<number> {
  const loop = async (): Promise<void> => {
    for (let i = 0; i < n; i++) await oneRequest(app, url);
  };
  await loop(); // warm-up
  const c0 = process.cpuUsage();
  await loop();
  const c = process.cpuUsage(c0);
  return ((c.user + c.system) * 1000) / n;
}

const modes = args.modes.split(',');
const run = promisify(execFile);

/** Instructions since the previous dump (callgrind zeroes its counters on every dump). */
async function dump(dir: string): Promise<number> {
  const before = countDumps(dir);
  // Asynchronously: the event loop idles meanwhile, and valgrind takes the command then.
  await run('callgrind_control', ['-d', String(process.pid)]);
  return newestDumpTotal(dir, before);
}

async function oneRequest(app: App, url: string): Promise<void> {
  const res = new StubResponse();
  await new Promise<void>((resolve) => {
    finished = resolve;
    app.listener(stubRequest(url), res as unknown as ServerResponse);
  });
  if (res.statusCode !== 200) throw new Error(`${url}: status ${res.statusCode}`);
}

if (args['callgrind-child']) {
  const dir = process.env['BENCH_CG_DIR']!;
  const { app, url } = build(modes[0]!);
  const n = Number(args.requests);
  for (let i = 0; i < Number(args.warmup); i++) await oneRequest(app, url);
  await dump(dir);
  const windows: number[] = [];
  for (let w = 0; w < Number(args.windows); w++) {
    for (let i = 0; i < n; i++) await oneRequest(app, url);
    windows.push((await dump(dir)) / n);
  }
  process.stdout.write(`WINDOWS ${JSON.stringify(windows)}\n`);
  await pool?.end();
  process.exit(0);
}

if (modes.some((m) => PG_MODES.has(m))) await seed();
const startLoad = loadavg();
if (args.callgrind) {
  const self = fileURLToPath(import.meta.url);
  let raw: number | undefined;
  for (const mode of modes) {
    const dir = mkdtempSync(join(tmpdir(), 'plumego-rest-inproc-cg-'));
    try {
      const child = spawn(
        'valgrind',
        [
          '--tool=callgrind',
          '--dump-instr=no',
          `--callgrind-out-file=${join(dir, 'cg.out')}`,
          process.execPath,
          '--conditions=source',
          '--import',
          'tsx',
          self,
          '--callgrind-child',
          '--modes',
          mode,
          '--requests',
          args.requests,
          '--windows',
          args.windows,
          '--warmup',
          args.warmup,
        ],
        { env: { ...process.env, BENCH_CG_DIR: dir }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      const m = /WINDOWS (.+)/.exec(out);
      if (code !== 0 || !m) throw new Error(`${mode} under callgrind exited ${code}:\n${err.slice(-2000)}`);
      const windows = JSON.parse(m[1]!) as number[];
      const median = [...windows].sort((a, b) => a - b)[windows.length >> 1]!;
      if (mode === 'raw' || mode === 'raw-pg') raw = median;
      process.stdout.write(
        `${mode.padEnd(15)} ${(median / 1000).toFixed(1)} k instructions/request (median; windows ${windows
          .map((x) => (x / 1000).toFixed(1))
          .join(
            ' ',
          )})${raw !== undefined && median !== raw ? `  ${(median - raw) / 1000 >= 0 ? '+' : ''}${((median - raw) / 1000).toFixed(1)} k` : ''}\n`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
} else {
  const best = new Map<string, number>();
  for (let round = 0; round < Number(args.rounds); round++) {
    for (const mode of modes) {
      const { app, url } = build(mode);
      const ns = await measure(app, url, Number(args.requests));
      best.set(mode, Math.min(best.get(mode) ?? Infinity, ns));
    }
  }
  for (const mode of modes)
    process.stdout.write(
      `${mode.padEnd(15)} ${best.get(mode)!.toFixed(0)} ns CPU per request (best of ${args.rounds} × ${args.requests})\n`,
    );
}
process.stdout.write(
  `load average ${startLoad.map((l) => l.toFixed(2)).join(' ')} at the start, ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} at the end\n`,
);
await pool?.end();
