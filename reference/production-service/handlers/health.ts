import { APIError, writeError, writeResponse, type Handler } from 'plumego/contract';
import { checkReadiness, type ComponentChecker } from 'plumego/health';
import type { StatsReader } from 'plumego/metrics';
import { createStaticTokenAuthenticator } from 'plumego/security';

export function createLiveHandler(serviceName: string): Handler {
  return (w, r) =>
    writeResponse(w, r, 200, { status: 'ok', service: serviceName, timestamp: new Date().toISOString() });
}

/** 200 with per-component readiness, or 503 naming (not describing) the failing components. */
export function createReadyHandler(checkers: readonly ComponentChecker[]): Handler {
  return async (w, r) => {
    const report = await checkReadiness(checkers, { timeoutMs: 2_000 });
    if (report.status.ready) {
      writeResponse(w, r, 200, report.status);
      return;
    }
    const failing = report.results.filter((c) => c.status !== 'healthy').map((c) => c.name);
    writeError(
      w,
      r,
      new APIError({
        type: 'service_unavailable',
        code: 'READINESS_COMPONENT_FAILED',
        message: 'service not ready',
        details: { components: failing },
      }),
    );
  };
}

/** GET /ops/metrics (JSON totals of the request collector), behind a static ops token (Bearer or X-Token). */
export function createMetricsHandler(collector: StatsReader, opsToken: string): Handler {
  const auth = createStaticTokenAuthenticator(opsToken, { principal: { subject: 'ops' } });
  return (w, r) => {
    try {
      auth.authenticate(r);
    } catch {
      w.setHeader('www-authenticate', 'Bearer realm="ops"');
      writeError(w, r, new APIError({ type: 'unauthorized_request', message: 'authentication required' }));
      return;
    }
    writeResponse(w, r, 200, collector.getStats());
  };
}
