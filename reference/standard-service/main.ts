// Entry point: `npm start`, or `node --conditions=source --import tsx reference/standard-service/main.ts [--addr :8080] [--env-file .env]`.
import { createLogger } from 'plumego/log';
import {
  createOtelTracer,
  createOtlpHttpExporter,
  createPrometheusCollector,
  metricsHandler,
} from 'plumego/x/observability';
import { loadConfig } from './config.ts';
import { createService } from './app/service.ts';

async function run(): Promise<void> {
  const config = loadConfig({ argv: process.argv.slice(2) });
  // Observability when configured: APP_METRICS_ENABLED=1 serves Prometheus text at /metrics (with
  // APP_METRICS_TOKEN set, only to `Authorization: Bearer <token>`); OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
  // (e.g. http://127.0.0.1:4318/v1/traces) exports a span per request over OTLP/HTTP.
  const metrics =
    process.env['APP_METRICS_ENABLED'] === '1'
      ? createPrometheusCollector({ namespace: 'standard_service' })
      : undefined;
  const otlpUrl = process.env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'];
  const tracer = otlpUrl
    ? createOtelTracer({
        serviceName: config.serviceName,
        resourceAttributes: { 'service.version': config.version },
        exporter: createOtlpHttpExporter({ url: otlpUrl }),
      })
    : undefined;
  const { app, logger } = createService(config, { ...(metrics ? { metrics } : {}), ...(tracer ? { tracer } : {}) });
  const metricsToken = process.env['APP_METRICS_TOKEN'];
  if (metrics) app.get('/metrics', metricsHandler(metrics, metricsToken ? { token: metricsToken } : {}));
  const flush = (): void => (logger as { flush?: () => void }).flush?.();
  await app.listen();
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info('shutdown requested', { signal });
    app
      .shutdown({ timeoutMs: config.shutdownTimeoutMs })
      .then(async (result) => {
        await tracer?.shutdown().catch(() => undefined);
        return result;
      })
      .then(
        (result) => {
          logger.info('shutdown complete', { forced: result.forced });
          flush();
          process.exit(0);
        },
        (err: unknown) => {
          logger.error('shutdown failed', { error: err instanceof Error ? err.message : String(err) });
          flush();
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

run().catch((err: unknown) => {
  const logger = createLogger({ buffered: false });
  logger.error('startup failed', { error: err instanceof Error ? err.message : String(err) });
  process.exit(1);
});
