import { createHash, timingSafeEqual } from 'node:crypto';
import {
  APIError,
  writeError,
  type Handler,
  type Middleware,
  type Request,
  type ResponseWriter,
} from 'plumego/contract';
import { DEVTOOLS_ERRORS, assertOption, type DevtoolsErrorCode } from './errors.ts';
import { readCpuProfile, readEventLoopStats, writeHeapSnapshot } from './profiler.ts';

export interface DevtoolsTarget {
  group(
    prefix: string,
    ...middleware: Middleware[]
  ): { get(path: string, handler: Handler): void; post(path: string, handler: Handler): void };
}

export interface DevtoolsOptions {
  /** Nothing is registered unless this is true. Default false. */
  enabled?: boolean;
  /** Bearer token every devtools route requires (≥ 16 characters). Required when enabled. */
  token?: string;
  /** Route prefix. Default '/_devtools'. */
  prefix?: string;
  /** Mounting with NODE_ENV=production throws unless this is true. Default false. */
  allowInProduction?: boolean;
  /** Longest CPU profile or event-loop sample, in ms. Default 30,000. */
  maxSampleMs?: number;
  /** The environment name checked against 'production'. Default `process.env.NODE_ENV`. */
  environment?: string;
}

function fail(w: ResponseWriter, r: Request, code: DevtoolsErrorCode): void {
  const e = DEVTOOLS_ERRORS[code];
  writeError(w, r, new APIError({ status: e.status, code, message: e.message }));
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Registers on-demand diagnostics under `prefix`, all behind the token: `POST /cpu-profile?ms=`,
 * `POST /heap-snapshot`, `GET /event-loop?ms=`. Off by default, refused in production unless
 * explicitly allowed, one profile or snapshot at a time (409 otherwise). Returns whether anything
 * was registered.
 */
export function registerDevtools(target: DevtoolsTarget, options: DevtoolsOptions = {}): boolean {
  if (options.enabled !== true) return false;
  const token = options.token ?? '';
  assertOption(token.length >= 16, 'token');
  assertOption(
    (options.environment ?? process.env['NODE_ENV']) !== 'production' || options.allowInProduction === true,
    'allowInProduction',
  );
  const prefix = options.prefix ?? '/_devtools';
  assertOption(/^\/[A-Za-z0-9._~/-]*[A-Za-z0-9._~-]$/.test(prefix), 'prefix');
  const maxMs = options.maxSampleMs ?? 30_000;
  assertOption(Number.isInteger(maxMs) && maxMs > 0, 'maxSampleMs');
  const expected = digest(`Bearer ${token}`);
  const guard: Middleware = (next) => (w, r) => {
    if (timingSafeEqual(expected, digest(r.header('authorization') ?? ''))) return next(w, r);
    w.setHeader('www-authenticate', 'Bearer realm="devtools"');
    fail(w, r, 'DEVTOOLS_UNAUTHORIZED');
  };
  const readMs = (r: Request): number | undefined => {
    const raw = r.query.get('ms') ?? '1000';
    const ms = /^\d{1,7}$/.test(raw) ? Number(raw) : Number.NaN;
    return ms >= 1 && ms <= maxMs ? ms : undefined;
  };
  let busy = false;
  const exclusive =
    (work: (w: ResponseWriter, r: Request) => Promise<void>): Handler =>
    async (w, r) => {
      if (busy) return fail(w, r, 'DEVTOOLS_BUSY');
      busy = true;
      try {
        await work(w, r);
      } finally {
        busy = false;
      }
    };
  const json = (w: ResponseWriter, body: unknown, filename?: string): void => {
    w.setHeader('content-type', 'application/json; charset=utf-8');
    w.setHeader('cache-control', 'no-store');
    if (filename !== undefined) w.setHeader('content-disposition', `attachment; filename="${filename}"`);
    w.writeHead(200);
    w.end(JSON.stringify(body));
  };
  const group = target.group(prefix, guard);
  group.post(
    '/cpu-profile',
    exclusive(async (w, r) => {
      const ms = readMs(r);
      if (ms === undefined) return fail(w, r, 'DEVTOOLS_BAD_REQUEST');
      json(w, await readCpuProfile(ms), `cpu-${Date.now()}.cpuprofile`);
    }),
  );
  group.post(
    '/heap-snapshot',
    exclusive(async (w) => {
      w.setHeader('content-type', 'application/json; charset=utf-8');
      w.setHeader('cache-control', 'no-store');
      w.setHeader('content-disposition', `attachment; filename="heap-${Date.now()}.heapsnapshot"`);
      w.writeHead(200);
      await writeHeapSnapshot((chunk) => w.write(chunk));
      w.end();
    }),
  );
  group.get('/event-loop', async (w, r) => {
    const ms = readMs(r);
    if (ms === undefined) return fail(w, r, 'DEVTOOLS_BAD_REQUEST');
    json(w, await readEventLoopStats(ms));
  });
  return true;
}
