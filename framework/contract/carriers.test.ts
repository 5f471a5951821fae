import { describe, expect, it } from 'vitest';
import { Context, createContextKey, valueFromContext, withValue } from './context.ts';
import { normalizeRequestId, requestIdFromContext, withRequestId } from './request-id.ts';
import { createRequest } from './request.ts';
import { requestContextFromRequest } from './route-context.ts';
import {
  formatTraceparent,
  isSampled,
  isValidSpanId,
  isValidTraceId,
  parseTraceparent,
  traceContextFromContext,
  withTraceContext,
} from './trace.ts';

describe('request id acceptance', () => {
  it.each([
    { title: 'a plain id', input: 'abc-123', expected: 'abc-123' },
    { title: 'surrounding whitespace', input: '  abc  ', expected: 'abc' },
    { title: 'an empty id', input: '   ', expected: '' },
    { title: 'a control character', input: 'a\nb', expected: '' },
    { title: 'DEL', input: 'a\u007fb', expected: '' },
    { title: 'exactly 128 bytes', input: 'x'.repeat(128), expected: 'x'.repeat(128) },
    { title: 'over 128 bytes', input: 'x'.repeat(129), expected: '' },
    { title: 'multi-byte over 128 bytes', input: 'é'.repeat(65), expected: '' },
    { title: 'undefined', input: undefined, expected: '' },
  ])('normalises $title', ({ input, expected }) => {
    expect(normalizeRequestId(input)).toBe(expected);
  });

  it('stores a normalised id in a new context and leaves the old one alone', () => {
    const base = Context.empty;
    const ctx = withRequestId(base, ' id-1 ');
    expect(requestIdFromContext(ctx)).toBe('id-1');
    expect(requestIdFromContext(base)).toBe('');
  });
});

describe('context values', () => {
  it('keeps keys with equal names apart and returns the newest value', () => {
    const a = createContextKey<string>('k');
    const b = createContextKey<string>('k');
    let ctx = withValue(Context.empty, a, 'one');
    ctx = withValue(ctx, b, 'two');
    ctx = withValue(ctx, a, 'three');
    expect(valueFromContext(ctx, a)).toBe('three');
    expect(valueFromContext(ctx, b)).toBe('two');
    expect(valueFromContext(Context.empty, a)).toBeUndefined();
  });

  it('shares body and state between withContext copies', () => {
    const r = createRequest({ url: '/x?q=1' });
    const r2 = r.withContext(r.ctx.withRequestId('z'));
    expect(r2.state).toBe(r.state);
    expect(r2.ctx.requestId).toBe('z');
    expect(r.ctx.requestId).toBe('');
    r.state.paramNames = ['id'];
    r.state.paramValues = ['7'];
    r.state.routePattern = '/x/:id';
    expect(r2.param('id')).toBe('7');
    expect(r2.param('missing')).toBe('');
    expect(requestContextFromRequest(r2)).toEqual({ params: { id: '7' }, routePattern: '/x/:id', routeName: '' });
    expect(r2.query.get('q')).toBe('1');
  });
});

describe('W3C trace context', () => {
  const tp = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

  it('parses and re-formats a version-00 traceparent', () => {
    const p = parseTraceparent(tp);
    expect(p).toEqual({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parentId: '00f067aa0ba902b7', flags: 1 });
    const tc = { traceId: p!.traceId, spanId: p!.parentId, parentSpanId: '', flags: p!.flags, traceState: '' };
    expect(formatTraceparent(tc)).toBe(tp);
    expect(isSampled(tc)).toBe(true);
    expect(traceContextFromContext(withTraceContext(Context.empty, tc))).toBe(tc);
  });

  it.each([
    { title: 'all-zero trace id', value: '00-00000000000000000000000000000000-00f067aa0ba902b7-01' },
    { title: 'all-zero span id', value: '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01' },
    { title: 'upper-case hex', value: '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01' },
    { title: 'version ff', value: 'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
    { title: 'trailing data on version 00', value: tp + '-extra' },
    { title: 'short', value: '00-abc-def-01' },
    { title: 'garbage', value: 'hello' },
  ])('rejects $title', ({ value }) => {
    expect(parseTraceparent(value)).toBeUndefined();
  });

  it('accepts a future version with extra fields', () => {
    expect(parseTraceparent('01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00-later')?.flags).toBe(0);
  });

  it('validates id shapes', () => {
    expect(isValidTraceId('4bf92f3577b34da6a3ce929d0e0e4736')).toBe(true);
    expect(isValidTraceId('4bf92f3577b34da6a3ce929d0e0e473')).toBe(false);
    expect(isValidSpanId('00f067aa0ba902b7')).toBe(true);
    expect(isValidSpanId('00f067aa0ba902bz')).toBe(false);
  });
});
