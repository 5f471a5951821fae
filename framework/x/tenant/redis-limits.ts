import { createHash } from 'node:crypto';
import { assertOption, TENANT_ERROR_CODES, TenantError } from './errors.ts';
import {
  getRetryAfterMs,
  slidingCount,
  type LimitDecision,
  type QuotaStore,
  type RateLimitStore,
  type TenantLimits,
  type TenantLimitsDecision,
  type TenantLimitsStore,
} from './limits.ts';

/**
 * The few Redis commands the stores use, as ioredis (and node-redis through a thin wrapper) offers
 * them. The app owns the client, its connection and its reconnection policy.
 */
export interface RedisScriptClient {
  evalsha(sha: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
}

export interface RedisLimitStoreOptions {
  client: RedisScriptClient;
  /** Key prefix (default `plumego:tenant:`); give each app or environment its own. */
  prefix?: string;
}

class Script {
  readonly sha: string;
  constructor(readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  /** One round trip when the script is cached on the server (EVALSHA), two the first time. */
  async run(client: RedisScriptClient, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    try {
      try {
        return await client.evalsha(this.sha, keys.length, ...keys, ...args);
      } catch (err) {
        if (!String((err as Error)?.message ?? '').includes('NOSCRIPT')) throw err;
        return await client.eval(this.source, keys.length, ...keys, ...args);
      }
    } catch (err) {
      // The client's message can carry the connection URL; only the code travels on.
      throw new TenantError(
        TENANT_ERROR_CODES.stateUnavailable,
        'tenant limit state is unavailable',
        { backend: 'redis' },
        err,
      );
    }
  }
}

// Read, decide and count in one script: a read-modify-write from the client would let two
// instances both take the last slot.
const FIXED = new Script(`
local limit = tonumber(ARGV[1])
local c = tonumber(redis.call('GET', KEYS[1]) or '0')
if c >= limit then return {0, c} end
c = redis.call('INCR', KEYS[1])
if c == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return {1, c}`);

const SLIDING = new Script(`
local limit = tonumber(ARGV[1])
local prev = tonumber(redis.call('GET', KEYS[2]) or '0')
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if prev * (1 - tonumber(ARGV[3])) + cur + 1 > limit then return {0, cur, prev} end
cur = redis.call('INCR', KEYS[1])
if cur == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return {1, cur, prev}`);

const BUCKET = new Script(`
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local v = redis.call('HMGET', KEYS[1], 't', 'a')
local tokens = tonumber(v[1])
local at = tonumber(v[2])
if tokens == nil or at == nil then tokens = burst at = now end
if now > at then tokens = math.min(burst, tokens + (now - at) / 1000 * rate) at = now end
local allowed = 0
if tokens >= 1 then tokens = tokens - 1 allowed = 1 end
redis.call('HSET', KEYS[1], 't', tostring(tokens), 'a', tostring(at))
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return {allowed, tostring(tokens)}`);

function resolve(options: RedisLimitStoreOptions): { client: RedisScriptClient; prefix: string } {
  assertOption(
    typeof options?.client?.evalsha === 'function' && typeof options.client.eval === 'function',
    'client',
    'must offer evalsha and eval (an ioredis client does)',
  );
  const prefix = options.prefix ?? 'plumego:tenant:';
  assertOption(typeof prefix === 'string', 'prefix', 'must be a string');
  return { client: options.client, prefix };
}

// The hash tag keeps a key's windows in one cluster slot, so a script may touch both.
function quotaBase(prefix: string, key: string, windowMs: number): string {
  return `${prefix}q:{${key}}:${windowMs}:`;
}

function rateKey(prefix: string, key: string): string {
  return `${prefix}r:{${key}}`;
}

/** A bucket idle for twice its refill time is full again: its key may expire. */
function bucketTtl(ratePerSecond: number, burst: number): number {
  return Math.ceil((burst / ratePerSecond) * 1000) * 2 + 1000;
}

function quotaDecision(
  window: 'fixed' | 'sliding',
  ok: number,
  cur: number,
  prev: number,
  limit: number,
  windowMs: number,
  now: number,
): LimitDecision {
  const resetAt = (Math.floor(now / windowMs) + 1) * windowMs;
  if (ok !== 1)
    return {
      allowed: false,
      limit,
      remaining: 0,
      resetAt,
      retryAfterMs: getRetryAfterMs(window, prev, cur, limit, windowMs, now),
    };
  const used = window === 'sliding' ? slidingCount(prev, cur, windowMs, now) : cur;
  return { allowed: true, limit, remaining: Math.max(0, Math.floor(limit - used)), resetAt, retryAfterMs: 0 };
}

function bucketDecision(ok: number, tokens: number, ratePerSecond: number, burst: number, now: number): LimitDecision {
  const resetAt = Math.ceil(now + ((burst - tokens) / ratePerSecond) * 1000);
  return ok === 1
    ? { allowed: true, limit: burst, remaining: Math.floor(tokens), resetAt, retryAfterMs: 0 }
    : {
        allowed: false,
        limit: burst,
        remaining: 0,
        resetAt,
        retryAfterMs: Math.ceil(((1 - tokens) / ratePerSecond) * 1000),
      };
}

/** Quota windows shared by every instance through Redis (one round trip per request). */
export class RedisQuotaStore implements QuotaStore {
  readonly #client: RedisScriptClient;
  readonly #prefix: string;

  constructor(options: RedisLimitStoreOptions) {
    ({ client: this.#client, prefix: this.#prefix } = resolve(options));
  }

  async consume(
    key: string,
    limit: number,
    windowMs: number,
    window: 'fixed' | 'sliding',
    now: number,
  ): Promise<LimitDecision> {
    const index = Math.floor(now / windowMs);
    const base = quotaBase(this.#prefix, key, windowMs);
    if (window === 'fixed') {
      const [ok, count] = (await FIXED.run(this.#client, [base + index], [limit, windowMs])) as [number, number];
      return quotaDecision('fixed', ok, count, 0, limit, windowMs, now);
    }
    const elapsed = (now % windowMs) / windowMs;
    const [ok, cur, prev] = (await SLIDING.run(
      this.#client,
      [base + index, base + (index - 1)],
      [limit, windowMs * 2, elapsed],
    )) as [number, number, number];
    return quotaDecision('sliding', ok, cur, prev, limit, windowMs, now);
  }
}

/** Token buckets shared by every instance through Redis (one round trip per request). */
export class RedisRateLimitStore implements RateLimitStore {
  readonly #client: RedisScriptClient;
  readonly #prefix: string;

  constructor(options: RedisLimitStoreOptions) {
    ({ client: this.#client, prefix: this.#prefix } = resolve(options));
  }

  async take(key: string, ratePerSecond: number, burst: number, now: number): Promise<LimitDecision> {
    const [ok, left] = (await BUCKET.run(
      this.#client,
      [rateKey(this.#prefix, key)],
      [ratePerSecond, burst, now, bucketTtl(ratePerSecond, burst)],
    )) as [number, string];
    return bucketDecision(ok, Number(left), ratePerSecond, burst, now);
  }
}

/**
 * Rate limit and quota in ONE script, so a request that passes both costs one round trip (EVALSHA)
 * instead of two. Same keys and arithmetic as the two separate stores, so they can be mixed during
 * a rollout; the bucket is checked first and a refused request never reaches the quota counter.
 */
const COMBINED = new Script(`
local now = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local rateOk = 1
local tokens = ''
if rate > 0 then
  local burst = tonumber(ARGV[3])
  local v = redis.call('HMGET', KEYS[1], 't', 'a')
  local t = tonumber(v[1])
  local at = tonumber(v[2])
  if t == nil or at == nil then t = burst at = now end
  if now > at then t = math.min(burst, t + (now - at) / 1000 * rate) at = now end
  if t >= 1 then t = t - 1 else rateOk = 0 end
  redis.call('HSET', KEYS[1], 't', tostring(t), 'a', tostring(at))
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
  tokens = tostring(t)
end
local mode = tonumber(ARGV[5])
if rateOk == 0 or mode == 0 then return {rateOk, tokens, -1, 0, 0} end
local limit = tonumber(ARGV[6])
local prev = 0
if mode == 2 then prev = tonumber(redis.call('GET', KEYS[3]) or '0') end
local cur = tonumber(redis.call('GET', KEYS[2]) or '0')
if prev * (1 - tonumber(ARGV[8])) + cur + 1 > limit then return {rateOk, tokens, 0, cur, prev} end
cur = redis.call('INCR', KEYS[2])
if cur == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[7]) end
return {rateOk, tokens, 1, cur, prev}`);

/** Rate limit and quota shared by every instance through Redis: one script, one round trip per request. */
export class RedisTenantLimitsStore implements TenantLimitsStore {
  readonly #client: RedisScriptClient;
  readonly #prefix: string;

  constructor(options: RedisLimitStoreOptions) {
    ({ client: this.#client, prefix: this.#prefix } = resolve(options));
  }

  async check(key: string, limits: TenantLimits, now: number): Promise<TenantLimitsDecision> {
    const { rateLimit: rl, quota: q } = limits;
    if (!rl && !q) return {};
    const windowMs = q?.windowMs ?? 1;
    const window = q?.window ?? 'fixed';
    const index = Math.floor(now / windowMs);
    const base = quotaBase(this.#prefix, key, windowMs);
    // Every key carries the same hash tag, so a cluster keeps them in one slot for the one script.
    const keys = [rateKey(this.#prefix, key), base + index, base + (index - 1)];
    const args = [
      now,
      rl?.ratePerSecond ?? 0,
      rl?.burst ?? 0,
      rl ? bucketTtl(rl.ratePerSecond, rl.burst) : 0,
      q ? (window === 'fixed' ? 1 : 2) : 0,
      q?.limit ?? 0,
      window === 'fixed' ? windowMs : windowMs * 2,
      (now % windowMs) / windowMs,
    ];
    const [rateOk, left, quotaOk, cur, prev] = (await COMBINED.run(this.#client, keys, args)) as [
      number,
      string,
      number,
      number,
      number,
    ];
    const rateLimit = rl ? bucketDecision(rateOk, Number(left), rl.ratePerSecond, rl.burst, now) : undefined;
    const quota = q && quotaOk !== -1 ? quotaDecision(window, quotaOk, cur, prev, q.limit, windowMs, now) : undefined;
    return { ...(rateLimit ? { rateLimit } : {}), ...(quota ? { quota } : {}) };
  }
}
