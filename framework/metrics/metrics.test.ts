import { describe, expect, it } from 'vitest';
import { BaseMetricsCollector, NoopCollector } from './base.ts';
import { createHTTPRecord } from './collector.ts';
import { createMultiCollector } from './multi.ts';

describe('BaseMetricsCollector', () => {
  it('counts records, errors, series and names', () => {
    const c = new BaseMetricsCollector();
    c.record({ name: 'jobs', value: 1, labels: { q: 'a' } });
    c.record({ name: 'jobs', value: 1, labels: { q: 'a' }, error: new Error('x') });
    c.observeHTTP('GET', '/users/:id', 200, 10, 1.5);
    c.observeHTTP('GET', '/users/:id', 404, 10, 1.5);
    const s = c.getStats();
    expect([s.totalRecords, s.errorRecords, s.activeSeries]).toEqual([4, 2, 3]);
    expect(s.nameBreakdown).toEqual({ jobs: 2, http_request: 2 });
    c.clear();
    expect(c.getStats().totalRecords).toBe(0);
  });
});

describe('NoopCollector', () => {
  it('reports zeros', () => {
    const c = new NoopCollector();
    c.record({ name: 'x', value: 1 });
    c.observeHTTP('GET', '/', 500, 0, 1);
    expect(c.getStats()).toMatchObject({ totalRecords: 0, errorRecords: 0, activeSeries: 0, nameBreakdown: {} });
  });
});

describe('MultiCollector', () => {
  it('fans out, skips nil and partial collectors, and survives a throwing one', () => {
    const a = new BaseMetricsCollector();
    const b = new BaseMetricsCollector();
    const broken = {
      observeHTTP() {
        throw new Error('boom');
      },
    };
    const m = createMultiCollector(a, null, broken, undefined, b);
    m.observeHTTP('POST', '/x', 500, 0, 2);
    m.record({ name: 'n', value: 1 });
    expect(a.getStats().totalRecords).toBe(2);
    expect(m.getStats()).toMatchObject({ totalRecords: 4, errorRecords: 2, nameBreakdown: { http_request: 2, n: 2 } });
    m.clear();
    expect(b.getStats().totalRecords).toBe(0);
  });
});

describe('createHTTPRecord', () => {
  it('builds the reference record with seconds and labels', () => {
    expect(createHTTPRecord('GET', '/a/:id', 503, 12, 250)).toEqual({
      name: 'http_request',
      value: 0.25,
      durationMs: 250,
      labels: { method: 'GET', path: '/a/:id', status: '503', bytes: '12' },
      error: 503,
    });
  });
});
