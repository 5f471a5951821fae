import Database from 'better-sqlite3';
import { StoreError } from '../errors.ts';
import {
  assertCompletable,
  assertIdempotencyKey,
  assertIdempotencyRecord,
  type IdempotencyRecord,
  type IdempotencyStore,
} from './record.ts';

export interface SqliteIdempotencyStoreOptions {
  /** Database file (WAL mode, synchronous=FULL). Required. */
  path: string;
  /** Clock in ms, for tests. Default: `Date.now`. */
  now?: () => number;
}

interface Row {
  key: string;
  request_hash: string;
  status: 'in_progress' | 'completed';
  response: Buffer | null;
  created_at: number;
  updated_at: number;
  expires_at: number;
}

function toRecord(row: Row): IdempotencyRecord {
  return {
    key: row.key,
    requestHash: row.request_hash,
    status: row.status,
    response: row.response === null ? undefined : new Uint8Array(row.response),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    expiresAt: row.expires_at,
  };
}

function prepareStatements(db: Database.Database) {
  return {
    get: db.prepare('SELECT * FROM plumego_idempotency WHERE key = ?'),
    dropExpired: db.prepare('DELETE FROM plumego_idempotency WHERE key = ? AND expires_at <= ?'),
    insert: db.prepare('INSERT OR IGNORE INTO plumego_idempotency VALUES (?, ?, ?, ?, ?, ?, ?)'),
    complete: db.prepare(
      "UPDATE plumego_idempotency SET status = 'completed', response = ?, updated_at = ? WHERE key = ?",
    ),
    delete: db.prepare('DELETE FROM plumego_idempotency WHERE key = ?'),
  };
}

/**
 * A durable store on SQLite. `putIfAbsent` is one transaction (drop an expired row, then
 * `INSERT OR IGNORE`), so two processes sharing the file cannot both claim a key.
 */
export class SqliteIdempotencyStore implements IdempotencyStore {
  readonly #db: Database.Database;
  readonly #now: () => number;
  readonly #claim: (record: IdempotencyRecord) => boolean;
  readonly #stmts: ReturnType<typeof prepareStatements>;

  constructor(options: SqliteIdempotencyStoreOptions) {
    if (typeof options?.path !== 'string' || options.path === '') throw new TypeError('path is required');
    this.#now = options.now ?? Date.now;
    const db = new Database(options.path);
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('busy_timeout = 5000');
      db.exec(`CREATE TABLE IF NOT EXISTS plumego_idempotency (
        key TEXT PRIMARY KEY, request_hash TEXT NOT NULL, status TEXT NOT NULL, response BLOB,
        created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID`);
    } catch (err) {
      db.close();
      throw err;
    }
    this.#db = db;
    this.#stmts = prepareStatements(db);
    const stmts = this.#stmts;
    this.#claim = db.transaction((r: IdempotencyRecord) => {
      stmts.dropExpired.run(r.key, this.#now());
      const response = r.response === undefined ? null : Buffer.from(r.response);
      return (
        stmts.insert.run(r.key, r.requestHash, r.status, response, r.createdAt, r.updatedAt, r.expiresAt).changes === 1
      );
    });
  }

  async get(key: string): Promise<IdempotencyRecord | undefined> {
    const row = this.#stmts.get.get(assertIdempotencyKey(key)) as Row | undefined;
    if (row === undefined || row.expires_at <= this.#now()) return undefined;
    return toRecord(row);
  }

  async putIfAbsent(record: IdempotencyRecord): Promise<boolean> {
    return this.#claim(assertIdempotencyRecord(record));
  }

  async complete(
    key: string,
    requestHash: string,
    response: Uint8Array,
    at: number = this.#now(),
  ): Promise<IdempotencyRecord> {
    const row = this.#stmts.get.get(assertIdempotencyKey(key)) as Row | undefined;
    if (row === undefined) throw new StoreError('PLUMEGO_ERR_IDEMPOTENCY_NOT_FOUND');
    const record = toRecord(row);
    assertCompletable(record, requestHash, at);
    const updatedAt = Math.max(at, record.createdAt);
    this.#stmts.complete.run(Buffer.from(response), updatedAt, key);
    return { ...record, status: 'completed', response: new Uint8Array(response), updatedAt };
  }

  async delete(key: string): Promise<void> {
    this.#stmts.delete.run(assertIdempotencyKey(key));
  }

  close(): void {
    this.#db.close();
  }
}
