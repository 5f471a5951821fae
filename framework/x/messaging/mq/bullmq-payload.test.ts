import { describe, expect, it } from 'vitest';
import { assertPayload } from './bullmq-payload.ts';
import { encodePayload } from './options.ts';

/** What encodePayload says about a value: its byte length, or the error code. */
function verdict(check: () => unknown): string {
  try {
    check();
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? 'thrown';
  }
}

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

const cyclic: Record<string, unknown> = { a: 1 };
cyclic.self = cyclic;
let deep: unknown = 1;
for (let i = 0; i < 100; i++) deep = { d: deep };
const withToJson = { toJSON: () => ({ n: Number.NaN }) };

const CASES: [string, unknown][] = [
  ['plain object', { i: 1, s: 'x', b: true, n: null, a: [1, 'two', null] }],
  ['nested arrays and objects', { a: [{ b: [{ c: 'é€😀' }] }], e: {}, f: [] }],
  ['undefined inside an object or array', { u: undefined, a: [undefined, 1] }],
  ['top-level undefined', undefined],
  ['top-level string and number', 'just text'],
  ['null', null],
  ['a function inside', { f: () => 1 }],
  ['a symbol inside', { s: Symbol('s') }],
  ['a BigInt inside', { n: 10n }],
  ['NaN', { n: Number.NaN }],
  ['Infinity in an array', [1, Number.POSITIVE_INFINITY]],
  ['a cycle', cyclic],
  ['deeper than the walk goes', deep],
  ['a Date', { at: new Date(0) }],
  ['an object whose toJSON gives NaN', withToJson],
  ['a class instance', new Point(1, 2)],
  ['a boxed number', { n: new Number(Number.NaN) }],
  ['a Map', { m: new Map([[1, 2]]) }],
  ['an object without a prototype', Object.assign(Object.create(null) as object, { k: 'v' })],
  ['control characters and lone surrogates', { s: '\u0000\u001f\ud800"\\' }],
];

describe('assertPayload', () => {
  it.each(CASES)('accepts and refuses exactly what encodePayload does: %s', (_label, value) => {
    expect(verdict(() => assertPayload(value, 1024 * 1024))).toBe(verdict(() => encodePayload(value, 1024 * 1024)));
  });

  it('keeps the byte limit exact at and around the JSON length', () => {
    const values: unknown[] = [
      { s: 'a'.repeat(50) },
      { s: '€'.repeat(20), n: -2.2250738585072014e-308 },
      { s: '\u0001'.repeat(10), a: [true, false, null] },
      ['😀', { k: 'ü' }],
      // Serialised by rules of their own (unwrapping, own keys only): the walk must not bound them as {}.
      { n: new Number(-2.2250738585072014e-308) },
      { b: new Boolean(false), s: 'text' },
      [new Point(1e300, -1e300)],
    ];
    for (const v of values) {
      const size = Buffer.byteLength(JSON.stringify(v));
      for (const limit of [size - 1, size, size + 1, 6 * size]) {
        const expected = verdict(() => encodePayload(v, limit));
        expect(verdict(() => assertPayload(v, limit))).toBe(expected);
        expect(expected).toBe(limit >= size ? 'ok' : 'MQ_INVALID_PAYLOAD');
      }
    }
  });

  it('refuses an oversized payload with the limit in the error', () => {
    expect(() => assertPayload({ s: 'x'.repeat(2000) }, 1000)).toThrow(
      expect.objectContaining({ code: 'MQ_INVALID_PAYLOAD', details: { limit: 1000 } }),
    );
  });
});
