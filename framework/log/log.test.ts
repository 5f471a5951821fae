import { describe, expect, it } from 'vitest';
import { LoggerOptionsError, createLogger, type LoggerOptions } from './create-logger.ts';
import { createDiscardLogger } from './discard.ts';
import { redactFields } from './redact.ts';

const fixed = () => new Date(Date.UTC(2026, 10, 30, 9, 5, 7, 123));

function capture(options: LoggerOptions = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const logger = createLogger({ buffered: false, now: fixed, output: { write: (s: string) => out.push(s) }, errorOutput: { write: (s: string) => err.push(s) }, ...options });
  return { logger, out, err };
}

describe('JSON logger', () => {
  it('writes one object per line with reserved keys first and merged fields', () => {
    const { logger, out } = capture({ fields: { service: 'svc', a: 1 } });
    logger.withFields({ a: 2, b: 'x' }).info('hello', { b: 'y' }, { c: true });
    expect(out).toEqual(['{"time":"2026-11-30T09:05:07.123Z","level":"INFO","msg":"hello","service":"svc","a":2,"b":"y","c":true}\n']);
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
    const logger = createLogger({ buffered: true, output: { write: () => { throw new Error('EPIPE'); } } });
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

  it.each([{ format: 'xml' }, { level: 'loud' }, { flushIntervalMs: 0 }])('rejects bad options %o at construction', (opts) => {
    expect(() => createLogger(opts as LoggerOptions)).toThrow(LoggerOptionsError);
  });
});

describe('redactFields', () => {
  it('masks sensitive keys recursively and leaves the input untouched', () => {
    const input = { user: 'ada', password: 'p', nested: { apiKey: 'k', list: [{ refresh_token: 't', ok: 1 }] }, Authorization: 'Bearer x' };
    expect(redactFields(input)).toEqual({ user: 'ada', password: '***', nested: { apiKey: '***', list: [{ refresh_token: '***', ok: 1 }] }, Authorization: '***' });
    expect(input.password).toBe('p');
  });
});
