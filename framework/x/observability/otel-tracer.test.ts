import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { APIError, writeResponse } from 'plumego/contract';
import { createApp } from 'plumego/core';
import { createCanonicalStack, type TraceSpan } from 'plumego/middleware';
import { isObservabilityError } from './errors.ts';
import { OtelTracer, getRequestSpanContext } from './otel-tracer.ts';
import { createOtlpHttpExporter } from './otlp.ts';
import { TestLogger, TestMetrics, createTestTracer } from './testing.ts';

function tracedApp(tracer: OtelTracer) {
  const app = createApp();
  app.use(...createCanonicalStack({ tracing: { tracer }, timeoutMs: 0 }));
  app.get('/users/:id', (w, r) => writeResponse(w, r, 200, { id: r.param('id') }));
  app.get('/boom', () => {
    throw new Error('kaput');
  });
  app.get('/reject', async () => {
    await Promise.resolve();
    throw new TypeError('cannot read order');
  });
  app.get('/missing', () => {
    throw new APIError({ type: 'resource_not_found', message: 'no such order' });
  });
  app.get('/unavailable', () => {
    throw new APIError({ type: 'service_unavailable', message: 'try later' });
  });
  app.get('/written-503', (w) => {
    w.writeHead(503);
    w.end();
  });
  app.get('/child', (w, r) => {
    const child = tracer.provider.getTracer('app').startSpan('load user', {}, getRequestSpanContext(r));
    child.end();
    writeResponse(w, r, 200, {});
  });
  return app;
}

const PARENT_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
// Just what a span reads from a request: method, path and the matched route.
const fakeRequest = (route: string) => ({ method: 'GET', path: route, state: { routePattern: route } }) as never;
const PARENT_SPAN = '00f067aa0ba902b7';

describe('OtelTracer', () => {
  it('starts a new trace with one SERVER span named by route pattern, with the ids sent back in traceparent', async () => {
    const t = createTestTracer();
    const res = await tracedApp(t.tracer).request('/users/42');
    const [, traceId, spanId, flags] = String(res.headers['traceparent']).split('-');
    const spans = t.getFinishedSpans();
    expect(spans).toHaveLength(1);
    const s = spans[0]!;
    expect(s.name).toBe('GET /users/:id');
    expect(s.kind).toBe(SpanKind.SERVER);
    expect(s.spanContext().traceId).toBe(traceId);
    expect(s.spanContext().spanId).toBe(spanId);
    expect(res.headers['x-span-id']).toBe(spanId);
    expect(flags).toBe('01');
    expect(s.parentSpanContext).toBeUndefined();
    expect(s.attributes).toMatchObject({
      'http.request.method': 'GET',
      'http.route': '/users/:id',
      'http.response.status_code': 200,
      'url.path': '/users/42',
    });
    expect(s.attributes['plumego.request_id']).toBe(res.headers['x-request-id']);
    expect(s.resource.attributes['service.name']).toBe('test-service');
  });

  it('continues an incoming traceparent and tracestate, in the span and in the response', async () => {
    const t = createTestTracer();
    const res = await tracedApp(t.tracer).request('/users/1', {
      headers: { traceparent: `00-${PARENT_TRACE}-${PARENT_SPAN}-01`, tracestate: 'vendor=abc,other=1' },
    });
    const s = t.getFinishedSpans()[0]!;
    expect(s.spanContext().traceId).toBe(PARENT_TRACE);
    expect(s.parentSpanContext?.spanId).toBe(PARENT_SPAN);
    expect(s.parentSpanContext?.isRemote).toBe(true);
    expect(s.spanContext().traceState?.serialize()).toBe('vendor=abc,other=1');
    expect(String(res.headers['traceparent'])).toMatch(new RegExp(`^00-${PARENT_TRACE}-${s.spanContext().spanId}-01$`));
    expect(res.headers['tracestate']).toBe('vendor=abc,other=1');
  });

  it('records a thrown error as an exception event on an ERROR span', async () => {
    const t = createTestTracer();
    const res = await tracedApp(t.tracer).request('/boom');
    expect(res.status).toBe(500);
    const s = t.getFinishedSpans()[0]!;
    expect(s.name).toBe('GET /boom');
    expect(s.status).toEqual({ code: SpanStatusCode.ERROR, message: 'kaput' });
    expect(s.attributes['error.type']).toBe('Error');
    expect(s.attributes['http.response.status_code']).toBe(500);
    const [event] = s.events;
    expect(event!.name).toBe('exception');
    expect(event!.attributes).toMatchObject({ 'exception.type': 'Error', 'exception.message': 'kaput' });
    expect(String(event!.attributes!['exception.stacktrace'])).toContain('kaput');
    // The client still gets the generic envelope, never the message.
    expect(res.text()).not.toContain('kaput');
  });

  it('records a rejected promise as an exception event on an ERROR span', async () => {
    const t = createTestTracer();
    expect((await tracedApp(t.tracer).request('/reject')).status).toBe(500);
    const s = t.getFinishedSpans()[0]!;
    expect(s.status.code).toBe(SpanStatusCode.ERROR);
    expect(s.attributes['error.type']).toBe('TypeError');
    expect(s.events.map((e) => e.attributes?.['exception.message'])).toEqual(['cannot read order']);
  });

  it('leaves a thrown 4xx APIError unset: the answer, not a failure', async () => {
    const t = createTestTracer();
    expect((await tracedApp(t.tracer).request('/missing')).status).toBe(404);
    const s = t.getFinishedSpans()[0]!;
    expect(s.status.code).toBe(SpanStatusCode.UNSET);
    expect(s.events).toHaveLength(0);
    expect(s.attributes['error.type']).toBeUndefined();
    expect(s.attributes['http.response.status_code']).toBe(404);
  });

  it('records a thrown 5xx APIError, and marks a written 5xx ERROR without an exception', async () => {
    const t = createTestTracer();
    const app = tracedApp(t.tracer);
    expect((await app.request('/unavailable')).status).toBe(503);
    expect((await app.request('/written-503')).status).toBe(503);
    const [thrown, written] = t.getFinishedSpans();
    expect(thrown!.status.code).toBe(SpanStatusCode.ERROR);
    expect(thrown!.events[0]!.attributes?.['exception.message']).toBe('try later');
    expect(written!.status.code).toBe(SpanStatusCode.ERROR);
    expect(written!.attributes['error.type']).toBe('503');
    expect(written!.events).toHaveLength(0);
  });

  it('records a non-Error throw without stringifying the value', () => {
    const t = createTestTracer();
    const span = t.tracer.startSpan({ method: 'GET', path: '/', state: { routePattern: '/x' } } as never, {
      traceId: PARENT_TRACE,
      spanId: PARENT_SPAN,
      parentSpanId: '',
      flags: 1,
      traceState: '',
    })!;
    span.recordError!({
      toString: () => {
        throw new Error('hostile');
      },
    });
    span.end(500, 0, '');
    const s = t.getFinishedSpans()[0]!;
    expect(s.status.code).toBe(SpanStatusCode.ERROR);
    expect(s.events[0]!.attributes?.['exception.message']).toBe('object thrown');
  });

  it('ends a span of a client that went away with 499 and no exception', async () => {
    const t = createTestTracer();
    const app = tracedApp(t.tracer);
    let entered!: () => void;
    const inHandler = new Promise<void>((r) => (entered = r));
    app.get('/slow', async (_w, r) => {
      entered();
      // Rejects with the signal's ClientDisconnectedError when the socket closes.
      await new Promise((_, reject) => r.signal.addEventListener('abort', () => reject(r.signal.reason)));
    });
    const { port } = await app.listen(0, '127.0.0.1');
    try {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/slow' });
      req.on('error', () => undefined);
      req.end();
      await inHandler;
      req.destroy();
      await expect.poll(() => t.getFinishedSpans().length).toBe(1);
      const s = t.getFinishedSpans()[0]!;
      expect(s.attributes['http.response.status_code']).toBe(499);
      expect(s.status.code).toBe(SpanStatusCode.UNSET);
      expect(s.events).toHaveLength(0);
    } finally {
      await app.shutdown({ timeoutMs: 100 });
    }
  });

  it('creates no span for an unsampled incoming trace but still propagates it', async () => {
    const t = createTestTracer();
    const res = await tracedApp(t.tracer).request('/users/1', {
      headers: { traceparent: `00-${PARENT_TRACE}-${PARENT_SPAN}-00` },
    });
    expect(t.getFinishedSpans()).toHaveLength(0);
    expect(String(res.headers['traceparent'])).toMatch(new RegExp(`^00-${PARENT_TRACE}-[0-9a-f]{16}-00$`));
  });

  it.each([
    ['a malformed header', 'not-a-traceparent'],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-${PARENT_SPAN}-01`],
    ['uppercase hex', `00-${PARENT_TRACE.toUpperCase()}-${PARENT_SPAN}-01`],
  ])('starts a fresh trace on %s', async (_title, header) => {
    const t = createTestTracer();
    await tracedApp(t.tracer).request('/users/1', { headers: { traceparent: header } });
    const s = t.getFinishedSpans()[0]!;
    expect(s.spanContext().traceId).not.toBe(PARENT_TRACE);
    expect(s.parentSpanContext).toBeUndefined();
  });

  it('names unmatched requests by method only, never by raw path', async () => {
    const t = createTestTracer();
    await tracedApp(t.tracer).request('/no/such/path');
    expect(t.getFinishedSpans()[0]!.name).toBe('GET');
  });

  it('parents child spans on the request span through getRequestSpanContext', async () => {
    const t = createTestTracer();
    await tracedApp(t.tracer).request('/child');
    const [child, server] = t.getFinishedSpans();
    expect(child!.name).toBe('load user');
    expect(child!.parentSpanContext?.spanId).toBe(server!.spanContext().spanId);
    expect(child!.spanContext().traceId).toBe(server!.spanContext().traceId);
    expect(trace.getSpan(getRequestSpanContext({ ctx: {} } as never))).toBeUndefined();
  });

  it('times the span on the wall clock, with duration = end - start and SDK values before it ends', () => {
    const t = createTestTracer();
    const before = Date.now();
    const open = t.tracer.startSpan(fakeRequest('/x'), {
      traceId: PARENT_TRACE,
      spanId: PARENT_SPAN,
      parentSpanId: '',
      flags: 1,
      traceState: '',
    })! as unknown as ReadableSpan & TraceSpan;
    expect(open.ended).toBe(false);
    expect(open.endTime).toEqual([0, 0]);
    expect(open.duration).toEqual([-1, -1]);
    open.end(200, 12, 'req-1');
    const after = Date.now();
    const [s] = t.getFinishedSpans();
    expect(s).toBe(open);
    expect(s!.ended).toBe(true);
    const ms = (hr: readonly [number, number]) => hr[0] * 1000 + hr[1] / 1e6;
    // The clock anchor is whole milliseconds: allow that much either side, nothing speed-related.
    expect(ms(s!.startTime)).toBeGreaterThanOrEqual(before - 2);
    expect(ms(s!.endTime)).toBeLessThanOrEqual(after + 2);
    expect(s!.startTime[1]).toBeLessThan(1e9);
    expect(s!.endTime[1]).toBeLessThan(1e9);
    const [ds, dn] = s!.duration;
    expect(ds).toBeGreaterThanOrEqual(0);
    expect((s!.endTime[0] - s!.startTime[0]) * 1e9 + (s!.endTime[1] - s!.startTime[1])).toBe(ds * 1e9 + dn);
    expect(s!.endTime).toBe(s!.endTime); // computed once
    expect(s!.attributes).toEqual({
      'http.request.method': 'GET',
      'url.path': '/x',
      'http.response.status_code': 200,
      'http.response.body.size': 12,
      'http.route': '/x',
      'plumego.request_id': 'req-1',
    });
    expect(s!.instrumentationScope.name).toBe('plumego');
    expect([s!.links, s!.events, s!.droppedAttributesCount, s!.droppedEventsCount, s!.droppedLinksCount]).toEqual([
      [],
      [],
      0,
      0,
      0,
    ]);
  });

  it('exports a span once even if ended twice, and ignores an error recorded after the end', () => {
    const t = createTestTracer();
    const span = t.tracer.startSpan(fakeRequest('/x'), {
      traceId: PARENT_TRACE,
      spanId: PARENT_SPAN,
      parentSpanId: '',
      flags: 1,
      traceState: '',
    })!;
    span.end(200, 0, '');
    span.recordError!(new Error('late'));
    span.end(500, 0, '');
    const spans = t.getFinishedSpans();
    expect(spans).toHaveLength(1);
    expect(spans[0]!.attributes['http.response.status_code']).toBe(200);
    expect(spans[0]!.events).toHaveLength(0);
  });

  it('types an exception by its code, as the SDK does', async () => {
    const t = createTestTracer();
    await tracedApp(t.tracer).request('/unavailable');
    const [event] = t.getFinishedSpans()[0]!.events;
    expect(event!.attributes?.['exception.type']).toBe('SERVICE_UNAVAILABLE');
    expect(event!.time[0]).toBeGreaterThan(0);
  });

  it('drops the tracestate entries the W3C grammar refuses, keeping the valid ones', () => {
    const t = createTestTracer();
    const span = t.tracer.startSpan(fakeRequest('/x'), {
      traceId: PARENT_TRACE,
      spanId: 'b7ad6b7169203331',
      parentSpanId: PARENT_SPAN,
      flags: 1,
      traceState: 'ok=1,BAD KEY=2,also=3',
    })!;
    span.end(200, 0, '');
    const s = t.getFinishedSpans()[0]!;
    expect(s.spanContext().traceState?.serialize()).toBe('ok=1,also=3');
    expect(s.parentSpanContext).toMatchObject({
      traceId: PARENT_TRACE,
      spanId: PARENT_SPAN,
      isRemote: true,
      traceFlags: 1,
    });
    expect(s.parentSpanContext).toBe(s.parentSpanContext);
  });

  it('samples child spans by their parent: none under an unsampled request', async () => {
    const t = createTestTracer();
    const res = await tracedApp(t.tracer).request('/child', {
      headers: { traceparent: `00-${PARENT_TRACE}-${PARENT_SPAN}-00` },
    });
    expect(res.status).toBe(200);
    expect(t.getFinishedSpans()).toHaveLength(0);
  });

  it('exports nothing, and does not throw, for spans ending after shutdown', async () => {
    const t = createTestTracer();
    const app = tracedApp(t.tracer);
    await t.tracer.shutdown();
    expect((await app.request('/users/1')).status).toBe(200);
    expect(t.getFinishedSpans()).toHaveLength(0);
  });

  describe('applies the SDK span limits from the environment', () => {
    const names = [
      'OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT',
      'OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT',
      'OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT',
      'OTEL_ATTRIBUTE_COUNT_LIMIT',
      'OTEL_SPAN_EVENT_COUNT_LIMIT',
      'OTEL_SPAN_ATTRIBUTE_PER_EVENT_COUNT_LIMIT',
    ];
    const saved = names.map((n) => process.env[n]);
    afterEach(() => {
      names.forEach((n, i) => {
        const v = saved[i];
        if (v === undefined) delete process.env[n];
        else process.env[n] = v;
      });
    });

    it('truncating long values and dropping attributes past the count, like an SDK child span', async () => {
      process.env['OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT'] = '6';
      process.env['OTEL_ATTRIBUTE_COUNT_LIMIT'] = '3';
      const t = createTestTracer();
      await tracedApp(t.tracer).request('/users/123456789');
      const [server] = t.getFinishedSpans();
      expect(server!.attributes).toEqual({
        'http.request.method': 'GET',
        'url.path': '/users',
        'http.response.status_code': 200,
      });
      expect(server!.droppedAttributesCount).toBe(3);
      expect(server!.name).toBe('GET /users/:id'); // the name is not an attribute
      // The SDK's own spans of the same tracer are cut the same way.
      const sdkSpan = t.tracer.provider.getTracer('check').startSpan('c');
      sdkSpan.setAttribute('a', 'abcdefghij');
      sdkSpan.end();
      expect(t.getFinishedSpans()[1]!.attributes['a']).toBe('abcdef');
    });

    it('recording the exception event within the event limits', async () => {
      process.env['OTEL_SPAN_ATTRIBUTE_PER_EVENT_COUNT_LIMIT'] = '1';
      const t = createTestTracer();
      await tracedApp(t.tracer).request('/boom');
      const [event] = t.getFinishedSpans()[0]!.events;
      expect(event!.attributes).toEqual({ 'exception.type': 'Error' });
      expect(event!.droppedAttributesCount).toBe(2);
      process.env['OTEL_SPAN_EVENT_COUNT_LIMIT'] = '0';
      const none = createTestTracer();
      await tracedApp(none.tracer).request('/boom');
      const s = none.getFinishedSpans()[0]!;
      expect(s.events).toHaveLength(0);
      expect(s.droppedEventsCount).toBe(1);
      expect(s.status.code).toBe(SpanStatusCode.ERROR);
    });

    it('ignoring values that are not numbers, and a length limit of 0, as the SDK does', async () => {
      process.env['OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT'] = 'lots';
      process.env['OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT'] = '0';
      const t = createTestTracer();
      await tracedApp(t.tracer).request('/users/123456789');
      const s = t.getFinishedSpans()[0]!;
      expect(s.attributes['url.path']).toBe('/users/123456789');
      expect(Object.keys(s.attributes)).toHaveLength(6);
      expect(s.droppedAttributesCount).toBe(0);
    });
  });

  it('refuses a missing exporter at construction', () => {
    try {
      new OtelTracer({} as never);
      expect.unreachable();
    } catch (err) {
      expect(isObservabilityError(err, 'OBSERVABILITY_INVALID_OPTIONS')).toBe(true);
    }
  });
});

describe('OTLP/HTTP export', () => {
  it('delivers spans with their ids, name and resource to a local OTLP receiver', async () => {
    const bodies: { path: string; headers: Record<string, unknown>; body: string }[] = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        bodies.push({ path: req.url ?? '', headers: req.headers, body });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const port = (receiver.address() as AddressInfo).port;
    try {
      const tracer = new OtelTracer({
        exporter: createOtlpHttpExporter({ url: `http://127.0.0.1:${port}/v1/traces`, headers: { 'x-api-key': 'k' } }),
        serviceName: 'orders',
      });
      const res = await tracedApp(tracer).request('/users/7');
      await tracer.forceFlush();
      expect(bodies).toHaveLength(1);
      expect(bodies[0]!.path).toBe('/v1/traces');
      expect(bodies[0]!.headers['x-api-key']).toBe('k');
      expect(bodies[0]!.headers['content-type']).toContain('application/json');
      const payload = JSON.parse(bodies[0]!.body) as {
        resourceSpans: {
          resource: { attributes: { key: string; value: { stringValue?: string } }[] };
          scopeSpans: { spans: { traceId: string; spanId: string; name: string; kind: number }[] }[];
        }[];
      };
      const rs = payload.resourceSpans[0]!;
      expect(rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue).toBe('orders');
      const span = rs.scopeSpans[0]!.spans[0]!;
      const [, traceId, spanId] = String(res.headers['traceparent']).split('-');
      expect(span).toMatchObject({ traceId, spanId, name: 'GET /users/:id', kind: 2 });
      await tracer.shutdown();
    } finally {
      receiver.close();
    }
  });

  it('refuses a non-HTTP collector URL at construction', () => {
    expect(() => createOtlpHttpExporter({ url: 'ftp://collector' })).toThrow(/url/);
    expect(() => createOtlpHttpExporter({ url: 'not a url' })).toThrow(/url/);
  });
});

describe('TestMetrics', () => {
  it('records what the metrics middleware observed, by route pattern', async () => {
    const metrics = new TestMetrics();
    const app = createApp();
    app.use(...createCanonicalStack({ metrics, timeoutMs: 0 }));
    app.get('/items/:id', (w, r) => writeResponse(w, r, 201, {}));
    await app.request('/items/9');
    expect(metrics.observed).toMatchObject([{ method: 'GET', route: '/items/:id', status: 201 }]);
    metrics.reset();
    expect(metrics.observed).toHaveLength(0);
  });
});

describe('TestLogger', () => {
  it('records the access log of real requests, with merged fields, for assertions', async () => {
    const logger = new TestLogger();
    const app = createApp();
    app.use(...createCanonicalStack({ logger, timeoutMs: 0 }));
    app.get('/items/:id', (w, r) => writeResponse(w, r, 200, {}));
    await app.request('/items/7?token=s3cr3t');
    const [line] = logger.find('request completed', 'info');
    expect(line!.fields).toMatchObject({ method: 'GET', status: 200, route: '/items/:id' });
    const child = logger.withFields({ component: 'jobs' });
    child.warn('retrying', { attempt: 2 });
    expect(logger.find('retrying')[0]).toEqual({
      level: 'warn',
      msg: 'retrying',
      fields: { component: 'jobs', attempt: 2 },
    });
    expect(logger.isEnabled()).toBe(true);
    expect(logger.toText()).toContain('"msg":"retrying"');
    logger.reset();
    expect(logger.entries).toHaveLength(0);
  });
});
