import { DataError, assertDataOption, isDataError } from 'plumego/x/data';
import type { QueryOptions, SqlClient, SqlExecutor, TransactionOptions } from 'plumego/x/data/sql';
import { createShardLocator, type ShardKey, type ShardLocator, type ShardStrategy } from './strategy.ts';

export interface ShardRouterOptions {
  /** One client per shard database, in shard order. Required. */
  shards: readonly SqlClient[];
  /** How keys map to shards. Required. */
  strategy: ShardStrategy;
}

export interface ScatterOptions {
  /** Return what the reachable shards answered instead of failing when one is down. Default: false. */
  allowPartial?: boolean;
  /** Only these shards. Default: all. */
  shards?: readonly number[];
}

export interface ScatterResult<T> {
  /** One entry per shard asked, in shard order. */
  results: Array<{ shard: number; value: T }>;
  /** Shards that failed (only with `allowPartial`). */
  failed: Array<{ shard: number; error: DataError }>;
}

const CONNECTION_CODES = new Set([
  'PLUMEGO_ERR_DATA_CONNECTION_LOST',
  'PLUMEGO_ERR_DATA_POOL_EXHAUSTED',
  'PLUMEGO_ERR_DATA_COMMIT_UNKNOWN',
]);

/** A shard that cannot be reached is reported as such, naming the shard, never as an empty result. */
function onShard<T>(shard: number, run: () => Promise<T>): Promise<T> {
  return run().catch((err: unknown) => {
    if (isDataError(err) && CONNECTION_CODES.has(err.code))
      throw new DataError('PLUMEGO_ERR_DATA_SHARD_UNAVAILABLE', { reason: `shard:${shard}`, cause: err });
    throw err;
  });
}

/**
 * Routes work to one of N PostgreSQL databases by a shard key. Everything keyed runs on exactly one
 * shard; work whose keys span shards is refused with `DATA_CROSS_SHARD` (there is no cross-shard
 * transaction), and fan-out happens only through the explicit `scatter`.
 */
export class ShardRouter {
  readonly #shards: readonly SqlClient[];
  readonly #locate: ShardLocator;

  constructor(options: ShardRouterOptions) {
    assertDataOption(
      Array.isArray(options?.shards) &&
        options.shards.length > 0 &&
        options.shards.every((s) => typeof s?.query === 'function'),
      'shards',
    );
    this.#shards = [...options.shards];
    this.#locate = createShardLocator(options.strategy, this.#shards.length);
  }

  get shardCount(): number {
    return this.#shards.length;
  }

  /** The shard index `key` lives on. */
  getShard(key: ShardKey): number {
    return this.#locate(key);
  }

  /** The one shard all `keys` live on; `DATA_CROSS_SHARD` when they span several. */
  getCommonShard(keys: readonly ShardKey[]): number {
    if (!Array.isArray(keys) || keys.length === 0)
      throw new DataError('PLUMEGO_ERR_DATA_INVALID_SHARD_KEY', { reason: 'no_keys' });
    const shards = new Set(keys.map((k) => this.#locate(k)));
    if (shards.size > 1)
      throw new DataError('PLUMEGO_ERR_DATA_CROSS_SHARD', {
        reason: `shards:${[...shards].sort((a, b) => a - b).join(',')}`,
      });
    return shards.values().next().value as number;
  }

  /** An executor bound to the shard of `key` (or of all `keys`, which must share one). */
  on(key: ShardKey | readonly ShardKey[]): SqlExecutor & {
    transaction<T>(fn: (tx: SqlExecutor, attempt: number) => Promise<T>, options?: TransactionOptions): Promise<T>;
    readonly shard: number;
  } {
    const shard = Array.isArray(key) ? this.getCommonShard(key) : this.getShard(key as ShardKey);
    const client = this.#shards[shard] as SqlClient;
    return {
      shard,
      query: <T>(sql: string, params?: readonly unknown[], options?: QueryOptions) =>
        onShard(shard, () => client.query<T>(sql, params, options)),
      queryOne: <T>(sql: string, params?: readonly unknown[], options?: QueryOptions) =>
        onShard(shard, () => client.queryOne<T>(sql, params, options)),
      exec: (sql: string, params?: readonly unknown[], options?: QueryOptions) =>
        onShard(shard, () => client.exec(sql, params, options)),
      transaction: <T>(fn: (tx: SqlExecutor, attempt: number) => Promise<T>, options?: TransactionOptions) =>
        onShard(shard, () => client.transaction(fn, options)),
    };
  }

  /**
   * Runs `fn` on every shard (or `options.shards`) concurrently: the explicit scatter-gather for
   * reports and admin work. Fails with the first unreachable shard's `DATA_SHARD_UNAVAILABLE`
   * unless `allowPartial`, so a missing shard is never silently a smaller answer.
   */
  async scatter<T>(
    fn: (executor: SqlExecutor, shard: number) => Promise<T>,
    options: ScatterOptions = {},
  ): Promise<ScatterResult<T>> {
    const targets = options.shards ?? this.#shards.map((_, i) => i);
    for (const s of targets)
      if (!Number.isSafeInteger(s) || s < 0 || s >= this.#shards.length)
        throw new DataError('PLUMEGO_ERR_DATA_INVALID_OPTIONS', { reason: 'field:shards' });
    const settled = await Promise.allSettled(
      targets.map((shard) => onShard(shard, () => fn(this.#shards[shard] as SqlClient, shard))),
    );
    const out: ScatterResult<T> = { results: [], failed: [] };
    settled.forEach((s, i) => {
      const shard = targets[i] as number;
      if (s.status === 'fulfilled') out.results.push({ shard, value: s.value });
      else if (options.allowPartial === true && isDataError(s.reason, 'PLUMEGO_ERR_DATA_SHARD_UNAVAILABLE'))
        out.failed.push({ shard, error: s.reason });
      else throw s.reason;
    });
    return out;
  }
}
