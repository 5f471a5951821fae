import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MemorySessionStorage } from './memory-storage.ts';
import { RedisSessionStorage } from './redis-storage.ts';
import { SqliteSessionStorage } from './sqlite-storage.ts';
import { describeSessionStorage } from './__tests__/storage-conformance.ts';

const services = inject('services');
// Every fixture's clock starts at 1 000 000 so expiry tests use the same absolute times.
const clock = () => {
  let now = 1_000_000;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
};

describeSessionStorage('memory', () => {
  const c = clock();
  return { storage: new MemorySessionStorage({ now: c.now }), advance: c.advance };
});

describeSessionStorage('sqlite (:memory:)', () => {
  const c = clock();
  return { storage: new SqliteSessionStorage({ database: ':memory:', now: c.now }), advance: c.advance };
});

describe('sqlite on a file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'plumego-ai-session-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps sessions across reopening the file', async () => {
    const path = join(dir, 'sessions.db');
    const first = new SqliteSessionStorage({ database: path });
    await first.write(
      {
        id: 'kept',
        messages: [{ role: 'user', content: 'hi' }],
        metadata: {},
        version: 1,
        createdAt: 1,
        updatedAt: 1,
        expiresAt: undefined,
      },
      0,
    );
    first.close();
    const second = new SqliteSessionStorage({ database: path });
    expect((await second.read('kept'))?.messages).toEqual([{ role: 'user', content: 'hi' }]);
    second.close();
  });

  it('rejects an unsafe table name when built', () => {
    expect(() => new SqliteSessionStorage({ database: ':memory:', table: 'x; DROP TABLE y' })).toThrow(
      expect.objectContaining({ code: 'AI_SESSION_INVALID_OPTIONS' }),
    );
  });

  it('maps a closed database to a storage failure', async () => {
    const storage = new SqliteSessionStorage({ database: join(dir, 'closed.db') });
    storage.close();
    await expect(storage.read('x')).rejects.toMatchObject({ code: 'AI_SESSION_STORAGE_FAILED', status: 503 });
  });
});

describe.skipIf(!services.redis)('redis', () => {
  const prefix = `plumego-test:ai-session:${randomUUID()}:`;
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(services.redis!, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  describeSessionStorage('redis', () => {
    const c = clock();
    return { storage: new RedisSessionStorage({ client: redis, prefix, now: c.now }), advance: c.advance };
  });

  it('lets Redis expire the key itself', async () => {
    const storage = new RedisSessionStorage({ client: redis, prefix });
    await storage.write(
      { id: 'ttl', messages: [], metadata: {}, version: 1, createdAt: 1, updatedAt: 1, expiresAt: Date.now() + 60_000 },
      0,
    );
    const ttl = await redis.pttl(`${prefix}ttl`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('maps a dropped connection to a storage failure', async () => {
    const broken = new Redis(services.redis!, { maxRetriesPerRequest: 0, retryStrategy: () => null });
    broken.on('error', () => undefined);
    const id = await broken.client('ID');
    // Cut the connection server-side, as a crashed or failed-over Redis would.
    await redis.client('KILL', 'ID', String(id));
    await expect.poll(() => broken.status).toBe('end');
    const storage = new RedisSessionStorage({ client: broken, prefix });
    await expect(storage.read('x')).rejects.toMatchObject({ code: 'AI_SESSION_STORAGE_FAILED' });
    await expect(
      storage.write(
        { id: 'x', messages: [], metadata: {}, version: 1, createdAt: 1, updatedAt: 1, expiresAt: undefined },
        0,
      ),
    ).rejects.toMatchObject({ code: 'AI_SESSION_STORAGE_FAILED' });
    broken.disconnect();
  });
});
