// Plumego's canonical stack (as servers/plumego.ts BENCH_STACK=canonical) plus x/observability:
// a PrometheusCollector (private registry, runtime metrics) as the metrics observer and an OtelTracer
// (OTel SDK, BatchSpanProcessor) behind the tracing middleware. Spans go to a discarding exporter
// unless OTLP_URL is set, so export I/O is not in the numbers. Serves /metrics too.
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { createApp, param } from 'plumego';
import { writeResponse } from 'plumego/contract';
import { createFileOutput, createLogger } from 'plumego/log';
import { createCanonicalStack } from 'plumego/middleware';
import { OtelTracer, PrometheusCollector, createOtlpHttpExporter, metricsHandler } from 'plumego/x/observability';

const discard: SpanExporter = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {} };
const app = createApp({ addr: `127.0.0.1:${process.env.PORT ?? '3000'}` });
const logger = createLogger({ format: 'json', output: createFileOutput('/dev/null') });
const metrics = new PrometheusCollector({ namespace: 'bench' });
const exporter = process.env.OTLP_URL ? createOtlpHttpExporter({ url: process.env.OTLP_URL }) : discard;
const tracer = new OtelTracer({ exporter, serviceName: 'bench' });
app.use(
  ...createCanonicalStack({
    logger,
    cors: { allowedOrigins: ['*'] },
    metrics,
    tracing: { tracer },
    maxBodyBytes: 1 << 20,
    timeoutMs: 30_000,
  }),
);
app.get('/', (w, r) => writeResponse(w, r, 200, { hello: 'world' }));
app.get('/users/:id', (w, r) => writeResponse(w, r, 200, { id: param(r, 'id') }));
app.get('/metrics', metricsHandler(metrics));
await app.listen();
console.log('READY');
process.once('SIGINT', () => process.exit(0));
