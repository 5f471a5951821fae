// Fastify doing the same observability work as servers/plumego-observability.ts: @fastify/otel (one
// request span per request: handler and hook spans off; W3C propagator registered so traceparent is
// read like Plumego's middleware does) on the same OTel SDK provider and discarding exporter, and
// fastify-metrics (prom-client; route histogram and summary, default runtime metrics, /metrics).
import { propagation } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import FastifyOtel from '@fastify/otel';
import Fastify from 'fastify';
import fastifyMetrics from 'fastify-metrics';

const discard = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {} };
propagation.setGlobalPropagator(new W3CTraceContextPropagator());
const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(discard)] });
const otel = new FastifyOtel({ instrumentHandler: false, instrumentHooks: false });
otel.setTracerProvider(provider);

const app = Fastify({ logger: false });
await app.register(otel.plugin());
await app.register(fastifyMetrics, { endpoint: '/metrics', clearRegisterOnInit: true });
app.get('/', async () => ({ hello: 'world' }));
app.get('/users/:id', async (req) => ({ id: req.params.id }));
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
console.log('READY');
