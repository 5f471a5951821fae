import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatJsonLine, formatJsonNumber } from './format.ts';

const at = (ms: number) => new Date(Date.UTC(2026, 10, 30, 9, 5, 7, ms));

/** What a line must contain: the reserved keys, then every defined field through JSON.stringify. */
function reference(time: Date, level: string, msg: string, fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { time: time.toISOString(), level, msg };
  for (const [k, v] of Object.entries(fields)) if (v !== undefined && !(k in out)) out[k] = v;
  return out;
}

describe('formatJsonLine string values', () => {
  const cases = [
    { title: 'plain ASCII', value: '/users/42' },
    { title: 'empty string', value: '' },
    { title: 'double quote', value: 'say "hi"' },
    { title: 'backslash', value: 'C:\\path' },
    { title: 'control characters', value: 'a\nb\tc\u0000d\u001f' },
    { title: 'DEL and non-ASCII are not escaped', value: 'caf\u00e9 \u007f \u4e2d' },
    { title: 'a valid surrogate pair', value: 'emoji \ud83d\ude00' },
    { title: 'a lone high surrogate', value: 'bad \ud83d end' },
    { title: 'a lone low surrogate', value: '\ude00' },
  ];
  it.each(cases)('encodes $title exactly like JSON.stringify', ({ value }) => {
    const line = formatJsonLine(at(1), 'info', 'm', { v: value, [value]: 1 });
    expect(line.endsWith('}\n')).toBe(true);
    expect(line).toContain(`,"v":${JSON.stringify(value)}`);
    expect(line).toContain(`,${JSON.stringify(value)}:1`);
    expect(JSON.parse(line)).toEqual(reference(at(1), 'INFO', 'm', { v: value, [value]: 1 }));
  });
});

describe('formatJsonLine cached line heads', () => {
  it('keeps time and level right across levels within one millisecond and across milliseconds', () => {
    const lines = [
      formatJsonLine(at(1), 'info', 'a', {}),
      formatJsonLine(at(1), 'error', 'a', {}),
      formatJsonLine(at(1), 'info', 'b', { x: 1 }),
      formatJsonLine(at(2), 'info', 'b', {}),
      formatJsonLine(at(2), 'warn', 'quote "q"', {}),
      formatJsonLine(at(1), 'debug', 'back', {}),
    ];
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      { time: '2026-11-30T09:05:07.001Z', level: 'INFO', msg: 'a' },
      { time: '2026-11-30T09:05:07.001Z', level: 'ERROR', msg: 'a' },
      { time: '2026-11-30T09:05:07.001Z', level: 'INFO', msg: 'b', x: 1 },
      { time: '2026-11-30T09:05:07.002Z', level: 'INFO', msg: 'b' },
      { time: '2026-11-30T09:05:07.002Z', level: 'WARN', msg: 'quote "q"' },
      { time: '2026-11-30T09:05:07.001Z', level: 'DEBUG', msg: 'back' },
    ]);
  });

  it('does not cache a head for a level name it does not know', () => {
    expect(formatJsonLine(at(3), 'nope' as never, 'm', {})).toBe(
      '{"time":"2026-11-30T09:05:07.003Z","level":"undefined","msg":"m"}\n',
    );
    expect(formatJsonLine(at(3), 'info', 'm', {})).toBe(
      '{"time":"2026-11-30T09:05:07.003Z","level":"INFO","msg":"m"}\n',
    );
  });

  it('matches the reference encoding for a typical access-log entry', () => {
    const fields = {
      method: 'GET',
      path: '/a',
      route: '/a',
      route_name: undefined,
      status: 200,
      duration_ms: 0.125,
      bytes: 0,
      ok: true,
      none: null,
      nan: Number.NaN,
    };
    const line = formatJsonLine(at(4), 'info', 'request completed', fields);
    expect(line).toBe(
      '{"time":"2026-11-30T09:05:07.004Z","level":"INFO","msg":"request completed","method":"GET","path":"/a","route":"/a","status":200,"duration_ms":0.125,"bytes":0,"ok":true,"none":null,"nan":null}\n',
    );
  });
});

describe('formatJsonLine repeated values', () => {
  it('reuses a cached pair only for the identical primitive value', () => {
    const obj = { n: 1 };
    const seq: Record<string, unknown>[] = [
      { s: 200 },
      { s: '200' },
      { s: 200 },
      { s: true },
      { s: 'true' },
      { s: obj },
      { s: -0 },
      { s: 0 },
      { s: Number.NaN },
      { s: Number.NaN },
      { s: null },
      { s: 'a"b' },
      { s: 'a"b' },
    ];
    const lines = seq.map((f) => formatJsonLine(at(5), 'info', 'm', f));
    expect(lines.map((l) => l.slice(l.indexOf('"msg":"m"') + 9))).toEqual([
      ',"s":200}\n',
      ',"s":"200"}\n',
      ',"s":200}\n',
      ',"s":true}\n',
      ',"s":"true"}\n',
      ',"s":{"n":1}}\n',
      ',"s":0}\n',
      ',"s":0}\n',
      ',"s":null}\n',
      ',"s":null}\n',
      ',"s":null}\n',
      ',"s":"a\\"b"}\n',
      ',"s":"a\\"b"}\n',
    ]);
  });

  it('writes a value repeated over many lines the same every time', () => {
    const values = ['/caf\u00e9/\ud83d\ude00', 'a"b\\c\n', 'GET', 42, 0.5, false, '/caf\u00e9/\ud83d\ude00'];
    const lines: string[] = [];
    const want: string[] = [];
    for (const v of values) {
      for (let i = 0; i < 5; i++) {
        lines.push(formatJsonLine(at(7), 'info', 'repeat', { k: v, n: i }));
        want.push(
          `{"time":"2026-11-30T09:05:07.007Z","level":"INFO","msg":"repeat","k":${JSON.stringify(v)},"n":${i}}\n`,
        );
      }
    }
    expect(lines).toEqual(want);
  });

  it('changes the message within one millisecond and level', () => {
    expect([
      formatJsonLine(at(8), 'info', 'x', {}),
      formatJsonLine(at(8), 'info', 'y', {}),
      formatJsonLine(at(8), 'info', 'x', {}),
    ]).toEqual([
      '{"time":"2026-11-30T09:05:07.008Z","level":"INFO","msg":"x"}\n',
      '{"time":"2026-11-30T09:05:07.008Z","level":"INFO","msg":"y"}\n',
      '{"time":"2026-11-30T09:05:07.008Z","level":"INFO","msg":"x"}\n',
    ]);
  });

  it('re-encodes an object each time, so a mutated object is logged as it is now', () => {
    const obj: Record<string, number> = { n: 1 };
    const first = formatJsonLine(at(6), 'info', 'm', { o: obj });
    obj['n'] = 2;
    const second = formatJsonLine(at(6), 'info', 'm', { o: obj });
    expect([JSON.parse(first).o, JSON.parse(second).o]).toEqual([{ n: 1 }, { n: 2 }]);
  });
});

describe('formatJsonLine key order', () => {
  it('encodes every field under its own name when call sites alternate key sets and orders', () => {
    const shapes: Record<string, unknown>[] = [
      { a: 1, b: 'x', c: true },
      { b: 'x', a: 1 },
      { c: true, a: 2, d: undefined, e: 'y' },
      { a: 1, b: 'x', c: true },
      {},
      { z: 'last' },
    ];
    for (let round = 0; round < 3; round++) {
      for (const f of shapes) {
        const line = formatJsonLine(at(7), 'info', 'm', f);
        expect(JSON.parse(line)).toEqual(reference(at(7), 'INFO', 'm', f));
        expect(Object.keys(JSON.parse(line))).toEqual([
          'time',
          'level',
          'msg',
          ...Object.keys(f).filter((k) => f[k] !== undefined),
        ]);
      }
    }
  });

  it('handles more fields than the positional cache holds', () => {
    const wide = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, i]));
    for (let round = 0; round < 2; round++)
      expect(JSON.parse(formatJsonLine(at(8), 'info', 'm', wide))).toEqual(reference(at(8), 'INFO', 'm', wide));
  });
});

describe('formatJsonNumber', () => {
  it('equals String() for every value with up to three decimals below 1000', () => {
    for (let k = -1_000_000; k <= 1_000_000; k++) {
      const v = k / 1000;
      if (formatJsonNumber(v) !== String(v)) expect(formatJsonNumber(v)).toBe(String(v));
    }
  });

  it('equals String() for random doubles, millisecond values and the range edges', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.double({ noNaN: true, noDefaultInfinity: true }),
          fc.integer({ min: -999_999_999_999, max: 999_999_999_999 }).map((k) => k / 1000),
          fc.integer({ min: -1e6, max: 1e6 }).map((k) => k / 1000 + 1e-7),
        ),
        (v) => {
          expect(formatJsonNumber(v)).toBe(String(v));
        },
      ),
      { numRuns: 20_000 },
    );
    for (const v of [
      0,
      -0,
      1e9 - 0.001,
      -(1e9 - 0.001),
      1e9 + 0.5,
      999_999_999.999,
      0.001,
      -0.001,
      1e-7,
      5e-324,
      Number.MAX_VALUE,
      1e21,
      123.45,
    ])
      expect(formatJsonNumber(v)).toBe(String(v));
  });

  it('writes numbers in log lines as JSON.stringify does', () => {
    const line = formatJsonLine(at(4), 'info', 'm', {
      a: 12.5,
      b: -0.125,
      c: 1e21,
      d: 0.1 + 0.2,
      e: Number.POSITIVE_INFINITY,
    });
    expect(line).toBe(
      '{"time":"2026-11-30T09:05:07.004Z","level":"INFO","msg":"m","a":12.5,"b":-0.125,"c":1e+21,"d":0.30000000000000004,"e":null}\n',
    );
  });
});
