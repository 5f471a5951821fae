import {
  StoreError,
  assertCompletable,
  assertIdempotencyKey,
  assertIdempotencyRecord,
  type IdempotencyRecord,
  type IdempotencyStore,
} from 'plumego/store';
import { assertDataOption } from 'plumego/x/data';
import type { SqlClient } from 'plumego/x/data/sql';

export interface PgIdempotencyStoreOptions {
  /** The pool to use (shared with the app). Required. */
  client: SqlClient;
  /** Table name, optionally schema-qualified. Default: `plumego_idempotency`. */
  table?: string;
  /** Clock in ms, for tests. Default: `Date.now`. */
  now?: () => number;
}

interface Row {
  key: string;
  request_hash: string;
  status: 'in_progress' | 'completed';
  response: Buffer | null;
  created_at: string | number;
  updated_at: string | number;
  expires_at: string | number;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}(\.[a-z_][a-z0-9_]{0,62})?$/;

function toRecord(row: Row): IdempotencyRecord {
  return {
    key: row.key,
    requestHash: row.request_hash,
    status: row.status,
    // A copy: pg hands out Buffers that may share memory with the socket's read buffer.
    response: row.response === null ? undefined : new Uint8Array(row.response),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    expiresAt: Number(row.expires_at),
  };
}

/**
 * store's idempotency contract on PostgreSQL. A claim is one statement — insert, or take over a row
 * whose record expired — so any number of processes on the same table get exactly one winner per
 * key; a completion is one guarded UPDATE. A claim whose owner crashed stays visible (in progress)
 * until it expires or the middleware's lock timeout takes it over.
 */
export class PgIdempotencyStore implements IdempotencyStore {
  readonly #client: SqlClient;
  readonly #table: string;
  readonly #now: () => number;
  readonly #sql: ReturnType<typeof statements>;

  constructor(options: PgIdempotencyStoreOptions) {
    assertDataOption(typeof options?.client?.query === 'function', 'client');
    this.#table = options.table ?? 'plumego_idempotency';
    assertDataOption(IDENTIFIER.test(this.#table), 'table');
    this.#client = options.client;
    this.#now = options.now ?? Date.now;
    this.#sql = statements(this.#table);
  }

  /** Creates the table and its expiry index if they do not exist. Safe to run from every instance. */
  async ensureSchema(): Promise<void> {
    await this.#client.exec(this.#sql.create);
    await this.#client.exec(this.#sql.index);
  }

  async get(key: string): Promise<IdempotencyRecord | undefined> {
    const row = await this.#client.queryOne<Row>(this.#sql.get, [assertIdempotencyKey(key)]);
    if (row === undefined || Number(row.expires_at) <= this.#now()) return undefined;
    return toRecord(row);
  }

  async putIfAbsent(record: IdempotencyRecord): Promise<boolean> {
    const r = assertIdempotencyRecord(record);
    const response = r.response === undefined ? null : Buffer.from(r.response);
    const rows = await this.#client.query(this.#sql.claim, [
      r.key,
      r.requestHash,
      r.status,
      response,
      r.createdAt,
      r.updatedAt,
      r.expiresAt,
      this.#now(),
    ]);
    return rows.length === 1;
  }

  async complete(
    key: string,
    requestHash: string,
    response: Uint8Array,
    at: number = this.#now(),
  ): Promise<IdempotencyRecord> {
    assertIdempotencyKey(key);
    const done = await this.#client.queryOne<Row>(this.#sql.complete, [key, requestHash, Buffer.from(response), at]);
    if (done !== undefined) return toRecord(done);
    // Nothing matched: read the row to report why, in the contract's order.
    const row = await this.#client.queryOne<Row>(this.#sql.get, [key]);
    if (row === undefined) throw new StoreError('PLUMEGO_ERR_IDEMPOTENCY_NOT_FOUND');
    assertCompletable(toRecord(row), requestHash, at);
    // The row changed between the two statements (taken over and re-claimed): report it as done by someone else.
    throw new StoreError('PLUMEGO_ERR_IDEMPOTENCY_ALREADY_COMPLETED');
  }

  async delete(key: string): Promise<void> {
    await this.#client.exec(this.#sql.delete, [assertIdempotencyKey(key)]);
  }

  /** Removes records that expired before `before` (default: now); returns how many. Run it from a scheduler. */
  async deleteExpired(before: number = this.#now()): Promise<number> {
    return this.#client.exec(this.#sql.deleteExpired, [before]);
  }
}

function statements(table: string) {
  return {
    create: `CREATE TABLE IF NOT EXISTS ${table} (
      key text PRIMARY KEY, request_hash text NOT NULL, status text NOT NULL CHECK (status IN ('in_progress', 'completed')),
      response bytea, created_at bigint NOT NULL, updated_at bigint NOT NULL, expires_at bigint NOT NULL)`,
    index: `CREATE INDEX IF NOT EXISTS ${table.replace('.', '_')}_expires_idx ON ${table} (expires_at)`,
    get: `SELECT * FROM ${table} WHERE key = $1`,
    // ON CONFLICT locks the existing row, so two claims on one key serialise; the WHERE lets only an expired record be replaced.
    claim: `INSERT INTO ${table} AS t (key, request_hash, status, response, created_at, updated_at, expires_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7)
      ON CONFLICT (key) DO UPDATE SET request_hash = EXCLUDED.request_hash, status = EXCLUDED.status, response = EXCLUDED.response,
        created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at, expires_at = EXCLUDED.expires_at
      WHERE t.expires_at <= $8
      RETURNING key`,
    complete: `UPDATE ${table} SET status = 'completed', response = $3, updated_at = GREATEST($4::bigint, created_at)
      WHERE key = $1 AND request_hash = $2 AND status = 'in_progress' AND expires_at > $4 RETURNING *`,
    delete: `DELETE FROM ${table} WHERE key = $1`,
    deleteExpired: `DELETE FROM ${table} WHERE expires_at <= $1`,
  };
}
