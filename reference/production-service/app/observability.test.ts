import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { SpanStatusCode } from '@opentelemetry/api';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestTracer } from 'plumego/x/observability';
import { ConfigError, loadConfig } from '../config.ts';
import { createProductionService } from './service.ts';

// Prometheus /metrics and OTLP traces when configured (issue 17): the real process, configured by
// environment, scraped and traced from outside.

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const main = join(here, '..', 'main.ts');
const dataRoot = mkdtempSync(join(tmpdir(), 'plumego-prod-obs-'));
afterAll(() => rmSync(dataRoot, { recursive: true, force: true }));

const METRICS_TOKEN = 'metrics-token-0123456789';
const OPS_TOKEN = 'ops-token-0123456789abcdef';

interface OtlpSpan {
  name: string;
  traceId: string;
  status?: { code?: number };
  attributes: { key: string; value: { intValue?: number | string; stringValue?: string } }[];
}

/** A local OTLP/HTTP JSON receiver that keeps every span it is sent. */
async function otlpReceiver() {
  const spans: OtlpSpan[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const payload = JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] };
      for (const rs of payload.resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    spans,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`,
    close: () => server.close(),
  };
}

const attr = (s: OtlpSpan, key: string) => {
  const v = s.attributes.find((a) => a.key === key)?.value;
  return v?.stringValue ?? (v?.intValue === undefined ? undefined : Number(v.intValue));
};

describe('production-service observability', () => {
  it('serves token-protected Prometheus /metrics by route pattern and exports spans over OTLP', async () => {
    const receiver = await otlpReceiver();
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', main], {
      cwd: root,
      env: {
        ...process.env,
        APP_ADDR: '127.0.0.1:0',
        APP_DATA_DIR: join(dataRoot, 'process'),
        APP_SHUTDOWN_TIMEOUT_MS: '1000',
        APP_OPS_TOKEN: OPS_TOKEN,
        APP_METRICS_ENABLED: '1',
        APP_METRICS_TOKEN: METRICS_TOKEN,
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.url,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    try {
      const addr = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('service did not start')), 20_000);
        createInterface({ input: child.stdout! }).on('line', (line) => {
          const m = /"server listening".*"addr":"([^"]+)"/.exec(line);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]!);
          }
        });
        child.once('exit', () => reject(new Error('service exited before listening')));
      });
      const base = `http://${addr}`;
      const missing = await fetch(`${base}/api/v1/orders/ord-secret-123`);
      expect(missing.status).toBe(404);
      const traceparent = missing.headers.get('traceparent') ?? '';
      expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      expect((await fetch(`${base}/api/v1/orders`)).status).toBe(200);
      expect((await fetch(`${base}/api/v1/orders`, { method: 'POST' })).status).toBe(401);
      expect((await fetch(`${base}/no/such/path/42`)).status).toBe(404);

      // Scrape: refused without (or with a wrong) token, then the text format by route pattern.
      expect((await fetch(`${base}/metrics`)).status).toBe(401);
      expect((await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${OPS_TOKEN}` } })).status).toBe(401);
      const scrape = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
      expect(scrape.headers.get('content-type')).toContain('text/plain');
      const text = await scrape.text();
      expect(text).toContain(
        'production_service_http_requests_total{method="GET",route="/api/v1/orders/:id",status="404"} 1',
      );
      expect(text).toContain(
        'production_service_http_requests_total{method="GET",route="/api/v1/orders",status="200"} 1',
      );
      expect(text).toContain(
        'production_service_http_requests_total{method="POST",route="/api/v1/orders",status="401"} 1',
      );
      expect(text).toContain('route="__unmatched__"');
      expect(text).toContain('production_service_http_request_duration_seconds_bucket{');
      expect(text).toContain('production_service_process_cpu_user_seconds_total');
      expect(text).not.toContain('ord-secret-123');
      expect(text).not.toContain('/no/such/path');

      // The JSON ops view reads the same collector.
      const ops = (await (
        await fetch(`${base}/ops/metrics`, { headers: { authorization: `Bearer ${OPS_TOKEN}` } })
      ).json()) as { data: { totalRecords: number } };
      expect(ops.data.totalRecords).toBeGreaterThanOrEqual(4);

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      // Shutdown flushed the span batch to the receiver.
      const span = receiver.spans.find((s) => s.name === 'GET /api/v1/orders/:id');
      expect(span?.traceId).toBe(traceparent.split('-')[1]);
      expect(attr(span!, 'http.response.status_code')).toBe(404);
      expect(attr(span!, 'url.path')).toBe('/api/v1/orders/ord-secret-123');
      // 4xx answers are not span errors.
      expect(span!.status?.code ?? 0).toBe(SpanStatusCode.UNSET);
      expect(receiver.spans.map((s) => s.name)).toEqual(
        expect.arrayContaining(['GET /api/v1/orders', 'POST /api/v1/orders', 'GET']),
      );
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      receiver.close();
    }
  }, 40_000);

  it('records an exception thrown in a handler on the request span, and answers the envelope', async () => {
    const t = createTestTracer();
    const config = loadConfig({
      APP_DATA_DIR: join(dataRoot, 'inprocess'),
      APP_RATE_LIMIT_RPS: '1000',
      APP_RATE_LIMIT_BURST: '1000',
    });
    const service = await createProductionService(config, {
      tracer: t.tracer,
      passwordHashOptions: { scryptLogN: 14 },
    });
    service.app.get('/boom', async () => {
      await Promise.resolve();
      throw new Error('ledger unavailable');
    });
    try {
      const { port } = await service.app.listen(0, '127.0.0.1');
      const res = await fetch(`http://127.0.0.1:${port}/boom`);
      expect(res.status).toBe(500);
      expect(await res.text()).not.toContain('ledger');
      const s = t.getFinishedSpans()[0]!;
      expect(s.status.code).toBe(SpanStatusCode.ERROR);
      expect(s.events[0]!.attributes?.['exception.message']).toBe('ledger unavailable');
      expect((await service.app.request('/metrics')).status).toBe(404);
    } finally {
      await service.close();
    }
  });

  it.each([
    ['APP_METRICS_ENABLED=1 without a token', { APP_METRICS_ENABLED: '1' }, 'APP_METRICS_TOKEN'],
    ['a short metrics token', { APP_METRICS_ENABLED: '1', APP_METRICS_TOKEN: 'short' }, 'APP_METRICS_TOKEN'],
    ['a metrics flag other than 0/1', { APP_METRICS_ENABLED: 'yes' }, 'APP_METRICS_ENABLED'],
    [
      'a non-URL traces endpoint',
      { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'collector:4318' },
      'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
    ],
    [
      'a non-HTTP traces endpoint',
      { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'grpc://collector:4317' },
      'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
    ],
  ])('refuses %s at startup, naming the variable only', (_title, env, variable) => {
    try {
      loadConfig(env);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).variable).toBe(variable);
      expect((err as Error).message).not.toContain('short');
    }
  });

  it('keeps observability off by default', () => {
    const config = loadConfig({});
    expect(config.metrics).toEqual({ enabled: false, token: '' });
    expect(config.otlpTracesEndpoint).toBe('');
  });
});
