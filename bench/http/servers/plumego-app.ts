// The Plumego app every HTTP bench measures: bare (BENCH_STACK unset), with the canonical middleware
// stack (canonical), or with the canonical stack plus rate limiting and compression (full) in the
// production-service order. Shared by the socket server (plumego.ts) and callgrind's in-process
// driver (../inproc-driver.ts) so both count the same app.
import { createApp, param, type App } from 'plumego';
import { writeResponse } from 'plumego/contract';
import { createLogger, type LogOutput } from 'plumego/log';
import { BaseMetricsCollector } from 'plumego/metrics';
import { compression, createAbuseGuard, createCanonicalStack } from 'plumego/middleware';

export function buildBenchApp(variant: string | undefined, logOutput: LogOutput, addr?: string): App {
  const app = addr === undefined ? createApp() : createApp({ addr });
  if (variant === 'canonical' || variant === 'full') {
    const stack = createCanonicalStack({
      logger: createLogger({ format: 'json', output: logOutput }),
      cors: { allowedOrigins: ['*'] },
      metrics: new BaseMetricsCollector(),
      maxBodyBytes: 1 << 20,
      timeoutMs: 30_000,
    });
    if (variant === 'full') {
      // requestid, securityheaders, cors, recovery, [compression], accesslog, bodylimit, [rate
      // limit], httpmetrics, timeout. The limit is high enough that nothing is refused, like the
      // Fastify counterpart (servers/fastify-plugins.mjs).
      stack.splice(4, 0, compression());
      stack.splice(7, 0, createAbuseGuard({ rate: 1e9, burst: 1e9 }).middleware());
    }
    app.use(...stack);
  }
  app.get('/', (w, r) => writeResponse(w, r, 200, { hello: 'world' }));
  app.get('/users/:id', (w, r) => writeResponse(w, r, 200, { id: param(r, 'id') }));
  return app;
}
