import { describe, it, expect, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryIdempotencyStore } from './memory-store.ts';
import {
  assertCompletable,
  assertIdempotencyKey,
  assertIdempotencyRecord,
  type IdempotencyRecord,
  type IdempotencyStore,
} from './record.ts';
import { SqliteIdempotencyStore } from './sqlite-store.ts';
import { describeIdempotencyConformance } from '../conformance/idempotency-suite.ts';

const dir = mkdtempSync(join(tmpdir(), 'plumego-idem-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

// The conformance suite every IdempotencyStore runs (x/data runs it on PostgreSQL and Redis too).
describeIdempotencyConformance(
  { describe, it },
  { name: 'MemoryIdempotencyStore', open: (now) => new MemoryIdempotencyStore({ now }) },
);
const sqlite = new Map<IdempotencyStore, string>();
describeIdempotencyConformance(
  { describe, it },
  {
    name: 'SqliteIdempotencyStore',
    open: (now) => {
      const path = join(dir, `idem-${n++}.db`);
      const store = new SqliteIdempotencyStore({ path, now });
      sqlite.set(store, path);
      return store;
    },
    // A second connection on the same file, as another process would open it.
    openPeer: (store, now) => {
      const peer = new SqliteIdempotencyStore({ path: sqlite.get(store) as string, now });
      sqlite.set(peer, sqlite.get(store) as string);
      return peer;
    },
    // Closing without completing leaves what a killed process leaves: the committed claim.
    crash: (store) => (store as SqliteIdempotencyStore).close(),
    close: (store) => {
      try {
        (store as SqliteIdempotencyStore).close();
      } catch {
        // already closed by crash
      }
    },
  },
);

function record(key: string, at: number, overrides: Partial<IdempotencyRecord> = {}): IdempotencyRecord {
  return {
    key,
    requestHash: 'h1',
    status: 'in_progress',
    createdAt: at,
    updatedAt: at,
    expiresAt: at + 1000,
    ...overrides,
  };
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
      else
        expect(() => assertIdempotencyKey(input)).toThrow(
          expect.objectContaining({ code: 'PLUMEGO_ERR_IDEMPOTENCY_INVALID_KEY' }),
        );
    });
  }
  it('requires a response on a completed record', () => {
    expect(() => assertIdempotencyRecord(record('k', 1, { status: 'completed' }))).toThrow(
      expect.objectContaining({ reason: 'response' }),
    );
    expect(() => assertIdempotencyRecord(record('k', 1, { status: 'done' as never }))).toThrow(
      expect.objectContaining({ reason: 'status' }),
    );
  });
  it('assertCompletable passes a fresh in-progress record', () => {
    expect(() => assertCompletable(record('k', 1), 'h1', 2)).not.toThrow();
  });
});

describe('idempotency record checks, field by field', () => {
  it('accepts a consistent record, completed ones with a response', () => {
    expect(assertIdempotencyRecord(record('k', 0))).toMatchObject({ key: 'k' });
    expect(() =>
      assertIdempotencyRecord(record('k', 5, { status: 'completed', response: new Uint8Array(0), updatedAt: 5 })),
    ).not.toThrow();
    expect(() => assertIdempotencyRecord(record('k', 5, { requestHash: 'h'.repeat(256) }))).not.toThrow();
  });

  it.each([
    ['an empty request hash', { requestHash: '' }, 'request_hash'],
    ['a request hash over 256 characters', { requestHash: 'h'.repeat(257) }, 'request_hash'],
    ['a request hash that is not a string', { requestHash: 7 as never }, 'request_hash'],
    ['a negative time', { createdAt: -1, updatedAt: -1 }, 'time'],
    ['a fractional time', { updatedAt: 10.5 }, 'time'],
    ['a time that is not a number', { expiresAt: '2000' as never }, 'time'],
    ['an expiry at creation', { expiresAt: 10 }, 'time'],
    ['an update before creation', { updatedAt: 9 }, 'time'],
    ['a completed record whose response is not bytes', { status: 'completed', response: 'text' as never }, 'response'],
  ] as Array<[string, Partial<IdempotencyRecord>, string]>)('refuses %s', (_title, overrides, reason) => {
    expect(() => assertIdempotencyRecord(record('k', 10, overrides))).toThrow(
      expect.objectContaining({ code: 'PLUMEGO_ERR_IDEMPOTENCY_INVALID_RECORD', reason }),
    );
  });

  it('refuses a bad key before any field', () => {
    expect(() => assertIdempotencyRecord(record('bad key', 10, { requestHash: '' }))).toThrow(
      expect.objectContaining({ code: 'PLUMEGO_ERR_IDEMPOTENCY_INVALID_KEY' }),
    );
    expect(() => assertIdempotencyKey(7)).toThrow(
      expect.objectContaining({ code: 'PLUMEGO_ERR_IDEMPOTENCY_INVALID_KEY' }),
    );
    expect(assertIdempotencyKey('!~')).toBe('!~');
  });

  it('checks completion in the contract order: request, then expiry (at the instant too), then status', () => {
    const done = record('k', 10, { status: 'completed', response: new Uint8Array(1) });
    expect(() => assertCompletable(done, 'other', 10_000)).toThrow(
      expect.objectContaining({ code: 'PLUMEGO_ERR_IDEMPOTENCY_REQUEST_MISMATCH' }),
    );
    expect(() => assertCompletable(done, 'h1', 1010)).toThrow(
      expect.objectContaining({ code: 'PLUMEGO_ERR_IDEMPOTENCY_EXPIRED' }),
    );
    expect(() => assertCompletable(done, 'h1', 1009)).toThrow(
      expect.objectContaining({ code: 'PLUMEGO_ERR_IDEMPOTENCY_ALREADY_COMPLETED' }),
    );
    expect(() => assertCompletable(record('k', 10), 'h1', 1009)).not.toThrow();
  });
});
