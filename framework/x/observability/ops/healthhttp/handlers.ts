import { APIError, writeError, type Handler, type ResponseWriter } from 'plumego/contract';
import { HEALTH_HTTP_ERRORS, assertOption } from './errors.ts';
import type { HealthManager } from './health-manager.ts';

/**
 * Health bodies are plain JSON (not the success envelope): probes and dashboards read `status`
 * directly, and 503 is an answer here, not an error.
 */
function writeJson(w: ResponseWriter, status: number, body: unknown): void {
  w.setHeader('content-type', 'application/json; charset=utf-8');
  w.setHeader('cache-control', 'no-store');
  w.writeHead(status);
  w.end(JSON.stringify(body));
}

function assertManager(manager: HealthManager): void {
  assertOption(typeof manager?.check === 'function', 'manager');
}

/** Liveness: 200 while the process can answer at all. Runs no checks (a dependency outage must not restart the process). */
export function liveHandler(): Handler {
  return (w) => {
    writeJson(w, 200, { status: 'alive' });
  };
}

/** Readiness: 200 or 503 with only `{ ready, status }` — safe to expose to load balancers. */
export function readyHandler(manager: HealthManager): Handler {
  assertManager(manager);
  return async (w) => {
    const report = await manager.check();
    writeJson(w, report.ready ? 200 : 503, { ready: report.ready, status: report.status });
  };
}

/** The full report with every component (put it behind authentication). 503 when not ready. */
export function detailedHandler(manager: HealthManager): Handler {
  assertManager(manager);
  return async (w) => {
    const report = await manager.check();
    writeJson(w, report.ready ? 200 : 503, report);
  };
}

/** One component, checked now; the name comes from the route parameter `param` (default 'component'). 404 `HEALTH_COMPONENT_NOT_FOUND` for an unknown one. */
export function componentHandler(manager: HealthManager, param = 'component'): Handler {
  assertManager(manager);
  return async (w, r) => {
    const result = await manager.checkComponent(r.param(param));
    if (result === undefined) {
      const e = HEALTH_HTTP_ERRORS.HEALTH_COMPONENT_NOT_FOUND;
      writeError(w, r, new APIError({ status: e.status, code: 'HEALTH_COMPONENT_NOT_FOUND', message: e.message }));
      return;
    }
    writeJson(w, result.status === 'healthy' ? 200 : 503, result);
  };
}

/** Recent results per component. */
export function historyHandler(manager: HealthManager): Handler {
  assertManager(manager);
  return (w) => {
    writeJson(w, 200, { components: manager.getHistory() });
  };
}
