import { describe, it, expect, afterAll, inject } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { describeCacheConformance } from 'plumego/store';
import { RedisCache } from './redis-cache.ts';
import { TwoLevelCache } from './two-level-cache.ts';

const url = inject('services').redis;
const root = `plumego-test:l2:${randomBytes(4).toString('hex')}:`;
const clients: Redis[] = [];
let n = 0;

function connect(): Redis {
  const client = new Redis(url as string, { maxRetriesPerRequest: 1 });
  clients.push(client);
  return client;
}

/** One app instance: its own connections, sharing `prefix` with its peers. */
async function instance<V>(
  prefix: string,
  localTtlMs = 30_000,
): Promise<{ cache: TwoLevelCache<V>; remote: RedisCache<V>; subscriber: Redis }> {
  const redis = connect();
  const subscriber = redis.duplicate();
  clients.push(subscriber);
  const remote = new RedisCache<V>({ redis, prefix });
  const cache = new TwoLevelCache<V>({ remote, subscriber, localTtlMs });
  await cache.ready();
  return { cache, remote, subscriber };
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
    { name: 'TwoLevelCache', counters: false, open: async () => (await instance(`${root}${n++}:`)).cache },
  );
} else {
  describe.skip('TwoLevelCache cache conformance (skipped: no Redis from inject(services))', () => {
    it('needs Redis', () => {});
  });
}

describe.skipIf(!url)('TwoLevelCache across instances', () => {
  it('serves a hot key from memory without asking Redis', async () => {
    const { cache, remote } = await instance<string>(`${root}${n++}:`);
    await cache.set('hot', 'v1');
    // Change Redis behind the cache's back: a level-1 hit does not see it.
    await remote.set('hot', 'changed-behind');
    expect(await cache.get('hot')).toBe('v1');
    expect(cache.isLocalActive()).toBe(true);
  });

  it("drops other instances' local copies when one writes or deletes", async () => {
    const prefix = `${root}${n++}:`;
    const a = await instance<string>(prefix);
    const b = await instance<string>(prefix);
    await a.cache.set('k', 'v1');
    expect(await b.cache.get('k')).toBe('v1');
    await a.cache.set('k', 'v2');
    await expect.poll(() => b.cache.get('k'), { timeout: 3000, interval: 10 }).toBe('v2');
    await a.cache.delete('k');
    await expect.poll(() => b.cache.has('k'), { timeout: 3000, interval: 10 }).toBe(false);
    await b.cache.set('x', 'bx');
    expect(await a.cache.get('x')).toBe('bx');
    await b.cache.clear();
    await expect.poll(() => a.cache.has('x'), { timeout: 3000, interval: 10 }).toBe(false);
  });

  it('clears and bypasses level 1 while its subscription is down, and resumes after reconnect', async () => {
    const prefix = `${root}${n++}:`;
    const a = await instance<string>(prefix);
    const b = await instance<string>(prefix);
    await a.cache.set('k', 'v1');
    expect(await b.cache.get('k')).toBe('v1');
    const killer = connect();
    await killer.client('KILL', 'ID', String(await clientIdOf(b.subscriber, killer)));
    await expect.poll(() => b.cache.isLocalActive(), { timeout: 3000, interval: 5 }).toBe(false);
    // An update whose announcement b cannot hear: b must not serve its old copy.
    await a.remote.set('k', 'v2');
    expect(await b.cache.get('k')).toBe('v2');
    await expect.poll(() => b.cache.isLocalActive(), { timeout: 5000, interval: 20 }).toBe(true);
    await a.cache.set('k', 'v3');
    await expect.poll(() => b.cache.get('k'), { timeout: 3000, interval: 10 }).toBe('v3');
  });

  it('does not keep a value read from Redis while an invalidation for it arrived', async () => {
    const prefix = `${root}${n++}:`;
    const a = await instance<string>(prefix);
    const redis = connect();
    const remote = new RedisCache<string>({ redis, prefix });
    let readDone: () => void = () => {};
    let release: () => void = () => {};
    const read = new Promise<void>((resolve) => {
      readDone = resolve;
    });
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    // Level 2 answers with the old value, then stalls until the test lets it return.
    const slow = {
      options: remote.options,
      set: remote.set.bind(remote),
      delete: remote.delete.bind(remote),
      clear: remote.clear.bind(remote),
      findWithTtl: async (key: string) => {
        const hit = await remote.findWithTtl(key);
        readDone();
        await gate;
        return hit;
      },
    } as unknown as RedisCache<string>;
    const subscriber = redis.duplicate();
    clients.push(subscriber);
    const b = new TwoLevelCache<string>({ remote: slow, subscriber });
    await b.ready();
    await a.cache.set('k', 'old');
    const stale = b.get('k');
    await read;
    const heard = connect().duplicate();
    clients.push(heard);
    await heard.subscribe(`${prefix}invalidate`);
    const message = new Promise<void>((resolve) => heard.once('message', () => resolve()));
    await a.cache.set('k', 'new');
    await message;
    await new Promise((resolve) => setTimeout(resolve, 50));
    release();
    expect(await stale).toBe('old');
    expect(await b.get('k')).toBe('new');
  });

  it('keeps a copy read from Redis no longer than the key lives there', async () => {
    const { cache, remote } = await instance<string>(`${root}${n++}:`, 30_000);
    // Written behind level 1's back with a TTL far below localTtlMs; the read fills level 1.
    await remote.set('short', 'v', 300);
    expect(await cache.find('short')).toEqual({ value: 'v' });
    await expect.poll(() => remote.has('short'), { timeout: 3000, interval: 20 }).toBe(false);
    // Before the fix level 1 held it for localTtlMs (30 s) after Redis dropped it.
    expect(await cache.has('short')).toBe(false);
    // A key without expiry stays in level 1 (bounded by localTtlMs) and is served without Redis.
    await remote.set('forever', 'v', 0);
    expect(await cache.get('forever')).toBe('v');
    await remote.set('forever', 'changed-behind', 0);
    expect(await cache.get('forever')).toBe('v');
  });

  it('refuses bad options', async () => {
    const remote = new RedisCache({ redis: connect(), prefix: `${root}${n++}:` });
    expect(() => new TwoLevelCache({ remote, subscriber: {} as Redis })).toThrow(
      expect.objectContaining({ reason: 'field:subscriber' }),
    );
    expect(() => new TwoLevelCache({ remote, subscriber: connect().duplicate(), localTtlMs: 0 })).toThrow(
      expect.objectContaining({ reason: 'field:localTtlMs' }),
    );
  });
});

/** The server-side id of a subscribed connection (it cannot run CLIENT ID itself), found by its name. */
async function clientIdOf(subscriber: Redis, admin: Redis): Promise<number> {
  const list = String(await admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub'));
  const port = (subscriber.stream as { localPort?: number } | undefined)?.localPort;
  const line = list.split('\n').find((l) => l.includes(`:${port} `));
  const id = /id=(\d+)/.exec(line ?? '')?.[1];
  if (id === undefined) throw new Error('subscriber connection not found');
  return Number(id);
}
