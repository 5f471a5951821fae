import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The service exposes Prometheus metrics and exports traces when configured (issue 17), as a real
// process: APP_METRICS_ENABLED/APP_METRICS_TOKEN and OTEL_EXPORTER_OTLP_TRACES_ENDPOINT.

const main = join(dirname(fileURLToPath(import.meta.url)), 'main.ts');

describe('standard-service observability', () => {
  it('serves token-protected /metrics labelled by route and exports spans to an OTLP receiver', async () => {
    const spans: { name: string; traceId: string }[] = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        const payload = JSON.parse(body) as {
          resourceSpans: { scopeSpans: { spans: { name: string; traceId: string }[] }[] }[];
        };
        for (const rs of payload.resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const otlp = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/v1/traces`;
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', main], {
      env: {
        ...process.env,
        APP_ADDR: '127.0.0.1:0',
        APP_ENV_FILE: '',
        APP_SHUTDOWN_TIMEOUT_MS: '500',
        APP_METRICS_ENABLED: '1',
        APP_METRICS_TOKEN: 'metrics-token-0123456789',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: otlp,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
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
      const res = await fetch(`${base}/api/v1/items/42`);
      const traceparent = res.headers.get('traceparent') ?? '';
      expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      expect((await fetch(`${base}/metrics`)).status).toBe(401);
      const text = await (
        await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer metrics-token-0123456789' } })
      ).text();
      expect(text).toContain('standard_service_http_requests_total{method="GET",route="/api/v1/items/:id"');
      expect(text).not.toContain('/api/v1/items/42');
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      // Shutdown flushes the span batch.
      expect(spans.map((s) => s.name)).toContain('GET /api/v1/items/:id');
      expect(spans.find((s) => s.name === 'GET /api/v1/items/:id')!.traceId).toBe(traceparent.split('-')[1]);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      receiver.close();
    }
  }, 30_000);
});
