import { DataError, assertDataOption, isDataError } from 'plumego/x/data';
import type { SqlClient, SqlExecutor } from 'plumego/x/data/sql';
import { assertMigrations, getMigrationChecksum, type Migration } from './migration.ts';

export interface MigratorOptions {
  /** Where migrations run. Required. */
  client: SqlClient;
  /** The migrations (see `readMigrationsDir`). Required. */
  migrations: readonly Migration[];
  /** History table, optionally schema-qualified. Default: `plumego_migrations`. */
  table?: string;
  /** How long to wait for another instance's migration lock, ms. Default: 10 000. */
  lockTimeoutMs?: number;
}

export interface MigrationState {
  version: number;
  name: string;
  applied: boolean;
  /** Unix ms, when applied. */
  appliedAt: number | undefined;
  /** False when the applied checksum differs from the file's (drift). */
  checksumMatches: boolean | undefined;
}

interface HistoryRow {
  version: string | number;
  name: string;
  checksum: string;
  applied_at: Date;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}(\.[a-z_][a-z0-9_]{0,62})?$/;

/** A stable 63-bit advisory lock key per history table, so two apps in one database do not block each other. */
function lockKey(table: string): string {
  let h = 0xcbf29ce484222325n;
  for (const c of Buffer.from(`plumego-migrate:${table}`)) h = ((h ^ BigInt(c)) * 0x100000001b3n) & 0x7fffffffffffffffn;
  return h.toString();
}

/**
 * Applies versioned SQL migrations. Each migration runs in its own transaction together with its
 * history row (PostgreSQL DDL is transactional, so a failing migration leaves nothing behind), and
 * each transaction first takes a transaction-scoped advisory lock and re-reads the history, so two
 * instances starting at once never apply the same migration twice and never out of order. Before
 * anything runs, applied migrations are checked against the files: a changed checksum or a missing
 * file is drift (`DATA_MIGRATION_DRIFT`), and nothing is applied.
 */
export class Migrator {
  readonly #client: SqlClient;
  readonly #migrations: Migration[];
  readonly #table: string;
  readonly #lockTimeoutMs: number;
  readonly #lockKey: string;

  constructor(options: MigratorOptions) {
    assertDataOption(typeof options?.client?.transaction === 'function', 'client');
    this.#client = options.client;
    this.#migrations = assertMigrations(options.migrations);
    this.#table = options.table ?? 'plumego_migrations';
    assertDataOption(IDENTIFIER.test(this.#table), 'table');
    this.#lockTimeoutMs = options.lockTimeoutMs ?? 10_000;
    assertDataOption(Number.isSafeInteger(this.#lockTimeoutMs) && this.#lockTimeoutMs > 0, 'lockTimeoutMs');
    this.#lockKey = lockKey(this.#table);
  }

  async #ensureTable(tx: SqlExecutor): Promise<void> {
    await tx.exec(`CREATE TABLE IF NOT EXISTS ${this.#table} (
      version bigint PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now(), duration_ms integer NOT NULL)`);
  }

  async #history(tx: SqlExecutor): Promise<Map<number, HistoryRow>> {
    const rows = await tx.query<HistoryRow>(
      `SELECT version, name, checksum, applied_at FROM ${this.#table} ORDER BY version`,
    );
    return new Map(rows.map((r) => [Number(r.version), r]));
  }

  /** Runs `fn` in a transaction holding the migration lock (waiting at most `lockTimeoutMs`). */
  async #locked<T>(fn: (tx: SqlExecutor, history: Map<number, HistoryRow>) => Promise<T>): Promise<T> {
    try {
      return await this.#client.transaction(
        async (tx) => {
          await tx.exec(`SET LOCAL lock_timeout = ${this.#lockTimeoutMs}`);
          await tx.query('SELECT pg_advisory_xact_lock($1::bigint)', [this.#lockKey]);
          await tx.exec('SET LOCAL lock_timeout = 0');
          await this.#ensureTable(tx);
          return fn(tx, await this.#history(tx));
        },
        { retries: 0 },
      );
    } catch (err) {
      if (isDataError(err) && err.sqlState === '55P03')
        throw new DataError('PLUMEGO_ERR_DATA_MIGRATION_LOCKED', { cause: err });
      throw err;
    }
  }

  #assertNoDrift(history: Map<number, HistoryRow>): void {
    const known = new Map(this.#migrations.map((m) => [m.version, m]));
    for (const [version, row] of history) {
      const migration = known.get(version);
      if (migration === undefined)
        throw new DataError('PLUMEGO_ERR_DATA_MIGRATION_DRIFT', { reason: `missing:${version}` });
      if (row.checksum !== getMigrationChecksum(migration))
        throw new DataError('PLUMEGO_ERR_DATA_MIGRATION_DRIFT', { reason: `checksum:${version}` });
    }
  }

  /** Every known migration with whether it is applied and whether its checksum still matches. */
  async readStatus(): Promise<MigrationState[]> {
    const history = await this.#locked(async (_tx, h) => h);
    const versions = new Set([...this.#migrations.map((m) => m.version), ...history.keys()]);
    return [...versions]
      .sort((a, b) => a - b)
      .map((version) => {
        const m = this.#migrations.find((x) => x.version === version);
        const row = history.get(version);
        return {
          version,
          name: m?.name ?? row?.name ?? '',
          applied: row !== undefined,
          appliedAt: row?.applied_at.getTime(),
          checksumMatches: row === undefined ? undefined : m !== undefined && row.checksum === getMigrationChecksum(m),
        };
      });
  }

  /** Throws `DATA_MIGRATION_DRIFT` when an applied migration changed or disappeared. */
  async verify(): Promise<void> {
    await this.#locked(async (_tx, history) => this.#assertNoDrift(history));
  }

  /** Applies pending migrations up to `to` (default: all); returns the versions applied, in order. */
  async up(options: { to?: number } = {}): Promise<number[]> {
    const target = options.to ?? Number.MAX_SAFE_INTEGER;
    const applied: number[] = [];
    for (;;) {
      const next = await this.#locked(async (tx, history) => {
        this.#assertNoDrift(history);
        const pending = this.#migrations.find((m) => m.version <= target && !history.has(m.version));
        if (pending === undefined) return undefined;
        const started = Date.now();
        await this.#apply(tx, pending.up, pending.version);
        await tx.exec(`INSERT INTO ${this.#table} (version, name, checksum, duration_ms) VALUES ($1, $2, $3, $4)`, [
          pending.version,
          pending.name,
          getMigrationChecksum(pending),
          Date.now() - started,
        ]);
        return pending.version;
      });
      if (next === undefined) return applied;
      applied.push(next);
    }
  }

  /** Rolls back the latest `steps` applied migrations (default 1), newest first; returns their versions. */
  async down(options: { steps?: number } = {}): Promise<number[]> {
    const steps = options.steps ?? 1;
    assertDataOption(Number.isSafeInteger(steps) && steps > 0, 'steps');
    const reverted: number[] = [];
    for (let i = 0; i < steps; i++) {
      const version = await this.#locked(async (tx, history) => {
        this.#assertNoDrift(history);
        const latest = [...history.keys()].sort((a, b) => b - a)[0];
        if (latest === undefined) return undefined;
        const migration = this.#migrations.find((m) => m.version === latest) as Migration;
        if (migration.down === undefined)
          throw new DataError('PLUMEGO_ERR_DATA_MIGRATION_IRREVERSIBLE', { reason: `version:${latest}` });
        await this.#apply(tx, migration.down, latest);
        await tx.exec(`DELETE FROM ${this.#table} WHERE version = $1`, [latest]);
        return latest;
      });
      if (version === undefined) break;
      reverted.push(version);
    }
    return reverted;
  }

  async #apply(tx: SqlExecutor, sql: string, version: number): Promise<void> {
    try {
      // A multi-statement script runs through the simple query protocol (no parameters).
      await tx.exec(sql);
    } catch (err) {
      throw new DataError('PLUMEGO_ERR_DATA_MIGRATION_FAILED', {
        reason: `version:${version}`,
        ...(isDataError(err) && err.sqlState !== undefined ? { sqlState: err.sqlState } : {}),
        cause: err,
      });
    }
  }
}
