import { describe, it, expect, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryIdempotencyStore } from './memory-store.ts';
import { assertCompletable, assertIdempotencyKey, assertIdempotencyRecord, type IdempotencyRecord, type IdempotencyStore } from './record.ts';
import { SqliteIdempotencyStore } from './sqlite-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'plumego-idem-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

// The conformance suite every IdempotencyStore runs.
const implementations: Array<[string, (now: () => number) => IdempotencyStore]> = [
  ['MemoryIdempotencyStore', (now) => new MemoryIdempotencyStore({ now })],
  ['SqliteIdempotencyStore', (now) => new SqliteIdempotencyStore({ path: join(dir, `idem-${n++}.db`), now })],
];

function record(key: string, at: number, overrides: Partial<IdempotencyRecord> = {}): IdempotencyRecord {
  return { key, requestHash: 'h1', status: 'in_progress', createdAt: at, updatedAt: at, expiresAt: at + 1000, ...overrides };
}

for (const [name, create] of implementations) {
  describe(`${name} conformance`, () => {
    it('claims a key once and reports the record', async () => {
      const now = 10_000;
      const store = create(() => now);
      expect(await store.putIfAbsent(record('k1', now))).toBe(true);
      expect(await store.putIfAbsent(record('k1', now, { requestHash: 'h2' }))).toBe(false);
      expect(await store.get('k1')).toMatchObject({ key: 'k1', requestHash: 'h1', status: 'in_progress' });
      expect(await store.get('k2')).toBeUndefined();
    });

    it('completes with the response and refuses a second completion', async () => {
      const now = 10_000;
      const store = create(() => now);
      await store.putIfAbsent(record('k', now));
      const done = await store.complete('k', 'h1', new Uint8Array([1, 2, 3]), now + 5);
      expect(done).toMatchObject({ status: 'completed', updatedAt: now + 5 });
      expect([...((await store.get('k'))?.response ?? [])]).toEqual([1, 2, 3]);
      await expect(store.complete('k', 'h1', new Uint8Array([9]))).rejects.toMatchObject({ code: 'PLUMEGO_ERR_IDEMPOTENCY_ALREADY_COMPLETED' });
    });

    it('validates completion in order: mismatch, then expired, then completed', async () => {
      let now = 10_000;
      const store = create(() => now);
      await store.putIfAbsent(record('k', now));
      await store.complete('k', 'h1', new Uint8Array([1]));
      now += 5000;
      // Completed and expired and mismatched: mismatch wins.
      await expect(store.complete('k', 'other', new Uint8Array([1]), now)).rejects.toMatchObject({ code: 'PLUMEGO_ERR_IDEMPOTENCY_REQUEST_MISMATCH' });
      await expect(store.complete('k', 'h1', new Uint8Array([1]), now)).rejects.toMatchObject({ code: 'PLUMEGO_ERR_IDEMPOTENCY_EXPIRED' });
      await expect(store.complete('nope', 'h1', new Uint8Array([1]), now)).rejects.toMatchObject({ code: 'PLUMEGO_ERR_IDEMPOTENCY_NOT_FOUND' });
    });

    it('hides expired records and lets the key be claimed again', async () => {
      let now = 10_000;
      const store = create(() => now);
      await store.putIfAbsent(record('k', now));
      now += 1000;
      expect(await store.get('k')).toBeUndefined();
      expect(await store.putIfAbsent(record('k', now, { requestHash: 'h2' }))).toBe(true);
    });

    it('deletes records and validates keys and records', async () => {
      const now = 10_000;
      const store = create(() => now);
      await store.putIfAbsent(record('k', now));
      await store.delete('k');
      expect(await store.get('k')).toBeUndefined();
      await expect(store.get('bad key')).rejects.toMatchObject({ code: 'PLUMEGO_ERR_IDEMPOTENCY_INVALID_KEY' });
      await expect(store.putIfAbsent(record('k', now, { expiresAt: now }))).rejects.toMatchObject({ code: 'PLUMEGO_ERR_IDEMPOTENCY_INVALID_RECORD' });
    });

    it('returns copies that callers cannot use to mutate stored state', async () => {
      const now = 10_000;
      const store = create(() => now);
      await store.putIfAbsent(record('k', now));
      const response = new Uint8Array([7]);
      await store.complete('k', 'h1', response);
      response[0] = 0;
      const got = await store.get('k');
      (got?.response as Uint8Array)[0] = 1;
      expect([...((await store.get('k'))?.response ?? [])]).toEqual([7]);
    });
  });
}

describe('idempotency validators', () => {
  const keys = [
    { input: 'abc-123', ok: true },
    { input: 'a'.repeat(255), ok: true },
    { input: '', ok: false },
    { input: 'a'.repeat(256), ok: false },
    { input: 'has space', ok: false },
    { input: 'new\nline', ok: false },
    { input: 'ünïcode', ok: false },
  ];
  for (const { input, ok } of keys) {
    it(`key ${JSON.stringify(input.slice(0, 12))} → ${ok}`, () => {
      if (ok) expect(assertIdempotencyKey(input)).toBe(input);
      else expect(() => assertIdempotencyKey(input)).toThrow(expect.objectContaining({ code: 'PLUMEGO_ERR_IDEMPOTENCY_INVALID_KEY' }));
    });
  }
  it('requires a response on a completed record', () => {
    expect(() => assertIdempotencyRecord(record('k', 1, { status: 'completed' }))).toThrow(expect.objectContaining({ reason: 'response' }));
    expect(() => assertIdempotencyRecord(record('k', 1, { status: 'done' as never }))).toThrow(expect.objectContaining({ reason: 'status' }));
  });
  it('assertCompletable passes a fresh in-progress record', () => {
    expect(() => assertCompletable(record('k', 1), 'h1', 2)).not.toThrow();
  });
});
