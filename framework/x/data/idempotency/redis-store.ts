import type { Redis } from 'ioredis';
import {
  StoreError,
  assertIdempotencyKey,
  assertIdempotencyRecord,
  type IdempotencyRecord,
  type IdempotencyStore,
} from 'plumego/store';
import { DataError, assertDataOption, sanitizeDriverError } from 'plumego/x/data';
import { RedisScript } from './redis-script.ts';

export interface RedisIdempotencyStoreOptions {
  /** A connected ioredis client (shared with the app). Required. */
  redis: Redis;
  /** Prefix of every key. Default: `plumego:idem:`. */
  prefix?: string;
  /**
   * How long a record stays in Redis after it expires, ms, so a late `complete` reports
   * `IDEMPOTENCY_EXPIRED` rather than `NOT_FOUND`. Expired records are invisible either way. Default: 60 000.
   */
  retainExpiredMs?: number;
  /** Clock in ms, for tests. Default: `Date.now`. */
  now?: () => number;
}

// Claim: replace only a missing or expired record. One script, so no other client runs between the check and the write.
const CLAIM = new RedisScript(`
local e = redis.call('HGET', KEYS[1], 'e')
if e and tonumber(e) > tonumber(ARGV[1]) then return 0 end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'h', ARGV[2], 's', ARGV[3], 'c', ARGV[4], 'u', ARGV[5], 'e', ARGV[6])
if ARGV[8] == '1' then redis.call('HSET', KEYS[1], 'r', ARGV[9]) end
redis.call('PEXPIRE', KEYS[1], ARGV[7])
return 1`);

// Complete: the contract's order (mismatch, expired, completed) checked and applied atomically.
const COMPLETE = new RedisScript(`
local rec = redis.call('HMGET', KEYS[1], 'h', 's', 'c', 'e')
if not rec[1] then return {'not_found'} end
if rec[1] ~= ARGV[1] then return {'mismatch'} end
if tonumber(rec[4]) <= tonumber(ARGV[2]) then return {'expired'} end
if rec[2] == 'completed' then return {'completed'} end
local u = ARGV[2]
if tonumber(rec[3]) > tonumber(u) then u = rec[3] end
redis.call('HSET', KEYS[1], 's', 'completed', 'r', ARGV[3], 'u', u)
return {'ok', rec[3], u, rec[4]}`);

const OUTCOME_ERRORS = {
  not_found: 'PLUMEGO_ERR_IDEMPOTENCY_NOT_FOUND',
  mismatch: 'PLUMEGO_ERR_IDEMPOTENCY_REQUEST_MISMATCH',
  expired: 'PLUMEGO_ERR_IDEMPOTENCY_EXPIRED',
  completed: 'PLUMEGO_ERR_IDEMPOTENCY_ALREADY_COMPLETED',
} as const;

/** ioredis failures as data errors: a server reply error is a query failure, anything else the connection. */
function toDataError(err: unknown): DataError {
  const reply = err instanceof Error && err.name === 'ReplyError';
  return new DataError(reply ? 'PLUMEGO_ERR_DATA_QUERY' : 'PLUMEGO_ERR_DATA_CONNECTION_LOST', {
    cause: sanitizeDriverError(err),
  });
}

async function call<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw toDataError(err);
  }
}

/**
 * store's idempotency contract on Redis: one hash per key (`h` request hash, `s` status, `r`
 * response bytes, `c`/`u`/`e` times), claimed and completed by Lua scripts so concurrent clients —
 * in any number of processes — get exactly one winner per key. Keys expire in Redis
 * `retainExpiredMs` after the record does. Redis persistence decides durability: with no AOF, a
 * Redis restart forgets claims (the middleware then runs a retried request again).
 */
export class RedisIdempotencyStore implements IdempotencyStore {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #retainMs: number;
  readonly #now: () => number;

  constructor(options: RedisIdempotencyStoreOptions) {
    assertDataOption(typeof options?.redis?.evalsha === 'function', 'redis');
    this.#redis = options.redis;
    this.#prefix = options.prefix ?? 'plumego:idem:';
    this.#retainMs = options.retainExpiredMs ?? 60_000;
    assertDataOption(typeof this.#prefix === 'string' && this.#prefix.length <= 128, 'prefix');
    assertDataOption(Number.isSafeInteger(this.#retainMs) && this.#retainMs >= 0, 'retainExpiredMs');
    this.#now = options.now ?? Date.now;
  }

  async get(key: string): Promise<IdempotencyRecord | undefined> {
    const k = this.#prefix + assertIdempotencyKey(key);
    const fields = await call(() => this.#redis.hgetallBuffer(k));
    const e = fields.e;
    if (e === undefined || Number(e.toString()) <= this.#now()) return undefined;
    const status = fields.s?.toString();
    return {
      key,
      requestHash: fields.h?.toString() ?? '',
      status: status === 'completed' ? 'completed' : 'in_progress',
      response: fields.r === undefined ? undefined : new Uint8Array(fields.r),
      createdAt: Number(fields.c?.toString()),
      updatedAt: Number(fields.u?.toString()),
      expiresAt: Number(e.toString()),
    };
  }

  async putIfAbsent(record: IdempotencyRecord): Promise<boolean> {
    const r = assertIdempotencyRecord(record);
    const now = this.#now();
    const ttl = Math.max(1, r.expiresAt - now) + this.#retainMs;
    const hasResponse = r.response !== undefined;
    const claimed = await call(() =>
      CLAIM.run(
        this.#redis,
        [this.#prefix + r.key],
        [
          now,
          r.requestHash,
          r.status,
          r.createdAt,
          r.updatedAt,
          r.expiresAt,
          ttl,
          hasResponse ? '1' : '0',
          hasResponse ? Buffer.from(r.response as Uint8Array) : '',
        ],
      ),
    );
    return claimed === 1;
  }

  async complete(
    key: string,
    requestHash: string,
    response: Uint8Array,
    at: number = this.#now(),
  ): Promise<IdempotencyRecord> {
    const k = this.#prefix + assertIdempotencyKey(key);
    const result = (await call(() =>
      COMPLETE.run(this.#redis, [k], [requestHash, at, Buffer.from(response)]),
    )) as string[];
    const outcome = result[0] as keyof typeof OUTCOME_ERRORS | 'ok';
    if (outcome !== 'ok') throw new StoreError(OUTCOME_ERRORS[outcome]);
    return {
      key,
      requestHash,
      status: 'completed',
      response: new Uint8Array(response),
      createdAt: Number(result[1]),
      updatedAt: Number(result[2]),
      expiresAt: Number(result[3]),
    };
  }

  async delete(key: string): Promise<void> {
    const k = this.#prefix + assertIdempotencyKey(key);
    await call(() => this.#redis.del(k));
  }
}
