import { DataError, assertDataOption, isDataError } from 'plumego/x/data';
import type { QueryOptions, SqlClient, SqlExecutor, TransactionOptions } from 'plumego/x/data/sql';
import { formatLsn, parseLsn } from './lsn.ts';

export interface RwRouterOptions {
  /** Takes every write and transaction. Required. */
  primary: SqlClient;
  /** Streaming replicas reads may go to. Default: none (everything on the primary). */
  replicas?: readonly SqlClient[];
  /** A replica further behind than this is skipped, ms. Default: 1000. */
  maxLagMs?: number;
  /** How old the replicas' replay positions may be before a read refreshes them, ms. Default: 250. */
  refreshIntervalMs?: number;
  /** How long a replica that failed stays out of rotation, ms. Default: 5000. */
  retryDownMs?: number;
}

export interface ReplicaState {
  index: number;
  healthy: boolean;
  /** WAL replayed by the replica. */
  replayLsn: string | undefined;
  /** How far behind the primary, ms (0 when caught up). */
  lagMs: number;
  /** When the state was read (Unix ms). */
  checkedAt: number;
}

export interface RwStats {
  primaryReads: number;
  replicaReads: number;
  /** Reads that went to the primary because no replica qualified (lag, failure, read-your-writes). */
  fallbacks: number;
  writes: number;
}

interface Replica {
  client: SqlClient;
  state: ReplicaState;
  lsn: bigint | undefined;
  downUntil: number;
}

/**
 * Routes statements between a primary and streaming replicas. `exec` and `transaction` always run
 * on the primary; `query` runs on a replica that is healthy and at most `maxLagMs` behind, round
 * robin, and on the primary when none qualifies (counted as a fallback, never an error). A replica
 * that fails mid-read is taken out of rotation for `retryDownMs` and the read is re-run on the
 * primary. For read-your-writes, use a `session()`: after it writes, its reads go only to replicas
 * that have replayed that write's WAL position.
 */
export class RwRouter implements SqlExecutor {
  readonly #primary: SqlClient;
  readonly #replicas: Replica[];
  readonly #maxLagMs: number;
  readonly #refreshMs: number;
  readonly #retryDownMs: number;
  #next = 0;
  #refreshing: Promise<void> | undefined;
  #refreshedAt = 0;
  readonly #stats: RwStats = { primaryReads: 0, replicaReads: 0, fallbacks: 0, writes: 0 };

  constructor(options: RwRouterOptions) {
    assertDataOption(typeof options?.primary?.query === 'function', 'primary');
    const replicas = options.replicas ?? [];
    assertDataOption(Array.isArray(replicas) && replicas.every((r) => typeof r?.query === 'function'), 'replicas');
    this.#primary = options.primary;
    this.#maxLagMs = options.maxLagMs ?? 1000;
    this.#refreshMs = options.refreshIntervalMs ?? 250;
    this.#retryDownMs = options.retryDownMs ?? 5000;
    for (const [field, value] of [
      ['maxLagMs', this.#maxLagMs],
      ['refreshIntervalMs', this.#refreshMs],
      ['retryDownMs', this.#retryDownMs],
    ] as const) {
      assertDataOption(Number.isSafeInteger(value) && value >= 0, field);
    }
    this.#replicas = replicas.map((client, index) => ({
      client,
      lsn: undefined,
      downUntil: 0,
      state: { index, healthy: false, replayLsn: undefined, lagMs: Number.POSITIVE_INFINITY, checkedAt: 0 },
    }));
  }

  getStats(): RwStats {
    return { ...this.#stats };
  }

  getReplicaStates(): ReplicaState[] {
    return this.#replicas.map((r) => ({ ...r.state }));
  }

  /** Reads each replica's replay position and lag now. */
  async refreshReplicaStates(): Promise<void> {
    this.#refreshing ??= this.#refresh().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  async #refresh(): Promise<void> {
    const now = Date.now();
    const primaryRow = await this.#primary.queryOne<{ lsn: string }>('SELECT pg_current_wal_insert_lsn()::text AS lsn');
    const primaryLsn = parseLsn(primaryRow?.lsn);
    await Promise.all(
      this.#replicas.map(async (replica) => {
        if (replica.downUntil > now) return;
        try {
          const row = await replica.client.queryOne<{
            lsn: string | null;
            recovering: boolean;
            idle_ms: number | null;
          }>(
            `SELECT pg_last_wal_replay_lsn()::text AS lsn, pg_is_in_recovery() AS recovering,
            (EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp()) * 1000)::float8 AS idle_ms`,
            [],
            { timeoutMs: 1000 },
          );
          const lsn = parseLsn(row?.lsn);
          // Behind in bytes: the time since the last replayed transaction is how stale reads are. Caught up: 0.
          const behind = lsn === undefined || primaryLsn === undefined || lsn < primaryLsn;
          replica.lsn = lsn;
          replica.state = {
            index: replica.state.index,
            healthy: row?.recovering === true && lsn !== undefined,
            replayLsn: row?.lsn ?? undefined,
            lagMs: behind ? Math.max(0, Number(row?.idle_ms ?? Number.POSITIVE_INFINITY)) : 0,
            checkedAt: now,
          };
        } catch {
          this.#markDown(replica);
        }
      }),
    );
    this.#refreshedAt = now;
  }

  #markDown(replica: Replica): void {
    replica.downUntil = Date.now() + this.#retryDownMs;
    replica.state = { ...replica.state, healthy: false, checkedAt: Date.now() };
  }

  /** A replica that qualifies for a read needing at least `minLsn` replayed, or undefined. */
  async #pickReplica(minLsn: bigint | undefined): Promise<Replica | undefined> {
    if (this.#replicas.length === 0) return undefined;
    if (Date.now() - this.#refreshedAt >= this.#refreshMs) await this.refreshReplicaStates().catch(() => undefined);
    const now = Date.now();
    for (let i = 0; i < this.#replicas.length; i++) {
      const replica = this.#replicas[(this.#next + i) % this.#replicas.length] as Replica;
      if (!replica.state.healthy || replica.downUntil > now || replica.state.lagMs > this.#maxLagMs) continue;
      if (minLsn !== undefined && (replica.lsn === undefined || replica.lsn < minLsn)) continue;
      this.#next = (this.#next + i + 1) % this.#replicas.length;
      return replica;
    }
    return undefined;
  }

  async #read<T>(run: (executor: SqlExecutor) => Promise<T>, minLsn: bigint | undefined): Promise<T> {
    const replica = await this.#pickReplica(minLsn);
    if (replica !== undefined) {
      try {
        const result = await run(replica.client);
        this.#stats.replicaReads++;
        return result;
      } catch (err) {
        // Only a failed replica is retried on the primary; a bad query would fail there too.
        if (
          !isDataError(err) ||
          (err.code !== 'PLUMEGO_ERR_DATA_CONNECTION_LOST' && err.code !== 'PLUMEGO_ERR_DATA_POOL_EXHAUSTED')
        )
          throw err;
        this.#markDown(replica);
      }
    }
    if (this.#replicas.length > 0) this.#stats.fallbacks++;
    this.#stats.primaryReads++;
    return run(this.#primary);
  }

  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<T[]> {
    return this.#read((e) => e.query<T>(sql, params, options), undefined);
  }

  queryOne<T = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
    options?: QueryOptions,
  ): Promise<T | undefined> {
    return this.#read((e) => e.queryOne<T>(sql, params, options), undefined);
  }

  /** Always on the primary. */
  exec(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<number> {
    this.#stats.writes++;
    return this.#primary.exec(sql, params, options);
  }

  /** Always on the primary, reads inside it included. */
  transaction<T>(fn: (tx: SqlExecutor, attempt: number) => Promise<T>, options?: TransactionOptions): Promise<T> {
    this.#stats.writes++;
    return this.#primary.transaction(fn, options);
  }

  /** Reads on the primary, for a read that must see the latest committed state. */
  get primary(): SqlExecutor {
    return this.#primary;
  }

  /**
   * A read-your-writes view: writes through it record the primary's WAL position, and its reads
   * then go only to replicas that have replayed that far (otherwise the primary). `token` resumes
   * a session across requests (the previous session's `token`, carried by the client).
   */
  session(token?: string): RwSession {
    const lsn = token === undefined ? undefined : parseLsn(token);
    if (token !== undefined && lsn === undefined)
      throw new DataError('PLUMEGO_ERR_DATA_INVALID_OPTIONS', { reason: 'field:token' });
    return new RwSession(this, lsn, (run, minLsn) => this.#read(run, minLsn));
  }
}

type Reader = <T>(run: (executor: SqlExecutor) => Promise<T>, minLsn: bigint | undefined) => Promise<T>;

/** One caller's read-your-writes view of an `RwRouter` (see `RwRouter.session`). */
export class RwSession implements SqlExecutor {
  readonly #router: RwRouter;
  readonly #read: Reader;
  #lsn: bigint | undefined;

  constructor(router: RwRouter, lsn: bigint | undefined, read: Reader) {
    this.#router = router;
    this.#lsn = lsn;
    this.#read = read;
  }

  /** The WAL position this session's reads must see; hand it to the client to carry to its next request. */
  get token(): string | undefined {
    return this.#lsn === undefined ? undefined : formatLsn(this.#lsn);
  }

  // The insert position, not the write position: with asynchronous commit the commit record may
  // still sit in WAL buffers, and a replica "past" the write position could lack the commit.
  async #recordWrite(): Promise<void> {
    const row = await this.#router.primary.queryOne<{ lsn: string }>('SELECT pg_current_wal_insert_lsn()::text AS lsn');
    const lsn = parseLsn(row?.lsn);
    if (lsn !== undefined && (this.#lsn === undefined || lsn > this.#lsn)) this.#lsn = lsn;
  }

  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<T[]> {
    return this.#read((e) => e.query<T>(sql, params, options), this.#lsn);
  }

  queryOne<T = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
    options?: QueryOptions,
  ): Promise<T | undefined> {
    return this.#read((e) => e.queryOne<T>(sql, params, options), this.#lsn);
  }

  async exec(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<number> {
    const changed = await this.#router.exec(sql, params, options);
    await this.#recordWrite();
    return changed;
  }

  async transaction<T>(fn: (tx: SqlExecutor, attempt: number) => Promise<T>, options?: TransactionOptions): Promise<T> {
    const result = await this.#router.transaction(fn, options);
    await this.#recordWrite();
    return result;
  }
}
