import { describe, expect, it } from 'vitest';
import { writeResponse } from 'plumego/contract';
import { createApp } from 'plumego/core';
import { createCanonicalStack } from 'plumego/middleware';
import { isObservabilityError } from './errors.ts';
import { metricsHandler } from './metrics-handler.ts';
import { OVERFLOW_ROUTE, PrometheusCollector } from './prometheus-collector.ts';

/**
 * Checks a text exposition line by line (format 0.0.4): HELP/TYPE comments, then samples
 * `name{label="value",…} number`, every sample belonging to a declared family.
 */
function assertExposition(text: string): Map<string, string> {
  const types = new Map<string, string>();
  const sample =
    /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\["\\n])*",?)*\})? (-?[0-9.e+-]+|[Nn][Aa][Nn]|\+Inf|-Inf)( -?\d+)?$/;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta) {
      if (meta[1] === 'TYPE') {
        expect(['counter', 'gauge', 'histogram', 'summary', 'untyped']).toContain(meta[3]);
        types.set(meta[2]!, meta[3]!);
      }
      continue;
    }
    const m = sample.exec(line);
    expect(m, `not a valid sample line: ${line}`).not.toBeNull();
    const family = [...types.keys()].find((f) => m![1] === f || m![1]!.startsWith(f + '_'));
    expect(family, `sample without a TYPE: ${line}`).toBeDefined();
  }
  return types;
}

describe('PrometheusCollector', () => {
  it('labels requests by route pattern, never the raw path, in valid exposition text', async () => {
    const metrics = new PrometheusCollector({ runtimeMetrics: false });
    const app = createApp();
    app.use(...createCanonicalStack({ metrics, timeoutMs: 0 }));
    app.get('/users/:id', (w, r) => writeResponse(w, r, 200, { id: r.param('id') }));
    app.get('/metrics', metricsHandler(metrics));
    for (const id of ['1', '2', 'secret-token-in-path']) expect((await app.request(`/users/${id}`)).status).toBe(200);
    await app.request('/nope');
    const res = await app.request('/metrics');
    expect(res.headers['content-type']).toContain('text/plain');
    const text = res.text();
    const types = assertExposition(text);
    expect(types.get('plumego_http_requests_total')).toBe('counter');
    expect(types.get('plumego_http_request_duration_seconds')).toBe('histogram');
    expect(text).toContain('plumego_http_requests_total{method="GET",route="/users/:id",status="200"} 3');
    expect(text).toContain('route="__unmatched__",status="404"');
    expect(text).toMatch(
      /plumego_http_request_duration_seconds_count\{method="GET",route="\/users\/:id",status="200"\} 3/,
    );
    expect(text).not.toContain('secret-token-in-path');
    // The four requests above plus the /metrics request itself, observed once it finished.
    expect(metrics.getStats()).toMatchObject({ totalRecords: 5, errorRecords: 1 });
  });

  it('counts durations into cumulative histogram buckets with +Inf, sum and count', async () => {
    const metrics = new PrometheusCollector({ runtimeMetrics: false, buckets: [0.005, 0.025, 10] });
    for (const ms of [3, 5, 20, 20_000]) metrics.observeHTTP('POST', '/jobs', 202, 0, ms);
    const text = await metrics.readMetrics();
    const bucket = (le: string, n: number) =>
      `plumego_http_request_duration_seconds_bucket{method="POST",route="/jobs",status="202",le="${le}"} ${n}`;
    for (const [le, n] of [
      ['0.005', 2],
      ['0.025', 3],
      ['10', 3],
      ['+Inf', 4],
    ] as const)
      expect(text).toContain(bucket(le, n));
    expect(text).toContain(
      'plumego_http_request_duration_seconds_sum{method="POST",route="/jobs",status="202"} 20.028',
    );
    expect(text).toContain('plumego_http_request_duration_seconds_count{method="POST",route="/jobs",status="202"} 4');
    expect(text).toContain('plumego_http_requests_total{method="POST",route="/jobs",status="202"} 4');
  });

  it('folds a label flood into one overflow series and stays within maxSeries', async () => {
    const metrics = new PrometheusCollector({ runtimeMetrics: false, maxSeries: 50 });
    for (let i = 0; i < 100; i++) metrics.observeHTTP(`M${i}`, '/x', 200, 0, 1);
    for (let i = 0; i < 5_000; i++) metrics.observeHTTP('GET', `/r${i}`, 200, 0, 1);
    // 50 real series plus the one overflow series.
    expect(metrics.activeSeries).toBe(51);
    expect(metrics.overflowed).toBe(5_000 - 49);
    const text = await metrics.readMetrics();
    expect(text).toContain(
      `plumego_http_requests_total{method="GET",route="${OVERFLOW_ROUTE}",status="200"} ${5_000 - 49}`,
    );
    // Unknown methods were folded into OTHER before they could become series.
    expect(text).toContain('method="OTHER",route="/x",status="200"} 100');
    expect(text).not.toContain('M99');
  });

  it('records generic metrics as summaries and refuses bad names, values and label sets without throwing', async () => {
    const metrics = new PrometheusCollector({ runtimeMetrics: false, namespace: 'app' });
    metrics.record({ name: 'job_seconds', value: 1.5, labels: { queue: 'mail' } });
    metrics.record({ name: 'job_seconds', value: 0.5, labels: { queue: 'mail' }, error: new Error('x') });
    metrics.record({ name: 'bad name', value: 1 });
    metrics.record({ name: 'job_seconds', value: Number.NaN, labels: { queue: 'mail' } });
    metrics.record({ name: 'job_seconds', value: 1, labels: { other: 'x' } });
    const text = await metrics.readMetrics();
    expect(text).toContain('app_job_seconds_sum{queue="mail"} 2');
    expect(text).toContain('app_job_seconds_count{queue="mail"} 2');
    expect(metrics.getStats()).toMatchObject({ totalRecords: 2, errorRecords: 4, nameBreakdown: { job_seconds: 2 } });
  });

  it('exports runtime metrics from its own registry only', async () => {
    const a = new PrometheusCollector({ namespace: 'a' });
    const b = new PrometheusCollector({ namespace: 'b', runtimeMetrics: false, defaultLabels: { service: 'orders' } });
    b.observeHTTP('GET', '/', 200, 0, 1);
    const ta = await a.readMetrics();
    expect(ta).toContain('a_process_cpu_user_seconds_total');
    expect(ta).toContain('a_nodejs_eventloop_lag_seconds');
    expect(ta).not.toContain('b_http');
    expect(await b.readMetrics()).toContain('service="orders"');
    assertExposition(ta);
  });

  it('clear() zeroes the series and the stats', async () => {
    const m = new PrometheusCollector({ runtimeMetrics: false });
    m.observeHTTP('GET', '/a', 500, 0, 1);
    m.clear();
    expect(m.getStats()).toMatchObject({ totalRecords: 0, errorRecords: 0, activeSeries: 0 });
    expect(await m.readMetrics()).not.toContain('route="/a"');
  });

  it('fails at construction for options that can never work', () => {
    for (const bad of [
      { namespace: '1x' },
      { maxSeries: 0 },
      { buckets: [1, 0.5] },
      { buckets: [] },
      { defaultLabels: { 'bad-label': 'x' } },
    ]) {
      try {
        new PrometheusCollector(bad);
        expect.unreachable();
      } catch (err) {
        expect(isObservabilityError(err, 'OBSERVABILITY_INVALID_OPTIONS')).toBe(true);
      }
    }
  });
});

describe('metricsHandler', () => {
  it('requires the bearer token when one is configured, without echoing it', async () => {
    const metrics = new PrometheusCollector({ runtimeMetrics: false });
    const app = createApp();
    app.get('/metrics', metricsHandler(metrics, { token: 'a-long-metrics-token' }));
    const none = await app.request('/metrics');
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toContain('Bearer');
    expect(none.json<{ error: { code: string } }>().error.code).toBe('OBSERVABILITY_UNAUTHORIZED');
    const wrong = await app.request('/metrics', { headers: { authorization: 'Bearer a-long-metrics-tokeX' } });
    expect(wrong.status).toBe(401);
    expect(wrong.text()).not.toContain('metrics-tok');
    const ok = await app.request('/metrics', { headers: { authorization: 'Bearer a-long-metrics-token' } });
    expect(ok.status).toBe(200);
    expect(ok.headers['cache-control']).toBe('no-store');
  });

  it('refuses short tokens at construction', () => {
    expect(() => metricsHandler(new PrometheusCollector({ runtimeMetrics: false }), { token: 'short' })).toThrow(
      /token/,
    );
  });
});
