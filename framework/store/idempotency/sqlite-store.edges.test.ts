// SqliteIdempotencyStore beyond the conformance suite: options, a file that is not a database,
// a completed record stored with its response, and close.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteIdempotencyStore, type SqliteIdempotencyStoreOptions } from './sqlite-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'plumego-idem-edges-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SqliteIdempotencyStore edges', () => {
  it('refuses a missing or empty path, and a file that is not a database', () => {
    expect(() => new SqliteIdempotencyStore(undefined as unknown as SqliteIdempotencyStoreOptions)).toThrow(
      new TypeError('path is required'),
    );
    expect(() => new SqliteIdempotencyStore({ path: '' })).toThrow(new TypeError('path is required'));
    const text = join(dir, 'text.db');
    writeFileSync(text, 'not a database at all, only text. '.repeat(200));
    expect(() => new SqliteIdempotencyStore({ path: text })).toThrow(
      expect.objectContaining({ code: 'SQLITE_NOTADB' }),
    );
  });

  it('stores a record put as completed with its response bytes', async () => {
    const store = new SqliteIdempotencyStore({ path: join(dir, 'a.db'), now: () => 1_000 });
    const response = new Uint8Array([1, 2, 3]);
    expect(
      await store.putIfAbsent({
        key: 'k',
        requestHash: 'h',
        status: 'completed',
        response,
        createdAt: 1_000,
        updatedAt: 1_000,
        expiresAt: 2_000,
      }),
    ).toBe(true);
    const got = await store.get('k');
    expect(got?.status).toBe('completed');
    expect([...(got?.response ?? [])]).toEqual([1, 2, 3]);
    await store.putIfAbsent({
      key: 'p',
      requestHash: 'h',
      status: 'in_progress',
      createdAt: 1_000,
      updatedAt: 1_000,
      expiresAt: 2_000,
    });
    expect((await store.get('p'))?.response).toBeUndefined();
    store.close();
    await expect(store.get('k')).rejects.toThrow();
  });
});
