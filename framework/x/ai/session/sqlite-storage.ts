import Database from 'better-sqlite3';
import { AI_SESSION_ERROR_CODES, AiSessionError, assertOption, isAiSessionError, storageFailed } from './errors.ts';
import { isExpired, type SessionRecord, type SessionStorage } from './storage.ts';

export interface SqliteSessionStorageOptions {
  /** A file path (`:memory:` for tests) or an open better-sqlite3 database. Required. */
  database: string | Database.Database;
  /** Table name; created when missing. Default `ai_sessions`. */
  table?: string;
  now?: () => number;
}

/**
 * The default durable storage: one row per session, the record as JSON, the version and expiry as columns
 * so the compare-and-set and the expiry check are one statement each.
 */
export class SqliteSessionStorage implements SessionStorage {
  readonly #db: Database.Database;
  readonly #owned: boolean;
  readonly #now: () => number;
  readonly #select: Database.Statement<[string], { body: string; expires_at: number | null }>;
  readonly #insert: Database.Statement<[string, number, number | null, string]>;
  readonly #update: Database.Statement<[number, number | null, string, string, number]>;
  readonly #remove: Database.Statement<[string, number]>;
  readonly #purge: Database.Statement<[string, number]>;

  constructor(options: SqliteSessionStorageOptions) {
    const table = options.table ?? 'ai_sessions';
    assertOption(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(table), 'table', 'must be a plain SQL identifier');
    assertOption(
      typeof options.database === 'string' || typeof options.database === 'object',
      'database',
      'must be a path or a better-sqlite3 database',
    );
    this.#owned = typeof options.database === 'string';
    this.#db = typeof options.database === 'string' ? new Database(options.database) : options.database;
    if (this.#owned) this.#db.pragma('journal_mode = WAL');
    this.#now = options.now ?? Date.now;
    this.#db.exec(
      `CREATE TABLE IF NOT EXISTS ${table} (id TEXT PRIMARY KEY, version INTEGER NOT NULL, expires_at INTEGER, body TEXT NOT NULL)`,
    );
    this.#select = this.#db.prepare(`SELECT body, expires_at FROM ${table} WHERE id = ?`);
    this.#insert = this.#db.prepare(
      `INSERT OR IGNORE INTO ${table} (id, version, expires_at, body) VALUES (?, ?, ?, ?)`,
    );
    this.#update = this.#db.prepare(
      `UPDATE ${table} SET version = ?, expires_at = ?, body = ? WHERE id = ? AND version = ?`,
    );
    this.#remove = this.#db.prepare(`DELETE FROM ${table} WHERE id = ? AND (expires_at IS NULL OR expires_at > ?)`);
    // An expired row counts as absent for a create; clear it so the insert can take its place.
    this.#purge = this.#db.prepare(`DELETE FROM ${table} WHERE id = ? AND expires_at IS NOT NULL AND expires_at <= ?`);
  }

  async read(id: string): Promise<SessionRecord | undefined> {
    try {
      const row = this.#select.get(id);
      if (!row) return undefined;
      const record = JSON.parse(row.body) as SessionRecord;
      return isExpired(record, this.#now()) ? undefined : record;
    } catch (error) {
      throw storageFailed('sqlite', error);
    }
  }

  async write(record: SessionRecord, expectedVersion: number): Promise<void> {
    let changed: number;
    try {
      const body = JSON.stringify(record);
      const expires = record.expiresAt ?? null;
      if (expectedVersion === 0) {
        this.#purge.run(record.id, this.#now());
        changed = this.#insert.run(record.id, record.version, expires, body).changes;
      } else {
        changed = this.#update.run(record.version, expires, body, record.id, expectedVersion).changes;
      }
    } catch (error) {
      if (isAiSessionError(error)) throw error;
      throw storageFailed('sqlite', error);
    }
    if (changed === 0)
      throw new AiSessionError(AI_SESSION_ERROR_CODES.conflict, 'session changed concurrently', { expectedVersion });
  }

  async delete(id: string): Promise<boolean> {
    try {
      return this.#remove.run(id, this.#now()).changes > 0;
    } catch (error) {
      throw storageFailed('sqlite', error);
    }
  }

  /** Closes the database when this storage opened it. */
  close(): void {
    if (this.#owned) this.#db.close();
  }
}
