import type { Handler, Middleware, ResponseWriter } from 'plumego/contract';
import { metricsHandler, type PrometheusCollector } from 'plumego/x/observability';
import { componentHandler, detailedHandler, historyHandler, type HealthManager } from './healthhttp/index.ts';
import { assertOption } from './errors.ts';
import { getRuntimeStats, type BuildInfo } from './runtime-info.ts';
import { requireOpsToken } from './token-guard.ts';

/** Where ops routes go: `App` (plumego/core) or any router group satisfies it. */
export interface OpsRouteTarget {
  group(prefix: string, ...middleware: Middleware[]): { get(path: string, handler: Handler): void };
}

export interface OpsRoutesOptions {
  /** Nothing is registered unless this is true. Default false. */
  enabled?: boolean;
  /** Bearer token every ops route requires (≥ 16 characters). Required when enabled. */
  token?: string;
  /** Route prefix. Default '/ops'. */
  prefix?: string;
  /** Serves `/health`, `/health/:component` and `/health-history`. Default none. */
  health?: HealthManager;
  /** Served at `/build`. Default `{}` (plus the Node version). */
  build?: BuildInfo;
  /** Serves `/metrics` behind the ops token. Default none. */
  metrics?: PrometheusCollector;
}

function writeJson(w: ResponseWriter, body: unknown): void {
  w.setHeader('content-type', 'application/json; charset=utf-8');
  w.setHeader('cache-control', 'no-store');
  w.writeHead(200);
  w.end(JSON.stringify(body));
}

/**
 * Registers the operator routes under `prefix`, all behind the ops token: `/runtime`, `/build`,
 * and the health and metrics views when given. Off by default; returns whether anything was
 * registered. Bad options throw here.
 */
export function registerOpsRoutes(target: OpsRouteTarget, options: OpsRoutesOptions = {}): boolean {
  if (options.enabled !== true) return false;
  const prefix = options.prefix ?? '/ops';
  assertOption(/^\/[A-Za-z0-9._~/-]*[A-Za-z0-9._~-]$/.test(prefix), 'prefix');
  const group = target.group(prefix, requireOpsToken(options.token ?? ''));
  const build = { ...options.build, node: process.version };
  group.get('/runtime', (w) => writeJson(w, getRuntimeStats()));
  group.get('/build', (w) => writeJson(w, build));
  if (options.health !== undefined) {
    group.get('/health', detailedHandler(options.health));
    group.get('/health/:component', componentHandler(options.health));
    group.get('/health-history', historyHandler(options.health));
  }
  if (options.metrics !== undefined) group.get('/metrics', metricsHandler(options.metrics));
  return true;
}
