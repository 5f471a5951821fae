import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { StoreError } from '../errors.ts';
import type { KvListOptions, KvSetOptions, KvStats, KvStore } from './kv.ts';

export interface SqliteKvStoreOptions {
  /** Database file. Required; `':memory:'` works for tests but is not durable. */
  path: string;
  /** Most live keys; a new key beyond it throws `PLUMEGO_ERR_KV_FULL`. Default: 100 000. */
  maxEntries?: number;
  /** Largest value in bytes. Default: 1 MiB. */
  maxValueBytes?: number;
  /** Longest key in characters. Default: 1024. */
  maxKeyLength?: number;
  /** How often expired rows are deleted, in ms (unref'd timer). Default: 60 000. */
  sweepIntervalMs?: number;
  /** Run `PRAGMA quick_check` when opening (O(size)). Default: true. */
  verifyOnOpen?: boolean;
  /** Clock in ms, for tests. Default: `Date.now`. */
  now?: () => number;
}

export type ResolvedSqliteKvStoreOptions = Required<SqliteKvStoreOptions>;

export const DEFAULT_SQLITE_KV_STORE_OPTIONS: Omit<ResolvedSqliteKvStoreOptions, 'path'> = {
  maxEntries: 100_000,
  maxValueBytes: 1024 * 1024,
  maxKeyLength: 1024,
  sweepIntervalMs: 60_000,
  verifyOnOpen: true,
  now: Date.now,
};

export function resolveSqliteKvStoreOptions(options: SqliteKvStoreOptions): ResolvedSqliteKvStoreOptions {
  if (typeof options?.path !== 'string' || options.path === '')
    throw new StoreError('PLUMEGO_ERR_KV_INVALID_OPTIONS', { reason: 'path' });
  const merged = { ...DEFAULT_SQLITE_KV_STORE_OPTIONS, ...options };
  for (const field of ['maxEntries', 'maxValueBytes', 'maxKeyLength', 'sweepIntervalMs'] as const) {
    if (!Number.isSafeInteger(merged[field]) || merged[field] <= 0)
      throw new StoreError('PLUMEGO_ERR_KV_INVALID_OPTIONS', { reason: field });
  }
  return merged;
}

// 'PLMG': marks files this store created, so opening some other SQLite database fails loudly.
const APPLICATION_ID = 0x504c4d47;
const CORRUPT_CODES = new Set([
  'SQLITE_CORRUPT',
  'SQLITE_NOTADB',
  'SQLITE_CORRUPT_INDEX',
  'SQLITE_CORRUPT_SEQUENCE',
  'SQLITE_CORRUPT_VTAB',
]);

function checksum(key: string, value: Uint8Array): Buffer {
  // SQLite has no page checksums; this catches bytes flipped inside a value or rows swapped.
  return createHash('sha256').update(key).update('\0').update(value).digest().subarray(0, 8);
}

function mapError(err: unknown): unknown {
  if (err instanceof StoreError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && CORRUPT_CODES.has(code))
    return new StoreError('PLUMEGO_ERR_KV_CORRUPT', { reason: 'sqlite', cause: err });
  return err;
}

interface Row {
  value: Buffer;
  checksum: Buffer;
  expires_at: number;
}

/**
 * A durable KV store on SQLite (better-sqlite3) in WAL mode with `synchronous=FULL`: every `set`
 * is one transaction, so after a resolved write a killed process loses nothing, and an interrupted
 * one leaves no torn value. Chosen over an append-only log because SQLite already provides atomic
 * commit, crash recovery and O(log n) updates, which a hand-written log would have to re-prove.
 * One process should own a file at a time (the entry count is cached in memory).
 */
export class SqliteKvStore implements KvStore {
  readonly options: ResolvedSqliteKvStoreOptions;
  readonly #db: Database.Database;
  readonly #timer: NodeJS.Timeout;
  readonly #stmts: ReturnType<SqliteKvStore['prepare']>;
  #count: number;
  #closed = false;
  readonly #stats = { reads: 0, writes: 0, deletes: 0, expired: 0 };

  constructor(options: SqliteKvStoreOptions) {
    this.options = resolveSqliteKvStoreOptions(options);
    let db: Database.Database | undefined;
    try {
      db = new Database(this.options.path);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('busy_timeout = 5000');
      if (this.options.verifyOnOpen) {
        const result = db.pragma('quick_check', { simple: true });
        if (result !== 'ok') throw new StoreError('PLUMEGO_ERR_KV_CORRUPT', { reason: 'quick_check' });
      }
      const appId = db.pragma('application_id', { simple: true }) as number;
      const tables = db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table'").get() as { n: number };
      if (appId !== APPLICATION_ID) {
        if (tables.n > 0) throw new StoreError('PLUMEGO_ERR_KV_CORRUPT', { reason: 'foreign_database' });
        db.pragma(`application_id = ${APPLICATION_ID}`);
      }
      db.exec(
        'CREATE TABLE IF NOT EXISTS plumego_kv (key TEXT PRIMARY KEY, value BLOB NOT NULL, checksum BLOB NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID',
      );
      this.#db = db;
      this.#stmts = this.prepare();
      this.#count = (this.#stmts.count.get() as { n: number }).n;
    } catch (err) {
      db?.close();
      throw mapError(err);
    }
    this.#timer = setInterval(() => {
      try {
        this.sweep();
      } catch {
        // A failing sweep is retried next tick; reads and writes report the error themselves.
      }
    }, this.options.sweepIntervalMs);
    this.#timer.unref();
  }

  private prepare() {
    const db = this.#db;
    return {
      get: db.prepare('SELECT value, checksum, expires_at FROM plumego_kv WHERE key = ?'),
      exists: db.prepare('SELECT expires_at FROM plumego_kv WHERE key = ?'),
      upsert: db.prepare(
        'INSERT INTO plumego_kv (key, value, checksum, expires_at) VALUES (?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, checksum = excluded.checksum, expires_at = excluded.expires_at',
      ),
      delete: db.prepare('DELETE FROM plumego_kv WHERE key = ?'),
      count: db.prepare('SELECT count(*) AS n FROM plumego_kv'),
      sweep: db.prepare('DELETE FROM plumego_kv WHERE expires_at > 0 AND expires_at <= ?'),
      keys: db.prepare(
        'SELECT key FROM plumego_kv WHERE key >= ? AND (expires_at = 0 OR expires_at > ?) ORDER BY key LIMIT ?',
      ),
    };
  }

  #run<T>(fn: () => T): T {
    if (this.#closed) throw new StoreError('PLUMEGO_ERR_KV_CLOSED');
    try {
      return fn();
    } catch (err) {
      throw mapError(err);
    }
  }

  #key(key: unknown): string {
    if (typeof key !== 'string' || key === '' || key.length > this.options.maxKeyLength)
      throw new StoreError('PLUMEGO_ERR_KV_INVALID_KEY');
    return key;
  }

  /** Reads a row: undefined when missing, 'expired' when past its TTL. */
  #read(key: string): Buffer | 'expired' | undefined {
    return this.#run(() => {
      this.#stats.reads++;
      const row = this.#stmts.get.get(key) as Row | undefined;
      if (row === undefined) return undefined;
      if (!checksum(key, row.value).equals(row.checksum))
        throw new StoreError('PLUMEGO_ERR_KV_CORRUPT', { reason: 'checksum' });
      if (row.expires_at !== 0 && row.expires_at <= this.options.now()) return 'expired';
      return row.value;
    });
  }

  async find(key: string): Promise<Buffer | undefined> {
    const result = this.#read(this.#key(key));
    return result === 'expired' ? undefined : result;
  }

  async get(key: string): Promise<Buffer> {
    const result = this.#read(this.#key(key));
    if (result === undefined) throw new StoreError('PLUMEGO_ERR_KV_NOT_FOUND');
    if (result === 'expired') throw new StoreError('PLUMEGO_ERR_KV_EXPIRED');
    return result;
  }

  async has(key: string): Promise<boolean> {
    return (await this.find(key)) !== undefined;
  }

  async set(key: string, value: string | Uint8Array, options: KvSetOptions = {}): Promise<void> {
    this.#key(key);
    const bytes =
      typeof value === 'string'
        ? Buffer.from(value, 'utf8')
        : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    if (bytes.byteLength > this.options.maxValueBytes) throw new StoreError('PLUMEGO_ERR_KV_VALUE_TOO_LARGE');
    const ttl = options.ttlMs ?? 0;
    if (!Number.isSafeInteger(ttl) || ttl < 0)
      throw new StoreError('PLUMEGO_ERR_KV_INVALID_OPTIONS', { reason: 'ttlMs' });
    const expiresAt = ttl === 0 ? 0 : this.options.now() + ttl;
    this.#run(() => {
      const existed = this.#stmts.exists.get(key) !== undefined;
      if (!existed && this.#count >= this.options.maxEntries) {
        // Expired rows still count until swept; sweep once before refusing.
        this.sweep();
        if (this.#count >= this.options.maxEntries) throw new StoreError('PLUMEGO_ERR_KV_FULL');
      }
      this.#stmts.upsert.run(key, bytes, checksum(key, bytes), expiresAt);
      if (!existed) this.#count++;
      this.#stats.writes++;
    });
  }

  async delete(key: string): Promise<boolean> {
    this.#key(key);
    const live = (await this.find(key)) !== undefined;
    this.#run(() => {
      const { changes } = this.#stmts.delete.run(key);
      this.#count -= changes;
      if (changes > 0) this.#stats.deletes++;
    });
    return live;
  }

  async keys(options: KvListOptions = {}): Promise<string[]> {
    const prefix = options.prefix ?? '';
    const limit = options.limit ?? 1000;
    return this.#run(() => {
      const out: string[] = [];
      for (const row of this.#stmts.keys.iterate(prefix, this.options.now(), limit) as Iterable<{ key: string }>) {
        if (!row.key.startsWith(prefix)) break;
        out.push(row.key);
      }
      return out;
    });
  }

  async size(): Promise<number> {
    return this.#run(
      () =>
        (
          this.#db
            .prepare('SELECT count(*) AS n FROM plumego_kv WHERE expires_at = 0 OR expires_at > ?')
            .get(this.options.now()) as { n: number }
        ).n,
    );
  }

  async getStats(): Promise<KvStats> {
    return { entries: await this.size(), ...this.#stats };
  }

  /** Deletes expired rows now; runs on the timer. */
  sweep(): number {
    return this.#run(() => {
      const { changes } = this.#stmts.sweep.run(this.options.now());
      this.#count -= changes;
      this.#stats.expired += changes;
      return changes;
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    clearInterval(this.#timer);
    this.#closed = true;
    this.#db.close();
  }
}
