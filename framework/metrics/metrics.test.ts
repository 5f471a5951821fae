import { describe, expect, it } from 'vitest';
import { BaseMetricsCollector, createNoopCollector, NoopCollector } from './base.ts';
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

describe('BaseMetricsCollector series and boundaries', () => {
  it('counts a status of 400 as an error and 399 as not', () => {
    const c = new BaseMetricsCollector();
    c.observeHTTP('GET', '/a', 399, 0, 1);
    c.observeHTTP('GET', '/a', 400, 0, 1);
    expect(c.getStats()).toMatchObject({ totalRecords: 2, errorRecords: 1, activeSeries: 2 });
    expect(createHTTPRecord('GET', '/a', 399, 0, 1)).not.toHaveProperty('error');
    expect(createHTTPRecord('GET', '/a', 400, 0, 1).error).toBe(400);
  });

  it('keys a series by name and labels, whatever the label order, and each HTTP series by method, route and status', () => {
    const c = new BaseMetricsCollector();
    c.record({ name: 'jobs', value: 1, labels: { a: '1', b: '2' } });
    c.record({ name: 'jobs', value: 1, labels: { b: '2', a: '1' } });
    c.record({ name: 'jobs', value: 1, labels: { a: '1', b: '3' } });
    c.record({ name: 'jobs', value: 1, labels: { a: '12' } });
    c.record({ name: 'jobs', value: 1 });
    c.record({ name: 'other', value: 1 });
    expect(c.getStats().activeSeries).toBe(5);
    c.observeHTTP('GET', '/a', 200, 0, 1);
    c.observeHTTP('GET', '/a', 200, 0, 1);
    c.observeHTTP('POST', '/a', 200, 0, 1);
    c.observeHTTP('GET', '/b', 200, 0, 1);
    c.observeHTTP('GET', '/a', 201, 0, 1);
    expect(c.getStats()).toMatchObject({
      totalRecords: 11,
      errorRecords: 0,
      activeSeries: 9,
      nameBreakdown: { jobs: 5, other: 1, http_request: 5 },
    });
  });

  it('clear forgets everything, series included, and restarts the clock', async () => {
    const c = new BaseMetricsCollector();
    c.record({ name: 'jobs', value: 1, labels: { q: 'a' }, error: 'x' });
    c.observeHTTP('GET', '/a', 500, 0, 1);
    const started = c.getStats().startTime;
    await new Promise((r) => setTimeout(r, 5));
    c.clear();
    const s = c.getStats();
    expect(s).toMatchObject({ totalRecords: 0, errorRecords: 0, activeSeries: 0, nameBreakdown: {} });
    expect(s.startTime.getTime()).toBeGreaterThan(started.getTime());
    c.observeHTTP('GET', '/a', 500, 0, 1);
    expect(c.getStats()).toMatchObject({ activeSeries: 1, errorRecords: 1 });
  });
});

describe('MultiCollector aggregation', () => {
  it('sums series, keeps the earliest start time and clears every part past a throwing one', async () => {
    const early = new BaseMetricsCollector();
    await new Promise((r) => setTimeout(r, 5));
    const late = new BaseMetricsCollector();
    const throwsOnClear = {
      clear() {
        throw new Error('boom');
      },
      record() {
        throw new Error('boom');
      },
    };
    const m = createMultiCollector(late, throwsOnClear, early);
    m.record({ name: 'x', value: 1, labels: { k: 'v' } });
    m.observeHTTP('GET', '/a', 200, 0, 1);
    const s = m.getStats();
    expect(s).toMatchObject({ totalRecords: 4, errorRecords: 0, activeSeries: 4 });
    expect(s.startTime.getTime()).toBe(early.getStats().startTime.getTime());
    m.clear();
    expect([early.getStats().totalRecords, late.getStats().totalRecords]).toEqual([0, 0]);
    expect(createMultiCollector().getStats()).toMatchObject({
      totalRecords: 0,
      errorRecords: 0,
      activeSeries: 0,
      nameBreakdown: {},
    });
  });

  it('uses its own start time when no part is older', () => {
    const m = createMultiCollector({
      getStats: () => ({
        totalRecords: 1,
        errorRecords: 1,
        activeSeries: 1,
        startTime: new Date(Date.now() + 60_000),
        nameBreakdown: { y: 1 },
      }),
    });
    const s = m.getStats();
    expect(s.startTime.getTime()).toBeLessThanOrEqual(Date.now());
    expect(s).toMatchObject({ totalRecords: 1, errorRecords: 1, activeSeries: 1, nameBreakdown: { y: 1 } });
  });
});

describe('createNoopCollector', () => {
  it('drops every call and keeps reporting zeros after a clear', () => {
    const c = createNoopCollector();
    c.record({ name: 'x', value: 1, error: 'e' });
    c.observeHTTP('GET', '/', 500, 0, 1);
    c.clear();
    expect(c.getStats()).toMatchObject({ totalRecords: 0, errorRecords: 0, activeSeries: 0, nameBreakdown: {} });
    expect(c.getStats().startTime).toBeInstanceOf(Date);
  });
});
