import type { Redis } from 'ioredis';

/** Decides which replica runs an occurrence: the first to claim its key. */
export interface RunLock {
  /** True for exactly one caller per key until `ttlMs` passes. */
  claim(key: string, ttlMs: number): Promise<boolean>;
}

/**
 * Redis `SET key NX PX ttl`: one replica wins each occurrence key. The key is per occurrence
 * (`<job>:<scheduled time>`), so a slow winner never blocks the next occurrence, and the TTL only
 * has to outlast clock skew between replicas.
 */
export class RedisRunLock implements RunLock {
  constructor(private readonly redis: Redis, private readonly prefix = 'plumego:scheduler') {}

  async claim(key: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(`${this.prefix}:${key}`, '1', 'PX', ttlMs, 'NX')) === 'OK';
  }
}
