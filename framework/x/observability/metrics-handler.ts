import { createHash, timingSafeEqual } from 'node:crypto';
import { APIError, writeError, type Handler } from 'plumego/contract';
import { OBSERVABILITY_ERRORS, assertOption } from './errors.ts';
import type { PrometheusCollector } from './prometheus-collector.ts';

export interface MetricsHandlerOptions {
  /** Require `Authorization: Bearer <token>` (compared in constant time). Default none: protect the route or port yourself. */
  token?: string;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** A handler for `GET /metrics`: the collector's registry in the Prometheus text format. */
export function metricsHandler(collector: PrometheusCollector, options: MetricsHandlerOptions = {}): Handler {
  assertOption(typeof collector?.readMetrics === 'function', 'collector');
  assertOption(options.token === undefined || options.token.length >= 16, 'token');
  const expected = options.token === undefined ? undefined : digest(`Bearer ${options.token}`);
  const contentType = collector.registry.contentType;
  return async (w, r) => {
    if (expected !== undefined && !timingSafeEqual(expected, digest(r.header('authorization') ?? ''))) {
      w.setHeader('www-authenticate', 'Bearer realm="metrics"');
      const e = OBSERVABILITY_ERRORS.OBSERVABILITY_UNAUTHORIZED;
      writeError(w, r, new APIError({ status: e.status, code: 'OBSERVABILITY_UNAUTHORIZED', message: e.message }));
      return;
    }
    const body = await collector.readMetrics();
    w.setHeader('content-type', contentType);
    w.setHeader('cache-control', 'no-store');
    w.end(r.method === 'HEAD' ? undefined : body);
  };
}
