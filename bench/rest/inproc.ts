// CPU per request of the list path without sockets or a database: the app's real Node listener fed
// stub request/response objects, the 20 rows of the socket benchmark answered from memory. It isolates
// what the framework spends (x/rest parsing, paging, Link, the envelope; the tenant chain) from what
// Node's HTTP stack and pg spend, and is quick and steady enough for A/B runs of one change.
// Usage: node --conditions=source --import tsx bench/rest/inproc.ts [--rounds 5] [--requests 30000] [--modes raw,rest,rest-tenant]
//   raw         — a bare handler writing the rows with writeResponse
//   rest        — the x/rest list route over a memory repository (validated query, meta, Link)
//   rest-auth   — the stand-in authenticator in front of it
//   rest-tenant — auth + the in-memory tenant chain (6 limit headers) in front of it
// Prints ns of CPU per request (process.cpuUsage over the measured loop), best of the rounds.
import { Readable } from 'node:stream';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseArgs } from 'node:util';
import { createApp, type App } from 'plumego/core';
import { writeResponse } from 'plumego/contract';
import { authenticate } from 'plumego/middleware';
import { createPrincipal, type Authenticator } from 'plumego/security';
import { registerResource, type Repository, type Row } from 'plumego/x/rest';
import { createTenantChain, InMemoryTenantConfigs } from 'plumego/x/tenant';
import { t } from 'plumego/x/validate';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    requests: { type: 'string', default: '30000' },
    modes: { type: 'string', default: 'raw,rest,rest-tenant' },
  },
});

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

function build(mode: string): { app: App; url: string } {
  const app = createApp();
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
  if (mode === 'rest-tenant') {
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
  registerResource(app, projects, memory);
  return { app, url: '/projects?page_size=20&total=false' };
}

async function measure(app: App, url: string, n: number): Promise<number> {
  const run = async (): Promise<void> => {
    for (let i = 0; i < n; i++) {
      const res = new StubResponse();
      await new Promise<void>((resolve) => {
        finished = resolve;
        app.listener(stubRequest(url), res as unknown as ServerResponse);
      });
      if (res.statusCode !== 200) throw new Error(`${url}: status ${res.statusCode}`);
    }
  };
  await run(); // warm-up
  const c0 = process.cpuUsage();
  await run();
  const c = process.cpuUsage(c0);
  return ((c.user + c.system) * 1000) / n;
}

const modes = args.modes.split(',');
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
    `${mode.padEnd(12)} ${best.get(mode)!.toFixed(0)} ns CPU per request (best of ${args.rounds} × ${args.requests})\n`,
  );
