import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { writeError, type Handler, type Request } from 'plumego/contract';
import { Backend, type ConnectionSettings } from './backend.ts';
import { BackendPool, type BackendPoolOptions } from './backend-pool.ts';
import {
  createAmbiguousRequestError,
  createUpstreamError,
  getUpstreamFailureReason,
  type UpstreamFailureReason,
} from './errors.ts';
import { getFramingProblem, getRawHeaders, hasRequestBody, readInboundHead } from './headers.ts';
import { resolveProxyOptions, type ProxyOptions, type ResolvedProxyOptions, type UpstreamRequest } from './options.ts';
import { relayExchange } from './exchange.ts';
import type { ServiceDiscovery } from './discovery-contract.ts';
import { HealthChecker, type HealthCheckOptions } from './health-check.ts';
import { handleUpgrade } from './upgrade.ts';
import { buildUpstreamHeaders } from './upstream-headers.ts';

/** A configured reverse proxy: mount `handler` on routes and `upgrade` on the server's `'upgrade'` event. */
export interface Proxy {
  readonly handler: Handler;
  /** `server.on('upgrade', proxy.upgrade)`: WebSocket and other `Upgrade` pass-through. */
  readonly upgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  readonly pool: BackendPool;
  /** The active health checker, when `healthCheck` was given. */
  readonly healthChecker: HealthChecker | undefined;
  readonly options: ResolvedProxyOptions;
  /** Closes every backend's keep-alive connections and stops health checks. */
  close(): Promise<void>;
}

// RFC 9110 §9.2.2: a retry of these cannot change the outcome the client intended.
const IDEMPOTENT: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);
const NO_RETRY: ReadonlySet<UpstreamFailureReason> = new Set(['malformed_response', 'response_headers_too_large']);

function getUpstreamPath(r: Request, options: ResolvedProxyOptions): string | undefined {
  if (!r.path.startsWith('/')) return undefined;
  const path = options.rewritePath === undefined ? r.path : options.rewritePath(r.path, r);
  if (typeof path !== 'string' || !path.startsWith('/'))
    throw new TypeError('rewritePath must return a path starting with "/"');
  return r.rawQuery === '' ? path : `${path}?${r.rawQuery}`;
}

export interface CreateProxyOptions extends ProxyOptions, BackendPoolOptions {
  /** Active health checks, started with the proxy; default none (passive ejection still applies). */
  healthCheck?: HealthCheckOptions;
  /** Keeps the targets current at run time; `targets` may then be empty. The proxy does not close it. */
  discovery?: ServiceDiscovery;
}

/** Creates a reverse proxy over `options.targets`; bad options throw `GATEWAY_INVALID_OPTIONS` here. */
export function createProxy(options: CreateProxyOptions): Proxy {
  const resolved = resolveProxyOptions(options, options.discovery !== undefined);
  const settings: ConnectionSettings = {
    connections: resolved.connections,
    keepAliveTimeoutMs: resolved.keepAliveTimeoutMs,
    connectTimeoutMs: resolved.connectTimeoutMs,
    maxResponseHeaderBytes: resolved.maxResponseHeaderBytes,
  };
  const pool = new BackendPool(
    resolved.targets.map((t) => new Backend(t, settings)),
    resolved.balancer,
    options,
  );
  const unsubscribe = options.discovery?.subscribe((targets) => {
    const next: Backend[] = [];
    for (const t of targets) {
      try {
        next.push(new Backend(t, settings));
      } catch {
        // A malformed discovered target is skipped; the others still serve.
      }
    }
    pool.setBackends(next);
  });
  const healthChecker = options.healthCheck === undefined ? undefined : new HealthChecker(pool, options.healthCheck);
  healthChecker?.start();

  const handler: Handler = async (w, r) => {
    const raw = getRawHeaders(r);
    const inbound = raw === undefined ? undefined : readInboundHead(raw);
    const problem = inbound === undefined ? getFramingProblem(r.headers, undefined) : inbound.problem;
    if (problem !== undefined) {
      writeError(w, r, createAmbiguousRequestError(problem));
      return;
    }
    const target = getUpstreamPath(r, resolved);
    if (target === undefined) {
      writeError(w, r, createAmbiguousRequestError('invalid_target'));
      return;
    }
    const base = buildUpstreamHeaders(r, resolved, inbound);
    const hasBody = inbound === undefined ? hasRequestBody(r.headers) : inbound.hasBody;
    const buffered = r.state.bodyBuffer;
    const body = !hasBody ? null : (buffered ?? r.body);
    const canRetry = IDEMPOTENT.has(r.method) && (!hasBody || buffered !== undefined);
    const maxAttempts = canRetry ? 1 + resolved.retries : 1;
    const tried: Backend[] = [];
    for (let attempt = 1; ; attempt++) {
      const backend = pool.select(r, tried);
      if (backend === undefined) {
        writeError(w, r, createUpstreamError('no_backend'));
        return;
      }
      tried.push(backend);
      const done = pool.begin(backend);
      if (done === undefined) {
        // Its breaker refused (half-open probe in flight): try another backend without spending an attempt.
        if (pool.getAvailable().some((b) => !tried.includes(b))) {
          attempt--;
          continue;
        }
        writeError(w, r, createUpstreamError('no_backend'));
        return;
      }
      const headers = maxAttempts === 1 ? base : { ...base };
      if (!resolved.preserveHost) headers['host'] = backend.host;
      const upstream: UpstreamRequest = { method: r.method, path: backend.basePath + target, headers, backend };
      try {
        if (resolved.modifyRequest !== undefined) await resolved.modifyRequest(upstream, r);
        await relayExchange(w, r, upstream, body, resolved);
        done(w.status >= 500 ? 'server_error' : 'ok');
        return;
      } catch (error) {
        const reason = getUpstreamFailureReason(error);
        done(r.signal.aborted ? 'cancelled' : reason);
        if (r.signal.aborted) {
          // The client went away: undici already aborted the upstream request; nobody is listening.
          w.raw?.destroy();
          return;
        }
        const willRetry = !w.headersSent && attempt < maxAttempts && !NO_RETRY.has(reason);
        resolved.onUpstreamError?.({ backend, error, attempt, willRetry });
        if (willRetry) continue;
        if (w.headersSent) {
          // Mid-body failure: the status is gone; cutting the connection is the only honest signal.
          w.raw?.destroy();
          return;
        }
        writeError(w, r, createUpstreamError(reason, error));
        return;
      }
    }
  };

  const upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    handleUpgrade(req, socket, head, pool, resolved);
  };

  return {
    handler,
    upgrade,
    pool,
    healthChecker,
    options: resolved,
    close: () => {
      unsubscribe?.();
      healthChecker?.stop();
      return pool.close();
    },
  };
}
