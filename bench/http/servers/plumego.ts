// Plumego bare (BENCH_STACK unset) or with the canonical middleware stack (BENCH_STACK=canonical).
import { createApp, param } from 'plumego';
import { writeResponse } from 'plumego/contract';
import { createFileOutput, createLogger } from 'plumego/log';
import { BaseMetricsCollector } from 'plumego/metrics';
import { createCanonicalStack } from 'plumego/middleware';

const app = createApp({ addr: `127.0.0.1:${process.env.PORT ?? '3000'}` });
if (process.env.BENCH_STACK === 'canonical') {
  // Access log to /dev/null through the recommended file output (batched lines, one write(2) per
  // batch): the formatting and the write cost are real, the disk is not.
  const logger = createLogger({ format: 'json', output: process.env.BENCH_LOG === 'none' ? { write() {} } : createFileOutput('/dev/null') });
  app.use(
    ...createCanonicalStack({
      logger,
      cors: { allowedOrigins: ['*'] },
      metrics: new BaseMetricsCollector(),
      maxBodyBytes: 1 << 20,
      timeoutMs: 30_000,
    }),
  );
}
app.get('/', (w, r) => writeResponse(w, r, 200, { hello: 'world' }));
app.get('/users/:id', (w, r) => writeResponse(w, r, 200, { id: param(r, 'id') }));
await app.listen();
console.log('READY');
process.once('SIGINT', () => process.exit(0)); // lets --cpu-prof write its profile
