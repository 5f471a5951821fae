import type { Redis } from 'ioredis';
import { AI_SESSION_ERROR_CODES, AiSessionError, assertOption, storageFailed } from './errors.ts';
import type { SessionRecord, SessionStorage } from './storage.ts';

export interface RedisSessionStorageOptions {
  /** A connected ioredis client; the caller owns it. Required. */
  client: Redis;
  /** Key prefix. Default `plumego:ai:session:`. */
  prefix?: string;
  now?: () => number;
}

// Compare-and-set in one round trip: the stored version must equal ARGV[1]; the key expires with the session.
const CAS = `
local cur = redis.call('GET', KEYS[1])
local v = 0
if cur then
  local r = cjson.decode(cur)
  -- An expired record (by the caller's clock) counts as absent, as in every other storage.
  if type(r['expiresAt']) == 'number' and r['expiresAt'] <= tonumber(ARGV[4]) then v = 0 else v = r['version'] end
end
if v ~= tonumber(ARGV[1]) then return -1 end
local ttl = tonumber(ARGV[3])
if ttl > 0 then redis.call('SET', KEYS[1], ARGV[2], 'PX', ttl) else redis.call('SET', KEYS[1], ARGV[2]) end
return 1`;

/** Shared storage for several instances; Redis expires sessions itself (`PX` from `expiresAt`). */
export class RedisSessionStorage implements SessionStorage {
  readonly #client: Redis;
  readonly #prefix: string;
  readonly #now: () => number;

  constructor(options: RedisSessionStorageOptions) {
    assertOption(typeof options.client?.eval === 'function', 'client', 'must be an ioredis client');
    this.#client = options.client;
    this.#prefix = options.prefix ?? 'plumego:ai:session:';
    this.#now = options.now ?? Date.now;
  }

  async read(id: string): Promise<SessionRecord | undefined> {
    let raw: string | null;
    try {
      raw = await this.#client.get(this.#prefix + id);
    } catch (error) {
      throw storageFailed('redis', error);
    }
    if (raw === null) return undefined;
    const record = JSON.parse(raw) as SessionRecord;
    return record.expiresAt !== undefined && record.expiresAt <= this.#now() ? undefined : record;
  }

  async write(record: SessionRecord, expectedVersion: number): Promise<void> {
    const ttl = record.expiresAt === undefined ? 0 : Math.max(1, record.expiresAt - this.#now());
    let result: unknown;
    try {
      result = await this.#client.eval(
        CAS,
        1,
        this.#prefix + record.id,
        String(expectedVersion),
        JSON.stringify(record),
        String(ttl),
        String(this.#now()),
      );
    } catch (error) {
      throw storageFailed('redis', error);
    }
    if (result !== 1)
      throw new AiSessionError(AI_SESSION_ERROR_CODES.conflict, 'session changed concurrently', { expectedVersion });
  }

  async delete(id: string): Promise<boolean> {
    try {
      return (await this.#client.del(this.#prefix + id)) > 0;
    } catch (error) {
      throw storageFailed('redis', error);
    }
  }
}
