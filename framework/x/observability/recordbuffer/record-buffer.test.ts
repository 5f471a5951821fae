import { describe, expect, it, vi } from 'vitest';
import type { MetricRecord } from 'plumego/metrics';
import { isRecordBufferError } from './errors.ts';
import { RecordBuffer, createRecordBuffer, type RecordBufferOptions } from './record-buffer.ts';

const rec = (value: number, name = 'jobs_done'): MetricRecord => ({ name, value, labels: { queue: 'mail' } });

function collecting(options: Partial<RecordBufferOptions> = {}) {
  const batches: MetricRecord[][] = [];
  const buffer = createRecordBuffer({ sink: (b) => void batches.push([...b]), flushIntervalMs: 0, ...options });
  return { buffer, batches };
}

describe('RecordBuffer', () => {
  it('sends a full batch on its own, in order, and the rest on flush', async () => {
    const { buffer, batches } = collecting({ batchSize: 3, now: () => 1_000 });
    for (let i = 1; i <= 4; i++) buffer.record(rec(i));
    await Promise.resolve();
    await buffer.flush();
    expect(batches.map((b) => b.map((r) => r.value))).toEqual([[1, 2, 3], [4]]);
    // Stamped when recorded, so a late batch still says when.
    expect(batches[0]![0]!.timestamp).toEqual(new Date(1_000));
    expect(buffer.stats).toEqual({ buffered: 0, accepted: 4, delivered: 4, dropped: 0, invalid: 0, failed: 0 });
  });

  it('keeps a record timestamp it was given and never mutates the record', async () => {
    const { buffer, batches } = collecting({ now: () => 5 });
    const given = { name: 'x', value: 1, timestamp: new Date(42) };
    const bare = { name: 'y', value: 2 };
    buffer.record(given);
    buffer.record(bare);
    await buffer.flush();
    expect(batches[0]![0]).toBe(given);
    expect(batches[0]![1]!.timestamp).toEqual(new Date(5));
    expect(bare).toEqual({ name: 'y', value: 2 });
  });

  it('holds at most capacity records, dropping the oldest by default', async () => {
    const { buffer, batches } = collecting({ capacity: 3, batchSize: 3 });
    // Full batches are sent asynchronously, so five synchronous records overflow a ring of three.
    for (let i = 1; i <= 5; i++) buffer.record(rec(i));
    expect(buffer.stats.buffered).toBe(3);
    await buffer.flush();
    expect(batches.flat().map((r) => r.value)).toEqual([3, 4, 5]);
    expect(buffer.stats.dropped).toBe(2);
  });

  it('drops the newest records instead when told to', async () => {
    const { buffer, batches } = collecting({ capacity: 2, batchSize: 2, overflow: 'drop-newest' });
    for (let i = 1; i <= 4; i++) buffer.record(rec(i));
    await buffer.flush();
    expect(batches.flat().map((r) => r.value)).toEqual([1, 2]);
    expect(buffer.stats.dropped).toBe(2);
  });

  it.each([
    ['null', null],
    ['a number', 7],
    ['no name', { value: 1 }],
    ['an invalid metric name', { name: 'bad name{}', value: 1 }],
    ['NaN', { name: 'x', value: Number.NaN }],
    ['Infinity', { name: 'x', value: Number.POSITIVE_INFINITY }],
    ['a string value', { name: 'x', value: '3' }],
  ])('counts %s as invalid without throwing', async (_t, bad) => {
    const { buffer, batches } = collecting();
    expect(() => buffer.record(bad as never)).not.toThrow();
    await buffer.flush();
    expect(batches).toHaveLength(0);
    expect(buffer.stats.invalid).toBe(1);
  });

  it('counts and reports a throwing or rejecting sink, and keeps going with the next batch', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const buffer = new RecordBuffer({
      batchSize: 2,
      flushIntervalMs: 0,
      sink: () => {
        calls++;
        if (calls === 1) throw new Error('sync boom');
        if (calls === 2) return Promise.reject(new Error('async boom'));
      },
      onError: (err, batch) => {
        errors.push([(err as Error).message, batch.length]);
        throw new Error('the hook itself fails');
      },
    });
    for (let i = 0; i < 5; i++) buffer.record(rec(i));
    await buffer.flush();
    expect(errors).toEqual([
      ['sync boom', 2],
      ['async boom', 2],
    ]);
    expect(buffer.stats).toMatchObject({ failed: 4, delivered: 1, buffered: 0 });
  });

  it('gives up on a hung sink after sinkTimeoutMs and sends the next batch', async () => {
    vi.useFakeTimers();
    try {
      const seen: number[][] = [];
      const errors: unknown[] = [];
      const buffer = new RecordBuffer({
        batchSize: 1,
        flushIntervalMs: 0,
        sinkTimeoutMs: 1_000,
        sink: (b) => {
          seen.push(b.map((r) => r.value));
          return b[0]!.value === 1 ? new Promise(() => undefined) : undefined;
        },
        onError: (err) => errors.push(err),
      });
      buffer.record(rec(1));
      buffer.record(rec(2));
      const flushed = buffer.flush();
      await vi.advanceTimersByTimeAsync(999);
      expect(seen).toEqual([[1]]);
      await vi.advanceTimersByTimeAsync(1);
      await flushed;
      expect(seen).toEqual([[1], [2]]);
      expect(isRecordBufferError(errors[0])).toBe(true);
      expect((errors[0] as { code: string }).code).toBe('RECORD_BUFFER_SINK_TIMEOUT');
      expect(buffer.stats).toMatchObject({ failed: 1, delivered: 1 });
    } finally {
      vi.useRealTimers();
    }
  });

  it('never calls the sink twice at once', async () => {
    let active = 0;
    let most = 0;
    const buffer = new RecordBuffer({
      batchSize: 1,
      flushIntervalMs: 0,
      sink: async () => {
        active++;
        most = Math.max(most, active);
        await new Promise((r) => setImmediate(r));
        active--;
      },
    });
    for (let i = 0; i < 10; i++) buffer.record(rec(i));
    await Promise.all([buffer.flush(), buffer.flush()]);
    expect(most).toBe(1);
    expect(buffer.stats.delivered).toBe(10);
  });

  it('flushes on its interval', async () => {
    vi.useFakeTimers();
    try {
      const { buffer, batches } = collecting({ flushIntervalMs: 1_000 });
      buffer.record(rec(1));
      await vi.advanceTimersByTimeAsync(999);
      expect(batches).toHaveLength(0);
      await vi.advanceTimersByTimeAsync(1);
      expect(batches).toEqual([[expect.objectContaining({ value: 1 })]]);
      await buffer.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('close flushes what is left, stops the timer and drops later records', async () => {
    const { buffer, batches } = collecting({ flushIntervalMs: 60_000 });
    buffer.record(rec(1));
    await buffer.close();
    buffer.record(rec(2));
    await buffer.flush();
    expect(batches.flat().map((r) => r.value)).toEqual([1]);
    expect(buffer.stats).toMatchObject({ dropped: 1, delivered: 1, buffered: 0 });
  });

  it.each([
    ['no sink', {}, 'sink'],
    ['a zero capacity', { capacity: 0 }, 'capacity'],
    ['a fractional capacity', { capacity: 1.5 }, 'capacity'],
    ['a batch larger than the capacity', { capacity: 10, batchSize: 11 }, 'batchSize'],
    ['a negative interval', { flushIntervalMs: -1 }, 'flushIntervalMs'],
    ['a zero sink timeout', { sinkTimeoutMs: 0 }, 'sinkTimeoutMs'],
    ['an unknown overflow policy', { overflow: 'block' }, 'overflow'],
    ['a non-function onError', { onError: 'log' }, 'onError'],
  ])('refuses %s at construction', (_t, options, field) => {
    const sink = 'sink' in options || field === 'sink' ? undefined : () => undefined;
    try {
      new RecordBuffer({ ...(sink ? { sink } : {}), ...options } as never);
      expect.unreachable();
    } catch (err) {
      expect(isRecordBufferError(err)).toBe(true);
      expect((err as { code: string; field: string }).code).toBe('RECORD_BUFFER_INVALID_OPTIONS');
      expect((err as { field: string }).field).toBe(field);
    }
  });
});
