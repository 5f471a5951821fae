// SqliteDatabase options and error mapping beyond the shared conformance suite.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StoreError } from '../errors.ts';
import { SqliteDatabase, type SqliteDatabaseOptions } from './sqlite-database.ts';

const dir = mkdtempSync(join(tmpdir(), 'plumego-db-edges-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const nextPath = () => join(dir, `db-${n++}.sqlite`);

describe('SqliteDatabase options', () => {
  it('refuses a missing or empty path', () => {
    expect(() => new SqliteDatabase(undefined as unknown as SqliteDatabaseOptions)).toThrow(
      new TypeError('path is required'),
    );
    expect(() => new SqliteDatabase({ path: '' })).toThrow(new TypeError('path is required'));
  });

  it('uses WAL for a writable file, not for a read-only one or memory, and sets the busy timeout', async () => {
    const path = nextPath();
    const rw = new SqliteDatabase({ path, busyTimeoutMs: 1234.9 });
    expect(await rw.queryOne('PRAGMA journal_mode')).toEqual({ journal_mode: 'wal' });
    expect(await rw.queryOne('PRAGMA busy_timeout')).toEqual({ timeout: 1234 });
    await rw.exec('CREATE TABLE t (v INTEGER)');
    await rw.close();
    const memory = new SqliteDatabase({ path: ':memory:', busyTimeoutMs: -5 });
    expect(await memory.queryOne('PRAGMA journal_mode')).toEqual({ journal_mode: 'memory' });
    expect(await memory.queryOne('PRAGMA busy_timeout')).toEqual({ timeout: 0 });
    await memory.close();
    const other = nextPath();
    await new SqliteDatabase({ path: other }).close();
    const defaults = new SqliteDatabase({ path: other });
    expect(await defaults.queryOne('PRAGMA busy_timeout')).toEqual({ timeout: 5000 });
    await defaults.close();
  });

  it('opens read-only when asked: reads work, writes fail as PLUMEGO_ERR_DB_QUERY, and the journal mode is left alone', async () => {
    const path = nextPath();
    const setup = new SqliteDatabase({ path });
    await setup.exec('CREATE TABLE t (v INTEGER)');
    await setup.exec('INSERT INTO t VALUES (1)');
    await setup.exec('PRAGMA journal_mode = DELETE');
    await setup.close();
    const ro = new SqliteDatabase({ path, readonly: true });
    expect(await ro.query('SELECT v FROM t')).toEqual([{ v: 1 }]);
    expect(await ro.queryOne('PRAGMA journal_mode')).toEqual({ journal_mode: 'delete' });
    const err = await ro.exec('INSERT INTO t VALUES (2)').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StoreError);
    expect(err).toMatchObject({ code: 'PLUMEGO_ERR_DB_QUERY' });
    expect((err as Error & { cause?: { code?: string } }).cause?.code).toBe('SQLITE_READONLY');
    await ro.close();
  });
});

describe('SqliteDatabase errors and closing', () => {
  it('passes a StoreError from inside a transaction through unchanged, and rolls back', async () => {
    const db = new SqliteDatabase({ path: ':memory:' });
    await db.exec('CREATE TABLE t (v INTEGER)');
    const err = await db
      .transaction(async (tx) => {
        await tx.exec('INSERT INTO t VALUES (1)');
        return tx.queryOneStrict('SELECT v FROM t WHERE v = 99');
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toMatchObject({ code: 'PLUMEGO_ERR_DB_NO_ROWS' });
    expect((err as Error).cause).toBeUndefined();
    expect(await db.query('SELECT v FROM t')).toEqual([]);
    await db.close();
  });

  it('keeps the original error when a transaction fails after SQLite already rolled it back', async () => {
    const db = new SqliteDatabase({ path: ':memory:' });
    await db.exec('CREATE TABLE t (v INTEGER)');
    const boom = new Error('after rollback');
    const err = await db
      .transaction(async (tx) => {
        await tx.exec('INSERT INTO t VALUES (1)');
        await tx.exec('ROLLBACK');
        throw boom;
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBe(boom);
    expect(await db.query('SELECT v FROM t')).toEqual([]);
    await db.close();
  });

  it('closes once; a second close resolves and statements after it are refused', async () => {
    const db = new SqliteDatabase({ path: ':memory:' });
    await db.close();
    await expect(db.close()).resolves.toBeUndefined();
    await expect(db.query('SELECT 1')).rejects.toMatchObject({ code: 'PLUMEGO_ERR_DB_CLOSED' });
  });
});
