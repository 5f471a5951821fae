import { describe, it, expect, afterAll, inject } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { describeCacheConformance } from 'plumego/store';
import { RedisCache } from './redis-cache.ts';

const url = inject('services').redis;
const root = `plumego-test:cache:${randomBytes(4).toString('hex')}:`;
const clients: Redis[] = [];
let n = 0;

function connect(
  options: {
    lazyConnect?: boolean;
    maxRetriesPerRequest?: number;
    enableOfflineQueue?: boolean;
    retryStrategy?: () => null;
  } = {},
): Redis {
  const client = new Redis(url as string, { maxRetriesPerRequest: 1, ...options });
  clients.push(client);
  return client;
}

afterAll(async () => {
  if (!url) return;
  const admin = new Redis(url);
  const keys = await admin.keys(`${root}*`);
  if (keys.length > 0) await admin.del(...keys);
  await admin.quit();
  for (const c of clients) c.disconnect();
});

if (url) {
  describeCacheConformance(
    { describe, it },
    { name: 'RedisCache', open: () => new RedisCache({ redis: connect(), prefix: `${root}${n++}:` }) },
  );
} else {
  describe.skip('RedisCache cache conformance (skipped: no Redis from inject(services))', () => {
    it('needs Redis', () => {});
  });
}

describe.skipIf(!url)('RedisCache beyond the contract', () => {
  it('runs one loader for concurrent misses across two instances', async () => {
    const prefix = `${root}${n++}:`;
    const a = new RedisCache<{ v: number }>({ redis: connect(), prefix });
    const b = new RedisCache<{ v: number }>({ redis: connect(), prefix });
    let loads = 0;
    const load = async () => {
      loads++;
      await new Promise((resolve) => setTimeout(resolve, 80));
      return { v: 42 };
    };
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).getOrSet('hot', load, { ttlMs: 5000 })),
    );
    expect(results.every((r) => r.v === 42)).toBe(true);
    expect(loads).toBe(1);
    expect(await a.getOrSet('hot', load)).toEqual({ v: 42 });
    expect(loads).toBe(1);
  });

  it('does not let a crashed loader block others past lockWaitMs, and releases the lock on a failed load', async () => {
    const prefix = `${root}${n++}:`;
    const redis = connect();
    // A loader in another instance took the lock and died.
    await redis.set(`${prefix}l:k`, 'dead-owner', 'PX', 60_000);
    const cache = new RedisCache<string>({ redis, prefix, lockWaitMs: 100 });
    expect(await cache.getOrSet('k', async () => 'mine')).toBe('mine');
    expect(await redis.get(`${prefix}l:k`)).toBe('dead-owner');

    await expect(
      cache.getOrSet('fails', async () => {
        throw new Error('backend down');
      }),
    ).rejects.toThrow('backend down');
    expect(await redis.exists(`${prefix}l:fails`)).toBe(0);
    expect(await cache.getOrSet('fails', async () => 'recovered')).toBe('recovered');
  });

  it('invalidates by tag and by key prefix, inside its own prefix only', async () => {
    const prefix = `${root}${n++}:`;
    const redis = connect();
    const cache = new RedisCache<string>({ redis, prefix });
    const neighbour = new RedisCache<string>({ redis, prefix: `${prefix}x` });
    await cache.setEntry('user:1:profile', 'p1', { tags: ['user:1'] });
    await cache.setEntry('user:1:orders', 'o1', { tags: ['user:1', 'orders'], ttlMs: 0 });
    await cache.setEntry('user:2:orders', 'o2', { tags: ['orders'] });
    await cache.set('user:*:literal', 'glob-chars');
    await neighbour.set('user:1:profile', 'other cache');
    expect(await cache.invalidateTags(['user:1'])).toBe(2);
    expect(await cache.has('user:1:profile')).toBe(false);
    expect(await cache.has('user:2:orders')).toBe(true);
    expect(await redis.pttl(`${prefix}t:orders`)).toBe(-1);
    expect(await cache.invalidatePrefix('user:*')).toBe(1);
    expect(await cache.has('user:2:orders')).toBe(true);
    expect(await cache.invalidatePrefix('user:')).toBe(1);
    expect(await cache.has('user:2:orders')).toBe(false);
    expect(await neighbour.get('user:1:profile')).toBe('other cache');
    await expect(cache.setEntry('k', 'v', { tags: [''] })).rejects.toMatchObject({
      code: 'PLUMEGO_ERR_CACHE_INVALID_KEY',
    });
  });

  it('reads a value with its remaining lifetime, 0 for no expiry, and refuses a foreign one', async () => {
    const prefix = `${root}${n++}:`;
    const redis = connect();
    const cache = new RedisCache<string>({ redis, prefix, defaultTtlMs: 60_000 });
    await cache.set('short', 'a', 5000);
    await cache.set('forever', 'b', 0);
    await cache.set('default', 'c');
    const short = await cache.findWithTtl('short');
    expect(short?.value).toBe('a');
    expect(short?.ttlMs).toBeGreaterThan(0);
    expect(short?.ttlMs).toBeLessThanOrEqual(5000);
    expect(await cache.findWithTtl('forever')).toEqual({ value: 'b', ttlMs: 0 });
    expect((await cache.findWithTtl('default'))?.ttlMs).toBeGreaterThan(5000);
    expect(await cache.findWithTtl('missing')).toBeUndefined();
    await redis.set(`${prefix}v:foreign`, 'not json {');
    await expect(cache.findWithTtl('foreign')).rejects.toMatchObject({ code: 'PLUMEGO_ERR_DATA_CACHE_CORRUPT' });
    await expect(cache.findWithTtl('')).rejects.toMatchObject({ code: 'PLUMEGO_ERR_CACHE_INVALID_KEY' });
  });

  it('refuses to decode a foreign value and bad options', async () => {
    const prefix = `${root}${n++}:`;
    const redis = connect();
    await redis.set(`${prefix}v:foreign`, 'not json {');
    const cache = new RedisCache({ redis, prefix });
    await expect(cache.get('foreign')).rejects.toMatchObject({ code: 'PLUMEGO_ERR_DATA_CACHE_CORRUPT' });
    expect(() => new RedisCache({ redis, defaultTtlMs: -1 })).toThrow(
      expect.objectContaining({ code: 'PLUMEGO_ERR_DATA_INVALID_OPTIONS', reason: 'field:defaultTtlMs' }),
    );
    expect(() => new RedisCache({ redis: {} as Redis })).toThrow(expect.objectContaining({ reason: 'field:redis' }));
  });

  it('turns a killed connection into CONNECTION_LOST without the address', async () => {
    const redis = connect({
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    await redis.connect();
    const cache = new RedisCache({ redis, prefix: `${root}${n++}:` });
    await cache.set('k', 'v');
    const killer = connect();
    await killer.client('KILL', 'ID', String(await redis.client('ID')));
    const err = await cache.get('k').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'PLUMEGO_ERR_DATA_CONNECTION_LOST' });
    expect(`${(err as Error).message} ${String((err as Error).cause)} ${JSON.stringify(err)}`).not.toContain(
      new URL(url as string).host,
    );
  });
});
