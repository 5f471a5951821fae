import { createHash } from 'node:crypto';
import { DataError, assertDataOption } from 'plumego/x/data';

export type ShardKey = string | number | bigint;

/** Hash keys into a fixed number of buckets, and buckets onto shards. */
export interface HashStrategy {
  kind: 'hash';
  /**
   * Virtual buckets; fixed for the life of the data, because a key's bucket never changes.
   * Default: 1024. Resharding moves whole buckets by editing `bucketMap`.
   */
  buckets?: number;
  /** Shard of each bucket (length `buckets`). Default: contiguous equal runs of buckets per shard. */
  bucketMap?: readonly number[];
}

/** Ordered, non-overlapping key ranges. */
export interface RangeStrategy {
  kind: 'range';
  /** Each range covers keys below `below` (exclusive) and at or above the previous range's bound. */
  ranges: ReadonlyArray<{ below: number | string; shard: number }>;
}

export type ShardStrategy = HashStrategy | RangeStrategy;

/** A function from key to shard index, validated against `shardCount` when built. */
export type ShardLocator = (key: ShardKey) => number;

function assertKey(key: unknown): ShardKey {
  const ok =
    (typeof key === 'string' && key !== '' && key.length <= 1024) ||
    (typeof key === 'number' && Number.isFinite(key)) ||
    typeof key === 'bigint';
  if (!ok) throw new DataError('PLUMEGO_ERR_DATA_INVALID_SHARD_KEY');
  return key as ShardKey;
}

/** The first 6 bytes of SHA-256 of the key's canonical text: stable across processes, versions and platforms. */
export function getKeyHash(key: ShardKey): number {
  return createHash('sha256')
    .update(`${typeof key === 'string' ? 's' : 'n'}:${String(assertKey(key))}`)
    .digest()
    .readUIntBE(0, 6);
}

export function createShardLocator(strategy: ShardStrategy, shardCount: number): ShardLocator {
  assertDataOption(Number.isSafeInteger(shardCount) && shardCount > 0, 'shards');
  if (strategy?.kind === 'hash') {
    const buckets = strategy.buckets ?? 1024;
    assertDataOption(Number.isSafeInteger(buckets) && buckets >= shardCount && buckets <= 1 << 20, 'strategy.buckets');
    const map = strategy.bucketMap ?? Array.from({ length: buckets }, (_, b) => Math.floor((b * shardCount) / buckets));
    assertDataOption(
      map.length === buckets && map.every((s) => Number.isSafeInteger(s) && s >= 0 && s < shardCount),
      'strategy.bucketMap',
    );
    return (key) => map[getKeyHash(key) % buckets] as number;
  }
  if (strategy?.kind === 'range') {
    const ranges = strategy.ranges;
    assertDataOption(Array.isArray(ranges) && ranges.length > 0, 'strategy.ranges');
    const numeric = typeof ranges[0]?.below === 'number';
    for (let i = 0; i < ranges.length; i++) {
      const r = ranges[i] as { below: number | string; shard: number };
      assertDataOption(
        typeof r.below === (numeric ? 'number' : 'string') &&
          Number.isSafeInteger(r.shard) &&
          r.shard >= 0 &&
          r.shard < shardCount,
        'strategy.ranges',
      );
      if (i > 0) assertDataOption((ranges[i - 1] as { below: number | string }).below < r.below, 'strategy.ranges');
    }
    return (key) => {
      const k = assertKey(key);
      if ((typeof k === 'string') === numeric)
        throw new DataError('PLUMEGO_ERR_DATA_INVALID_SHARD_KEY', { reason: 'type' });
      const found = ranges.find((r) => (k as number | string) < r.below);
      if (found === undefined) throw new DataError('PLUMEGO_ERR_DATA_INVALID_SHARD_KEY', { reason: 'out_of_range' });
      return found.shard;
    };
  }
  return assertDataOption(false, 'strategy') as never;
}
