import { describe, expect, it } from 'vitest';
import { writeResponse } from 'plumego/contract';
import { createApp } from 'plumego/core';
import { createMultiCollector } from 'plumego/metrics';
import { createCanonicalStack } from 'plumego/middleware';
import { isWindowMetricsError } from './errors.ts';
import { WindowMetrics } from './window-metrics.ts';

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('WindowMetrics', () => {
  it('reports count, errors, rate, min/max/mean and percentiles over the window', () => {
    const c = clock();
    const m = new WindowMetrics({ windowMs: 10_000, slices: 10, now: c.now });
    for (let v = 1; v <= 100; v++)
      m.record({ name: 'job_ms', value: v, labels: { queue: 'mail' }, ...(v % 10 === 0 ? { error: true } : {}) });
    const s = m.getSeries('job_ms', { queue: 'mail' })!;
    expect(s).toMatchObject({
      count: 100,
      errors: 10,
      sum: 5050,
      min: 1,
      max: 100,
      mean: 50.5,
      p50: 50,
      p95: 95,
      p99: 99,
      ratePerSec: 10,
    });
  });

  it('forgets observations once they leave the sliding window', () => {
    const c = clock();
    const m = new WindowMetrics({ windowMs: 10_000, slices: 10, now: c.now });
    m.record({ name: 'x', value: 1 });
    c.advance(5_000);
    m.record({ name: 'x', value: 3 });
    expect(m.getSeries('x')).toMatchObject({ count: 2, min: 1, max: 3 });
    // A slice counts while any part of it is inside the window (resolution windowMs / slices).
    c.advance(5_500);
    expect(m.getSeries('x')).toMatchObject({ count: 2 });
    c.advance(500);
    expect(m.getSeries('x')).toMatchObject({ count: 1, min: 3, max: 3 });
    c.advance(10_000);
    expect(m.getSeries('x')).toBeUndefined();
    expect(m.getSnapshot()).toEqual([]);
  });

  it('recycles slices in place after a long idle gap (no stale counts)', () => {
    const c = clock();
    const m = new WindowMetrics({ windowMs: 1_000, slices: 10, now: c.now });
    for (let i = 0; i < 50; i++) m.record({ name: 'x', value: 100 });
    c.advance(1_000 * 1_000);
    m.record({ name: 'x', value: 1 });
    expect(m.getSeries('x')).toMatchObject({ count: 1, max: 1 });
  });

  it('keeps labels apart and bounds the number of series', () => {
    const m = new WindowMetrics({ maxSeries: 2, now: clock().now });
    m.record({ name: 'a', value: 1, labels: { k: '1' } });
    m.record({ name: 'a', value: 1, labels: { k: '2' } });
    m.record({ name: 'a', value: 1, labels: { k: '3' } });
    m.record({ name: 'a', value: Number.NaN, labels: { k: '1' } });
    expect(m.getSnapshot('a')).toHaveLength(2);
    expect(m.dropped).toBe(1);
    expect(m.getSeries('a', { k: '1' })!.count).toBe(1);
  });

  it('bounds the samples kept for percentiles while counting everything', () => {
    const m = new WindowMetrics({ windowMs: 1_000, slices: 1, samplesPerSlice: 16, now: clock().now });
    for (let v = 0; v < 10_000; v++) m.record({ name: 'x', value: v % 100 });
    const s = m.getSeries('x')!;
    expect(s.count).toBe(10_000);
    expect(s.p99).toBeLessThanOrEqual(99);
    expect(s.max).toBe(99);
  });

  it('observes HTTP requests by route pattern and status class next to another collector', async () => {
    const window = new WindowMetrics();
    const app = createApp();
    app.use(...createCanonicalStack({ metrics: createMultiCollector(window), timeoutMs: 0 }));
    app.get('/users/:id', (w, r) => writeResponse(w, r, 200, {}));
    await app.request('/users/1');
    await app.request('/users/2');
    await app.request('/missing');
    expect(window.getSeries('http_request', { method: 'GET', route: '/users/:id', status: '2xx' })!.count).toBe(2);
    expect(window.getSeries('http_request', { method: 'GET', route: '__unmatched__', status: '4xx' })!.count).toBe(1);
  });

  it('refuses options that can never work', () => {
    for (const bad of [{ windowMs: 0 }, { windowMs: 1000, slices: 7 }, { maxSeries: 0 }, { samplesPerSlice: 0 }]) {
      try {
        new WindowMetrics(bad);
        expect.unreachable();
      } catch (err) {
        expect(isWindowMetricsError(err)).toBe(true);
      }
    }
  });
});
