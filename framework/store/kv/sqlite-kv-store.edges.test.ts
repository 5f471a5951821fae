// SqliteKvStore at its limits, with an injected clock: statistics, TTL arithmetic, exact size
// bounds, the cached entry count after deletes and sweeps, prefix listing, and errors that are not
// corruption.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { StoreError, isStoreError } from '../errors.ts';
import { SqliteKvStore, resolveSqliteKvStoreOptions, type SqliteKvStoreOptions } from './sqlite-kv-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'plumego-kv-edges-'));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function clocked(options: Omit<SqliteKvStoreOptions, 'path' | 'now'> = {}) {
  const clock = { t: 1_000 };
  const kv = new SqliteKvStore({ path: join(dir, `kv-${n++}.db`), now: () => clock.t, ...options });
  return { kv, clock };
}

describe('SqliteKvStore statistics', () => {
  it('counts reads, writes, real deletes and swept rows, and entries as live keys', async () => {
    const { kv, clock } = clocked();
    expect(await kv.getStats()).toEqual({ entries: 0, reads: 0, writes: 0, deletes: 0, expired: 0 });
    await kv.set('a', 'x');
    await kv.set('a', 'y');
    await kv.set('t', 'z', { ttlMs: 10 });
    expect(await kv.has('a')).toBe(true);
    expect(await kv.find('missing')).toBeUndefined();
    expect((await kv.get('a')).toString()).toBe('y');
    expect(await kv.delete('missing')).toBe(false);
    expect(await kv.delete('missing-too')).toBe(false);
    expect(await kv.delete('a')).toBe(true);
    clock.t += 10;
    expect(await kv.has('t')).toBe(false);
    expect(kv.sweep()).toBe(1);
    // reads: has(a), find, get, the three deletes (each looks first), has(t).
    expect(await kv.getStats()).toEqual({ entries: 0, reads: 7, writes: 3, deletes: 1, expired: 1 });
    await kv.close();
  });
});

describe('SqliteKvStore TTL', () => {
  it('keeps a key until now reaches set time + ttlMs, and a key without TTL forever', async () => {
    const { kv, clock } = clocked();
    await kv.set('ttl', 'v', { ttlMs: 100 });
    await kv.set('forever', 'v');
    await kv.set('zero', 'v', { ttlMs: 0 });
    clock.t = 1_099;
    expect(await kv.has('ttl')).toBe(true);
    expect(await kv.keys()).toEqual(['forever', 'ttl', 'zero']);
    clock.t = 1_100;
    expect(await kv.has('ttl')).toBe(false);
    await expect(kv.get('ttl')).rejects.toMatchObject({ code: 'PLUMEGO_ERR_KV_EXPIRED' });
    clock.t = 10 ** 12;
    expect([await kv.has('forever'), await kv.has('zero')]).toEqual([true, true]);
    expect(await kv.size()).toBe(2);
    await kv.close();
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses ttlMs %s', async (ttlMs) => {
    const { kv } = clocked();
    await expect(kv.set('k', 'v', { ttlMs })).rejects.toMatchObject({
      code: 'PLUMEGO_ERR_KV_INVALID_OPTIONS',
      reason: 'ttlMs',
    });
    expect(await kv.has('k')).toBe(false);
    await kv.close();
  });

  it('sweeps expired rows on its timer', async () => {
    const { kv, clock } = clocked({ sweepIntervalMs: 5 });
    await kv.set('t', 'v', { ttlMs: 1 });
    clock.t += 1;
    for (let i = 0; i < 400 && (await kv.getStats()).expired === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect((await kv.getStats()).expired).toBe(1);
    await kv.close();
  });
});

describe('SqliteKvStore bounds', () => {
  it('accepts a key of exactly maxKeyLength characters and a value of exactly maxValueBytes', async () => {
    const { kv } = clocked({ maxKeyLength: 8, maxValueBytes: 4 });
    await kv.set('k'.repeat(8), 'abcd');
    await kv.set('é', new Uint8Array([1, 2, 3, 4]));
    await expect(kv.set('k'.repeat(9), 'a')).rejects.toMatchObject({ code: 'PLUMEGO_ERR_KV_INVALID_KEY' });
    await expect(kv.set('k', 'abcde')).rejects.toMatchObject({ code: 'PLUMEGO_ERR_KV_VALUE_TOO_LARGE' });
    await expect(kv.find('k'.repeat(9))).rejects.toMatchObject({ code: 'PLUMEGO_ERR_KV_INVALID_KEY' });
    await expect(kv.set('', 'a')).rejects.toMatchObject({ code: 'PLUMEGO_ERR_KV_INVALID_KEY' });
    await expect(kv.set(42 as unknown as string, 'a')).rejects.toMatchObject({ code: 'PLUMEGO_ERR_KV_INVALID_KEY' });
    expect(await kv.keys()).toEqual(['kkkkkkkk', 'é']);
    await kv.close();
  });

  it('frees entry slots by delete and by sweep, sweeps before refusing, and lets a full store overwrite', async () => {
    const { kv, clock } = clocked({ maxEntries: 2 });
    await kv.set('a', '1');
    await kv.set('b', '2');
    await kv.set('a', 'again');
    await expect(kv.set('c', '3')).rejects.toMatchObject({ code: 'PLUMEGO_ERR_KV_FULL' });
    await kv.delete('a');
    await kv.delete('a');
    await kv.set('c', '3', { ttlMs: 5 });
    await expect(kv.set('d', '4')).rejects.toMatchObject({ code: 'PLUMEGO_ERR_KV_FULL' });
    clock.t += 5;
    // c has expired but still holds its slot until swept: set sweeps once before refusing.
    await kv.set('d', '4');
    expect(kv.sweep()).toBe(0);
    expect(await kv.keys()).toEqual(['b', 'd']);
    await expect(kv.set('e', '5', { ttlMs: 1 })).rejects.toMatchObject({ code: 'PLUMEGO_ERR_KV_FULL' });
    await kv.delete('b');
    await kv.set('f', '6');
    await expect(kv.set('g', '7')).rejects.toMatchObject({ code: 'PLUMEGO_ERR_KV_FULL' });
    await kv.close();
  });

  it('lists keys by prefix in key order, stopping at the first key past the prefix, up to the limit', async () => {
    const { kv } = clocked();
    for (const k of ['c', 'b2', 'a', 'b1', 'b3', 'ba']) await kv.set(k, 'v');
    expect(await kv.keys({ prefix: 'b' })).toEqual(['b1', 'b2', 'b3', 'ba']);
    expect(await kv.keys({ prefix: 'b', limit: 2 })).toEqual(['b1', 'b2']);
    expect(await kv.keys({ prefix: 'bz' })).toEqual([]);
    await kv.close();
  });
});

describe('SqliteKvStore errors that are not corruption', () => {
  it('passes an SQLite error other than corruption through unchanged', () => {
    const failure = (path: string): unknown => {
      try {
        new SqliteKvStore({ path });
      } catch (e) {
        return e;
      }
      throw new Error('the store opened');
    };
    // A directory is no database file: SQLite says it cannot open it.
    const cantOpen = failure(dir);
    expect(isStoreError(cantOpen)).toBe(false);
    expect((cantOpen as { code?: string }).code).toBe('SQLITE_CANTOPEN');
    // better-sqlite3 refuses a missing directory before any database exists.
    const noDir = failure(join(dir, 'no-such-dir', 'kv.db'));
    expect(isStoreError(noDir)).toBe(false);
    expect((noDir as Error).message).toContain('directory does not exist');
  });

  it('maps an SQLite corruption code to PLUMEGO_ERR_KV_CORRUPT with the driver error as cause', () => {
    const path = join(dir, 'text.db');
    writeFileSync(path, 'not a database, only text. '.repeat(200));
    let caught: unknown;
    try {
      new SqliteKvStore({ path, verifyOnOpen: false });
    } catch (e) {
      caught = e;
    }
    expect(caught).toMatchObject({ code: 'PLUMEGO_ERR_KV_CORRUPT', reason: 'sqlite' });
    expect((caught as Error & { cause?: { code?: string } }).cause?.code).toBe('SQLITE_NOTADB');
  });

  it('names why it refuses another SQLite database', () => {
    const path = join(dir, 'foreign.db');
    const db = new Database(path);
    db.exec('CREATE TABLE users (id INTEGER)');
    db.close();
    expect(() => new SqliteKvStore({ path })).toThrow(
      expect.objectContaining({ code: 'PLUMEGO_ERR_KV_CORRUPT', reason: 'foreign_database' }),
    );
  });

  it('refuses missing options with a typed error', () => {
    expect(() => resolveSqliteKvStoreOptions(undefined as unknown as SqliteKvStoreOptions)).toThrow(
      expect.objectContaining({ code: 'PLUMEGO_ERR_KV_INVALID_OPTIONS', reason: 'path' }),
    );
    expect(() => resolveSqliteKvStoreOptions({ path: '' })).toThrow(expect.objectContaining({ reason: 'path' }));
  });

  it('closes once: a second close is a no-op and every operation after it is refused', async () => {
    const { kv } = clocked();
    await kv.close();
    await expect(kv.close()).resolves.toBeUndefined();
    await expect(kv.find('a')).rejects.toMatchObject({ code: 'PLUMEGO_ERR_KV_CLOSED' });
    expect(() => kv.sweep()).toThrow(expect.objectContaining({ code: 'PLUMEGO_ERR_KV_CLOSED' }));
  });
});

describe('isStoreError and StoreError', () => {
  it('recognises store errors by brand and, when asked, by code', () => {
    const err = new StoreError('PLUMEGO_ERR_KV_FULL');
    expect([
      isStoreError(err),
      isStoreError(err, 'PLUMEGO_ERR_KV_FULL'),
      isStoreError(err, 'PLUMEGO_ERR_KV_CLOSED'),
    ]).toEqual([true, true, false]);
    const copy = { [Symbol.for('plumego.store.error')]: true, code: 'PLUMEGO_ERR_KV_FULL' };
    expect(isStoreError(copy, 'PLUMEGO_ERR_KV_FULL')).toBe(true);
    for (const other of [
      null,
      undefined,
      'PLUMEGO_ERR_KV_FULL',
      42,
      {},
      { code: 'PLUMEGO_ERR_KV_FULL' },
      new Error('x'),
      { [Symbol.for('plumego.store.error')]: 'yes' },
    ]) {
      expect(isStoreError(other), String(other)).toBe(false);
    }
  });

  it('keeps a cause only when one is given', () => {
    const cause = new Error('inner');
    expect(new StoreError('PLUMEGO_ERR_KV_CORRUPT', { reason: 'sqlite', cause }).cause).toBe(cause);
    expect('cause' in new StoreError('PLUMEGO_ERR_KV_CORRUPT')).toBe(false);
    expect(new StoreError('PLUMEGO_ERR_KV_CORRUPT').reason).toBeUndefined();
  });
});
