import type { Redis } from 'ioredis';
import { StoreError } from 'plumego/store';
import { assertDataOption } from 'plumego/x/data';
import { callRedis } from './redis-errors.ts';

export interface LeaderboardOptions {
  redis: Redis;
  /** The sorted set's key. Required. */
  key: string;
  /** `desc` (default): the highest score ranks first. */
  order?: 'desc' | 'asc';
}

export interface LeaderboardEntry {
  member: string;
  score: number;
  /** 0-based position in the board's order. */
  rank: number;
}

function assertMember(member: unknown): string {
  if (typeof member !== 'string' || member === '' || member.length > 512)
    throw new StoreError('PLUMEGO_ERR_CACHE_INVALID_KEY', { reason: 'member' });
  return member;
}

function assertScore(score: unknown): number {
  if (typeof score !== 'number' || !Number.isFinite(score))
    throw new StoreError('PLUMEGO_ERR_CACHE_INVALID_VALUE', { reason: 'score' });
  return score;
}

/**
 * A leaderboard on one Redis sorted set: scores, atomic increments, ranks and pages. Ties are
 * broken by member name (Redis' order), so a page is stable between calls.
 */
export class Leaderboard {
  readonly #redis: Redis;
  readonly #key: string;
  readonly #desc: boolean;

  constructor(options: LeaderboardOptions) {
    assertDataOption(typeof options?.redis?.zadd === 'function', 'redis');
    assertDataOption(typeof options.key === 'string' && options.key !== '', 'key');
    assertDataOption(options.order === undefined || options.order === 'desc' || options.order === 'asc', 'order');
    this.#redis = options.redis;
    this.#key = options.key;
    this.#desc = (options.order ?? 'desc') === 'desc';
  }

  /** Sets `member`'s score. */
  async setScore(member: string, score: number): Promise<void> {
    await callRedis(() => this.#redis.zadd(this.#key, assertScore(score), assertMember(member)));
  }

  /** Adds `by` to `member`'s score (a new member starts at 0); returns the new score. */
  async incrementScore(member: string, by: number): Promise<number> {
    return Number(await callRedis(() => this.#redis.zincrby(this.#key, assertScore(by), assertMember(member))));
  }

  async getScore(member: string): Promise<number | undefined> {
    const score = await callRedis(() => this.#redis.zscore(this.#key, assertMember(member)));
    return score === null ? undefined : Number(score);
  }

  /** 0-based rank, or undefined for a member not on the board. */
  async getRank(member: string): Promise<number | undefined> {
    const m = assertMember(member);
    const rank = await callRedis(() =>
      this.#desc ? this.#redis.zrevrank(this.#key, m) : this.#redis.zrank(this.#key, m),
    );
    return rank === null ? undefined : rank;
  }

  /** Entries at ranks `offset` … `offset + limit - 1`. */
  async readPage(offset: number, limit: number): Promise<LeaderboardEntry[]> {
    if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(limit) || limit < 1 || limit > 1000) {
      throw new StoreError('PLUMEGO_ERR_CACHE_INVALID_VALUE', { reason: 'page' });
    }
    const stop = offset + limit - 1;
    const flat = await callRedis(() =>
      this.#desc
        ? this.#redis.zrevrange(this.#key, offset, stop, 'WITHSCORES')
        : this.#redis.zrange(this.#key, offset, stop, 'WITHSCORES'),
    );
    const entries: LeaderboardEntry[] = [];
    for (let i = 0; i < flat.length; i += 2)
      entries.push({ member: flat[i] as string, score: Number(flat[i + 1]), rank: offset + i / 2 });
    return entries;
  }

  /** Up to `radius` entries either side of `member`, with it; empty when it is not on the board. */
  async readAround(member: string, radius: number): Promise<LeaderboardEntry[]> {
    const rank = await this.getRank(member);
    if (rank === undefined) return [];
    const offset = Math.max(0, rank - radius);
    return this.readPage(offset, rank - offset + radius + 1);
  }

  /** True when the member was on the board. */
  async remove(member: string): Promise<boolean> {
    return (await callRedis(() => this.#redis.zrem(this.#key, assertMember(member)))) === 1;
  }

  async size(): Promise<number> {
    return callRedis(() => this.#redis.zcard(this.#key));
  }
}
