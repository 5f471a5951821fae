// MemoryIdempotencyStore's record limit: expired records are dropped first, then the oldest.
import { describe, expect, it } from 'vitest';
import { MemoryIdempotencyStore } from './memory-store.ts';
import type { IdempotencyRecord } from './record.ts';

const record = (key: string, createdAt: number, ttlMs: number): IdempotencyRecord => ({
  key,
  requestHash: 'h',
  status: 'in_progress',
  createdAt,
  updatedAt: createdAt,
  expiresAt: createdAt + ttlMs,
});

describe('MemoryIdempotencyStore limits', () => {
  it('at the limit drops expired records first, and only then the oldest live one', async () => {
    const clock = { t: 1_000 };
    const store = new MemoryIdempotencyStore({ maxRecords: 2, now: () => clock.t });
    expect(await store.putIfAbsent(record('a', 1_000, 1_000))).toBe(true);
    expect(await store.putIfAbsent(record('b', 1_000, 10))).toBe(true);
    clock.t = 1_010; // b expires exactly now
    expect(await store.putIfAbsent(record('c', 1_010, 1_000))).toBe(true);
    expect([await store.get('a'), await store.get('b'), await store.get('c')].map((r) => r?.key)).toEqual([
      'a',
      undefined,
      'c',
    ]);
    expect(await store.putIfAbsent(record('d', 1_010, 1_000))).toBe(true);
    expect([await store.get('a'), await store.get('c'), await store.get('d')].map((r) => r?.key)).toEqual([
      undefined,
      'c',
      'd',
    ]);
  });

  it('keeps every record below the limit', async () => {
    const store = new MemoryIdempotencyStore({ maxRecords: 3, now: () => 1_000 });
    for (const k of ['a', 'b', 'c']) expect(await store.putIfAbsent(record(k, 1_000, 1_000))).toBe(true);
    expect((await Promise.all(['a', 'b', 'c'].map((k) => store.get(k)))).map((r) => r?.key)).toEqual(['a', 'b', 'c']);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses maxRecords %s', (maxRecords) => {
    expect(() => new MemoryIdempotencyStore({ maxRecords })).toThrow(TypeError);
  });

  it('accepts a limit of one record', async () => {
    const store = new MemoryIdempotencyStore({ maxRecords: 1, now: () => 1_000 });
    await store.putIfAbsent(record('a', 1_000, 1_000));
    await store.putIfAbsent(record('b', 1_000, 1_000));
    expect([(await store.get('a'))?.key, (await store.get('b'))?.key]).toEqual([undefined, 'b']);
  });
});
