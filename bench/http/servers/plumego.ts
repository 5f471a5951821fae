// Plumego bare (BENCH_STACK unset), with the canonical middleware stack (BENCH_STACK=canonical), or
// with the canonical stack plus rate limiting and compression (BENCH_STACK=full) in the
// production-service order.
import { createApp, param } from 'plumego';
import { writeResponse } from 'plumego/contract';
import { createFileOutput, createLogger } from 'plumego/log';
import { BaseMetricsCollector } from 'plumego/metrics';
import { compression, createAbuseGuard, createCanonicalStack } from 'plumego/middleware';

const app = createApp({ addr: `127.0.0.1:${process.env.PORT ?? '3000'}` });
const variant = process.env.BENCH_STACK;
if (variant === 'canonical' || variant === 'full') {
  // Access log to /dev/null through the recommended file output (batched lines, one write(2) per
  // batch): the formatting and the write cost are real, the disk is not.
  const logger = createLogger({
    format: 'json',
    output: process.env.BENCH_LOG === 'none' ? { write() {} } : createFileOutput('/dev/null'),
  });
  const stack = createCanonicalStack({
    logger,
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
await app.listen();
console.log('READY');
process.once('SIGINT', () => process.exit(0)); // lets --cpu-prof write its profile
