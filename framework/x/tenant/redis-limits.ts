import { createHash } from 'node:crypto';
import { assertOption, TENANT_ERROR_CODES, TenantError } from './errors.ts';
import { getRetryAfterMs, slidingCount, type LimitDecision, type QuotaStore, type RateLimitStore } from './limits.ts';

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
      throw new TenantError(TENANT_ERROR_CODES.stateUnavailable, 'tenant limit state is unavailable', { backend: 'redis' }, err);
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
  assertOption(typeof options?.client?.evalsha === 'function' && typeof options.client.eval === 'function', 'client', 'must offer evalsha and eval (an ioredis client does)');
  const prefix = options.prefix ?? 'plumego:tenant:';
  assertOption(typeof prefix === 'string', 'prefix', 'must be a string');
  return { client: options.client, prefix };
}

/** Quota windows shared by every instance through Redis (one round trip per request). */
export class RedisQuotaStore implements QuotaStore {
  readonly #client: RedisScriptClient;
  readonly #prefix: string;

  constructor(options: RedisLimitStoreOptions) {
    ({ client: this.#client, prefix: this.#prefix } = resolve(options));
  }

  async consume(key: string, limit: number, windowMs: number, window: 'fixed' | 'sliding', now: number): Promise<LimitDecision> {
    const index = Math.floor(now / windowMs);
    const resetAt = (index + 1) * windowMs;
    // The hash tag keeps a key's windows in one cluster slot, so the script may touch both.
    const base = `${this.#prefix}q:{${key}}:${windowMs}:`;
    if (window === 'fixed') {
      const [ok, count] = (await FIXED.run(this.#client, [base + index], [limit, windowMs])) as [number, number];
      return ok === 1
        ? { allowed: true, limit, remaining: Math.max(0, limit - count), resetAt, retryAfterMs: 0 }
        : { allowed: false, limit, remaining: 0, resetAt, retryAfterMs: getRetryAfterMs('fixed', 0, count, limit, windowMs, now) };
    }
    const elapsed = (now % windowMs) / windowMs;
    const [ok, cur, prev] = (await SLIDING.run(this.#client, [base + index, base + (index - 1)], [limit, windowMs * 2, elapsed])) as [number, number, number];
    if (ok === 1) {
      const used = slidingCount(prev, cur, windowMs, now);
      return { allowed: true, limit, remaining: Math.max(0, Math.floor(limit - used)), resetAt, retryAfterMs: 0 };
    }
    return { allowed: false, limit, remaining: 0, resetAt, retryAfterMs: getRetryAfterMs('sliding', prev, cur, limit, windowMs, now) };
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
    const fullMs = Math.ceil((burst / ratePerSecond) * 1000);
    const [ok, left] = (await BUCKET.run(this.#client, [`${this.#prefix}r:{${key}}`], [ratePerSecond, burst, now, fullMs * 2 + 1000])) as [number, string];
    const tokens = Number(left);
    const fullIn = ((burst - tokens) / ratePerSecond) * 1000;
    return ok === 1
      ? { allowed: true, limit: burst, remaining: Math.floor(tokens), resetAt: Math.ceil(now + fullIn), retryAfterMs: 0 }
      : { allowed: false, limit: burst, remaining: 0, resetAt: Math.ceil(now + fullIn), retryAfterMs: Math.ceil(((1 - tokens) / ratePerSecond) * 1000) };
  }
}
