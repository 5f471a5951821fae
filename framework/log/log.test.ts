import { describe, expect, it } from 'vitest';
import { LoggerOptionsError, createLogger, resolveLoggerOptions, type LoggerOptions } from './create-logger.ts';
import { createDiscardLogger } from './discard.ts';
import { isSensitiveKey, redactFields } from './redact.ts';
import { flushLogSinks, LineSink } from './sink.ts';

const fixed = () => new Date(Date.UTC(2026, 10, 30, 9, 5, 7, 123));

function capture(options: LoggerOptions = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const logger = createLogger({
    buffered: false,
    now: fixed,
    output: { write: (s: string) => out.push(s) },
    errorOutput: { write: (s: string) => err.push(s) },
    ...options,
  });
  return { logger, out, err };
}

describe('JSON logger', () => {
  it('writes one object per line with reserved keys first and merged fields', () => {
    const { logger, out } = capture({ fields: { service: 'svc', a: 1 } });
    logger.withFields({ a: 2, b: 'x' }).info('hello', { b: 'y' }, { c: true });
    expect(out).toEqual([
      '{"time":"2026-11-30T09:05:07.123Z","level":"INFO","msg":"hello","service":"svc","a":2,"b":"y","c":true}\n',
    ]);
  });

  it('never lets fields override the reserved keys and stringifies odd values', () => {
    const { logger, out } = capture();
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    logger.warn('m', { msg: 'spoof', level: 'spoof', big: 10n, err: new Error('boom'), cyclic });
    const entry = JSON.parse(out[0]!);
    expect(entry).toMatchObject({ msg: 'm', level: 'WARN', big: '10', err: { name: 'Error', message: 'boom' } });
    expect(typeof entry.cyclic).toBe('string');
  });

  it('filters by level and routes errors to the error output', () => {
    const { logger, out, err } = capture({ level: 'warn' });
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(out.map((l) => JSON.parse(l).msg)).toEqual(['w']);
    expect(err.map((l) => JSON.parse(l).msg)).toEqual(['e']);
    expect([logger.isEnabled('info'), logger.isEnabled('error')]).toEqual([false, true]);
  });

  it('batches lines into one write per flush interval when buffered', async () => {
    const writes: string[] = [];
    const logger = createLogger({ flushIntervalMs: 5, output: { write: (s: string) => writes.push(s) } });
    logger.info('a');
    logger.info('b');
    expect(writes).toEqual([]);
    await new Promise((r) => setTimeout(r, 30));
    expect(writes).toHaveLength(1);
    expect(writes[0]!.split('\n').filter(Boolean)).toHaveLength(2);
    logger.info('c');
    logger.flush();
    expect(writes).toHaveLength(2);
  });

  it('survives an output that throws', () => {
    const logger = createLogger({
      buffered: true,
      output: {
        write: () => {
          throw new Error('EPIPE');
        },
      },
    });
    logger.info('x');
    expect(() => logger.flush()).not.toThrow();
  });
});

describe('text logger', () => {
  it('writes a glog-style header and sorted, quoted fields', () => {
    const { logger, out } = capture({ format: 'text', source: 'svc.ts' });
    logger.info('started', { z: 1, a: 'two words', m: 'plain' });
    expect(out[0]).toBe(`I1130 09:05:07.123000 ${process.pid} [svc.ts] started a="two words" m=plain z=1\n`);
  });
});

describe('discard logger and options', () => {
  it('drops everything', () => {
    const d = createDiscardLogger();
    expect(d.withFields({ a: 1 })).toBe(d);
    expect(d.isEnabled('error')).toBe(false);
    expect(createLogger({ format: 'discard' }).isEnabled('error')).toBe(false);
  });

  it('writes at once when a batch reaches 16 KiB', () => {
    const writes: string[] = [];
    const logger = createLogger({ output: { write: (s: string) => writes.push(s) } });
    for (let i = 0; i < 200; i++) logger.info('x'.repeat(100));
    expect(writes.length).toBeGreaterThan(0);
    logger.flush();
    expect(writes.join('').split('\n').filter(Boolean)).toHaveLength(200);
  });

  it.each([{ format: 'xml' }, { level: 'loud' }, { flushIntervalMs: 0 }])(
    'rejects bad options %o at construction',
    (opts) => {
      expect(() => createLogger(opts as LoggerOptions)).toThrow(LoggerOptionsError);
    },
  );
});

describe('redactFields', () => {
  it('masks sensitive keys recursively and leaves the input untouched', () => {
    const input = {
      user: 'ada',
      password: 'p',
      nested: { apiKey: 'k', list: [{ refresh_token: 't', ok: 1 }] },
      Authorization: 'Bearer x',
    };
    expect(redactFields(input)).toEqual({
      user: 'ada',
      password: '***',
      nested: { apiKey: '***', list: [{ refresh_token: '***', ok: 1 }] },
      Authorization: '***',
    });
    expect(input.password).toBe('p');
  });
});

describe('logger levels and fields, method by method', () => {
  it('writes each level with one map, several maps or none, and filters each below the minimum', () => {
    const { logger, out, err } = capture({ level: 'debug', fields: { base: 1 } });
    logger.debug('d1');
    logger.debug('d2', { a: 1 }, { a: 2, b: 3 });
    logger.info('i1', { a: 1 });
    logger.info('i2', { a: 1 }, { b: 2 });
    logger.warn('w1', { a: 1 });
    logger.warn('w2', { a: 1 }, { b: 2 });
    logger.error('e1', { a: 1 });
    logger.error('e2', { a: 1 }, { b: 2 });
    const parse = (lines: string[]) =>
      lines.map((l) => JSON.parse(l) as Record<string, unknown>).map(({ time: _t, ...rest }) => rest);
    expect(parse(out)).toEqual([
      { level: 'DEBUG', msg: 'd1', base: 1 },
      { level: 'DEBUG', msg: 'd2', base: 1, a: 2, b: 3 },
      { level: 'INFO', msg: 'i1', base: 1, a: 1 },
      { level: 'INFO', msg: 'i2', base: 1, a: 1, b: 2 },
      { level: 'WARN', msg: 'w1', base: 1, a: 1 },
      { level: 'WARN', msg: 'w2', base: 1, a: 1, b: 2 },
    ]);
    expect(parse(err)).toEqual([
      { level: 'ERROR', msg: 'e1', base: 1, a: 1 },
      { level: 'ERROR', msg: 'e2', base: 1, a: 1, b: 2 },
    ]);

    const quiet = capture({ level: 'error' });
    quiet.logger.debug('x', { a: 1 }, { b: 2 });
    quiet.logger.info('x', { a: 1 }, { b: 2 });
    quiet.logger.warn('x', { a: 1 }, { b: 2 });
    quiet.logger.warn('x', { a: 1 });
    quiet.logger.error('kept', { a: 1 }, { b: 2 });
    expect(quiet.out).toEqual([]);
    expect(quiet.err.map((l) => JSON.parse(l).msg)).toEqual(['kept']);
  });

  it('answers isEnabled at each threshold', () => {
    const at = (level: 'debug' | 'info' | 'warn' | 'error') => capture({ level }).logger;
    expect((['debug', 'info', 'warn', 'error'] as const).map((l) => at('info').isEnabled(l))).toEqual([
      false,
      true,
      true,
      true,
    ]);
    expect((['debug', 'info', 'warn', 'error'] as const).map((l) => at('debug').isEnabled(l))).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect((['debug', 'info', 'warn', 'error'] as const).map((l) => at('warn').isEnabled(l))).toEqual([
      false,
      false,
      true,
      true,
    ]);
    expect(capture().logger.isEnabled('debug')).toBe(false);
  });

  it('keeps base fields under per-call ones, skips a null map, and never lets a child change its parent', () => {
    const { logger, out } = capture({ fields: { a: 1 } });
    const child = logger.withFields({ b: 2 });
    child.info('x', null as unknown as Record<string, unknown>);
    child.info('y', { a: 9 });
    logger.info('z');
    logger.info('w', { c: 3 });
    expect(out.map((l) => JSON.parse(l)).map(({ msg, a, b, c }) => ({ msg, a, b, c }))).toEqual([
      { msg: 'x', a: 1, b: 2, c: undefined },
      { msg: 'y', a: 9, b: 2, c: undefined },
      { msg: 'z', a: 1, b: undefined, c: undefined },
      { msg: 'w', a: 1, b: undefined, c: 3 },
    ]);
  });

  it('writes to one output for errors too when no error output is given, and each line at once when unbuffered', () => {
    const lines: string[] = [];
    const logger = createLogger({ buffered: false, now: fixed, output: { write: (s: string) => lines.push(s) } });
    logger.info('a');
    logger.error('b');
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(['a', 'b']);
  });

  it('a buffered logger flushes errors and normal lines to their own outputs', () => {
    const out: string[] = [];
    const err: string[] = [];
    const logger = createLogger({
      now: fixed,
      flushIntervalMs: 10_000,
      output: { write: (s: string) => out.push(s) },
      errorOutput: { write: (s: string) => err.push(s) },
    });
    logger.info('a');
    logger.error('b');
    expect([out, err]).toEqual([[], []]);
    logger.flush();
    expect([out.length, err.length]).toEqual([1, 1]);
    logger.flush();
    expect([out.length, err.length]).toEqual([1, 1]);
  });
});

describe('options and formats', () => {
  it('fills every default', () => {
    const o = resolveLoggerOptions();
    expect(o).toMatchObject({
      format: 'json',
      level: 'info',
      output: process.stdout,
      errorOutput: process.stdout,
      fields: {},
      buffered: true,
      flushIntervalMs: 50,
      source: 'plumego',
    });
    expect(o.now()).toBeInstanceOf(Date);
    expect(Math.abs(o.now().getTime() - Date.now())).toBeLessThan(1000);
    const fields = { a: 1 };
    const copy = resolveLoggerOptions({ fields }).fields;
    expect(copy).toEqual(fields);
    expect(copy).not.toBe(fields);
  });

  it.each([
    { flushIntervalMs: -1 },
    { flushIntervalMs: Number.POSITIVE_INFINITY },
    { flushIntervalMs: Number.NaN },
    { level: 'toString' },
    { format: 'discard ' },
  ])('rejects %o', (opts) => {
    expect(() => resolveLoggerOptions(opts as LoggerOptions)).toThrow(LoggerOptionsError);
  });

  it('formats text values: null, booleans, objects, quoting, absent fields and the default source', () => {
    const { logger, out } = capture({ format: 'text' });
    logger.warn('m', { n: null, t: true, o: { k: [1] }, q: 'a=b', s: 'ok/path:1@x-y.z', u: undefined, e: '' });
    expect(out[0]).toBe(
      `W1130 09:05:07.123000 ${process.pid} [plumego] m e="" n=null o={"k":[1]} q="a=b" s=ok/path:1@x-y.z t=true\n`,
    );
  });

  it('pads every part of the text header and writes only the file name of the source', () => {
    const { logger, err, out } = capture({
      format: 'text',
      level: 'debug',
      now: () => new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)),
      source: '/a/b/c.ts',
    });
    logger.error('e');
    logger.debug('d');
    expect(err).toEqual([`E0102 03:04:05.006000 ${process.pid} [c.ts] e\n`]);
    expect(out).toEqual([`D0102 03:04:05.006000 ${process.pid} [c.ts] d\n`]);
  });
});

describe('redactFields limits', () => {
  it('truncates past depth 8 and on cycles, keeps class instances and primitives as they are', () => {
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 9; i++) deep = { d: deep };
    const out = redactFields(deep) as Record<string, unknown>;
    let walk: unknown = out;
    for (let i = 0; i < 9; i++) walk = (walk as Record<string, unknown>)['d'];
    expect(walk).toBe('[truncated]');
    let eight: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 8; i++) eight = { d: eight };
    expect(JSON.stringify(redactFields(eight))).toBe(JSON.stringify(eight));

    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic['self'] = cyclic;
    expect(redactFields(cyclic)).toEqual({ a: 1, self: '[truncated]' });
    const date = new Date(0);
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { secret: 's', x: 1 });
    expect(redactFields({ when: date, bare, n: null, list: ['cookie', { Cookie: 'c' }] })).toEqual({
      when: date,
      bare: { secret: '***', x: 1 },
      n: null,
      list: ['cookie', { Cookie: '***' }],
    });
    expect((redactFields({ when: date }) as { when: Date }).when).toBe(date);
    expect([redactFields('token'), redactFields(5), redactFields(null)]).toEqual(['token', 5, null]);
    expect(['api_key', 'API-KEY', 'apikey', 'x-signature', 'user'].map(isSensitiveKey)).toEqual([
      true,
      true,
      true,
      true,
      false,
    ]);
  });
});

describe('log edges the mutation run found', () => {
  it('keeps a single output in call order when errors share it, buffered', () => {
    const writes: string[] = [];
    const logger = createLogger({
      now: fixed,
      flushIntervalMs: 10_000,
      output: { write: (s: string) => writes.push(s) },
    });
    logger.info('a');
    logger.error('b');
    logger.info('c');
    logger.flush();
    expect(
      writes
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l).msg),
    ).toEqual(['a', 'b', 'c']);
  });

  it('never lets a time field replace the entry time, drops function values and encodes nested bigints', () => {
    const { logger, out } = capture();
    logger.info('m', { time: 'spoof', fn: () => 1, sym: Symbol('s'), nested: { n: 10n } });
    expect(out[0]).toBe('{"time":"2026-11-30T09:05:07.123Z","level":"INFO","msg":"m","nested":{"n":"10"}}\n');
  });

  it('escapes quotes, backslashes, controls and lone surrogates exactly like JSON.stringify', () => {
    const { logger, out } = capture();
    for (const s of ['"', '\\', '\u001f', '\ud800', '\udfff', '\ue000', ' ']) logger.info('m', { s });
    expect(out.map((l) => l.slice(l.indexOf('"s":') + 4, -2))).toEqual(
      ['"', '\\', '\u001f', '\ud800', '\udfff', '\ue000', ' '].map((s) => JSON.stringify(s)),
    );
  });

  it('writes text values: numbers as written (NaN too), errors and bigints through the safe encoder', () => {
    const { logger, out } = capture({ format: 'text' });
    logger.info('m', { a: Number.NaN, b: new Error('boom'), c: 10n });
    expect(out[0]).toBe(
      `I1130 09:05:07.123000 ${process.pid} [plumego] m a=NaN b={"name":"Error","message":"boom"} c="10"\n`,
    );
  });

  it('truncates deeply nested arrays too', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 10; i++) deep = [deep];
    let walk = redactFields(deep);
    for (let i = 0; i < 9; i++) walk = (walk as unknown[])[0];
    expect(walk).toBe('[truncated]');
  });
});

describe('LineSink', () => {
  it('says whether it buffers', () => {
    expect(new LineSink({ write: () => undefined }, 0).buffered).toBe(false);
    const buffered = new LineSink({ write: () => undefined }, 5);
    expect(buffered.buffered).toBe(true);
  });

  it('writes a batch of exactly 16 KiB at once', () => {
    const writes: string[] = [];
    const sink = new LineSink({ write: (s: string) => writes.push(s) }, 10_000);
    sink.push('x'.repeat(16_383));
    expect(writes).toEqual([]);
    sink.push('y');
    expect(writes.map((w) => w.length)).toEqual([16_384]);
  });

  it('re-arms its timer after a manual flush, so later lines are still written on time', async () => {
    const writes: string[] = [];
    const sink = new LineSink({ write: (s: string) => writes.push(s) }, 5);
    sink.push('a');
    sink.flush();
    sink.push('b');
    await new Promise((r) => setTimeout(r, 40));
    sink.push('c');
    await new Promise((r) => setTimeout(r, 40));
    expect(writes).toEqual(['a', 'b', 'c']);
  });

  it('installs one exit hook that flushes every buffered sink', () => {
    new LineSink({ write: () => undefined }, 5);
    new LineSink({ write: () => undefined }, 5);
    expect(process.listeners('exit').filter((l) => l === flushLogSinks)).toHaveLength(1);
    const writes: string[] = [];
    const sink = new LineSink({ write: (s: string) => writes.push(s) }, 10_000);
    sink.push('pending');
    flushLogSinks();
    expect(writes).toEqual(['pending']);
  });
});
