import { APIError, writeError, writeResponse, type Handler } from 'plumego/contract';
import { checkReadiness, type ComponentChecker } from 'plumego/health';
import type { StructuredLogger } from 'plumego/log';

export interface HealthHandlers {
  live: Handler;
  ready: Handler;
}

/** `/healthz` always answers while the process runs; `/readyz` runs every checker. */
export function createHealthHandlers(
  serviceName: string,
  checkers: readonly ComponentChecker[],
  logger: StructuredLogger,
): HealthHandlers {
  return {
    live: (w, r) =>
      writeResponse(w, r, 200, { status: 'ok', service: serviceName, timestamp: new Date().toISOString() }),
    ready: async (w, r) => {
      const { status, results } = await checkReadiness(checkers, { timeoutMs: 2_000 });
      if (status.ready) {
        writeResponse(w, r, 200, status);
        return;
      }
      const details: Record<string, string> = {};
      // Only the component names go out; the failure messages stay in the log.
      for (const res of results) if (res.status !== 'healthy') details[res.name] = 'unhealthy';
      logger.warn('readiness failed', {
        request_id: r.ctx.requestId,
        components: results.filter((x) => x.status !== 'healthy').map((x) => ({ name: x.name, message: x.message })),
      });
      writeError(
        w,
        r,
        new APIError({
          type: 'service_unavailable',
          code: 'HEALTH_COMPONENT_UNHEALTHY',
          message: 'service not ready',
          details,
        }),
      );
    },
  };
}
