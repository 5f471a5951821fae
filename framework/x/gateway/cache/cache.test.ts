import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { NodeResponseWriter, composeMiddleware, createRequestFromNode } from 'plumego/contract';
import { createProxy } from 'plumego/x/gateway';
import { responseCache, type ResponseCacheOptions } from './cache.ts';
import { MemoryCacheStore, RedisCacheStore, type CacheStore } from './store.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  vi.useRealTimers();
  while (cleanup.length > 0) await cleanup.pop()!();
});

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Upstream whose behaviour each test sets; counts the requests it sees. */
async function upstream(
  respond: (req: IncomingMessage, res: ServerResponse, n: number) => void,
): Promise<{ url: string; seen: IncomingMessage[] }> {
  const seen: IncomingMessage[] = [];
  const url = await listen((req, res) => {
    seen.push(req);
    respond(req, res, seen.length);
  });
  return { url, seen };
}

async function front(target: string, options: ResponseCacheOptions = {}): Promise<string> {
  const proxy = createProxy({ targets: [target], circuitBreaker: false, outlierDetection: false });
  cleanup.push(() => proxy.close());
  const handler = composeMiddleware([responseCache(options)], proxy.handler);
  return listen((req, res) => void handler(new NodeResponseWriter(res), createRequestFromNode(req, res)));
}

async function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; cache: string | null; headers: Headers }> {
  const res = await fetch(url, { headers });
  return { status: res.status, body: await res.text(), cache: res.headers.get('x-cache'), headers: res.headers };
}

// http-cache-semantics reads Date.now(); faking only Date moves freshness without slowing tests.
function fakeDate(): { advance(ms: number): void } {
  vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
  return { advance: (ms) => vi.setSystemTime(Date.now() + ms) };
}

describe('response cache', () => {
  it('serves a fresh response from the store without contacting the upstream', async () => {
    const up = await upstream((_q, s, n) => {
      s.setHeader('cache-control', 'public, max-age=60');
      s.end(`body-${n}`);
    });
    const url = await front(up.url);
    expect(await get(`${url}/a`)).toMatchObject({ body: 'body-1', cache: 'MISS' });
    const second = await get(`${url}/a`);
    expect(second).toMatchObject({ status: 200, body: 'body-1', cache: 'HIT' });
    expect(second.headers.get('age')).not.toBeNull();
    expect(up.seen).toHaveLength(1);
  });

  it('does not store no-store, private or Set-Cookie responses', async () => {
    const up = await upstream((req, s, n) => {
      if (req.url === '/ns') s.setHeader('cache-control', 'no-store');
      if (req.url === '/priv') s.setHeader('cache-control', 'private, max-age=60');
      if (req.url === '/cookie') {
        s.setHeader('cache-control', 'public, max-age=60');
        s.setHeader('set-cookie', `session=${n}`);
      }
      s.end(`b${n}`);
    });
    const url = await front(up.url);
    for (const path of ['/ns', '/priv', '/cookie']) {
      await get(`${url}${path}`);
      expect((await get(`${url}${path}`)).cache).toBe('MISS');
    }
    expect(up.seen).toHaveLength(6);
  });

  it('honours a request no-store and a request no-cache', async () => {
    const up = await upstream((_q, s, n) => {
      s.setHeader('cache-control', 'public, max-age=60');
      s.setHeader('etag', '"v1"');
      s.end(`b${n}`);
    });
    const url = await front(up.url);
    await get(`${url}/x`, { 'cache-control': 'no-store' });
    expect((await get(`${url}/x`)).cache).toBe('MISS');
    const revalidated = await get(`${url}/x`, { 'cache-control': 'no-cache' });
    expect(up.seen).toHaveLength(3);
    expect(up.seen[2]!.headers['if-none-match']).toBe('"v1"');
    expect(revalidated.body).toBe('b3');
  });

  it('keeps one variant per Vary value and serves each only to its own requests', async () => {
    const up = await upstream((req, s) => {
      s.setHeader('cache-control', 'public, max-age=60');
      s.setHeader('vary', 'accept-language');
      s.end(`lang=${req.headers['accept-language'] ?? 'none'}`);
    });
    const url = await front(up.url);
    await get(`${url}/v`, { 'accept-language': 'fr' });
    await get(`${url}/v`, { 'accept-language': 'de' });
    expect(await get(`${url}/v`, { 'accept-language': 'fr' })).toMatchObject({ body: 'lang=fr', cache: 'HIT' });
    expect(await get(`${url}/v`, { 'accept-language': 'de' })).toMatchObject({ body: 'lang=de', cache: 'HIT' });
    expect(await get(`${url}/v`, { 'accept-language': 'it' })).toMatchObject({ body: 'lang=it', cache: 'MISS' });
    expect(up.seen).toHaveLength(3);
  });

  it('revalidates a stale entry with its ETag and serves the stored body on 304', async () => {
    const clock = fakeDate();
    const up = await upstream((req, s) => {
      s.setHeader('cache-control', 'public, max-age=1');
      s.setHeader('etag', '"abc"');
      if (req.headers['if-none-match'] === '"abc"') {
        s.statusCode = 304;
        s.end();
        return;
      }
      s.end('full body');
    });
    const url = await front(up.url);
    await get(`${url}/e`);
    clock.advance(5_000);
    const res = await get(`${url}/e`);
    expect(res).toMatchObject({ status: 200, body: 'full body', cache: 'REVALIDATED' });
    expect(up.seen.map((q) => q.headers['if-none-match'])).toEqual([undefined, '"abc"']);
    expect(await get(`${url}/e`)).toMatchObject({ cache: 'HIT' });
  });

  it('revalidates with Last-Modified and replaces the entry when the upstream sends a new body', async () => {
    const clock = fakeDate();
    const lastModified = new Date(Date.now() - 3_600_000).toUTCString();
    const up = await upstream((req, s, n) => {
      s.setHeader('cache-control', 'public, max-age=1');
      s.setHeader('last-modified', lastModified);
      s.end(`version-${n}:${req.headers['if-modified-since'] === lastModified ? 'conditional' : 'plain'}`);
    });
    const url = await front(up.url);
    await get(`${url}/lm`);
    clock.advance(5_000);
    expect(await get(`${url}/lm`)).toMatchObject({ body: 'version-2:conditional' });
    expect(await get(`${url}/lm`)).toMatchObject({ body: 'version-2:conditional', cache: 'HIT' });
  });

  it('serves stale while revalidating in the background, then the refreshed body', async () => {
    const clock = fakeDate();
    const up = await upstream((_q, s, n) => {
      s.setHeader('cache-control', 'public, max-age=1, stale-while-revalidate=60');
      s.end(`gen-${n}`);
    });
    const url = await front(up.url);
    await get(`${url}/swr`);
    clock.advance(3_000);
    expect(await get(`${url}/swr`)).toMatchObject({ body: 'gen-1', cache: 'STALE' });
    await vi.waitFor(async () => expect((await get(`${url}/swr`)).body).toBe('gen-2'), {
      timeout: 3_000,
      interval: 20,
    });
    expect(up.seen).toHaveLength(2);
  });

  it('coalesces concurrent misses for one URL into one upstream request', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const up = await upstream((_q, s) => {
      void gate.then(() => {
        s.setHeader('cache-control', 'public, max-age=60');
        s.end('shared');
      });
    });
    const url = await front(up.url);
    const all = Promise.all(Array.from({ length: 8 }, () => get(`${url}/c`)));
    await vi.waitFor(() => expect(up.seen).toHaveLength(1));
    release();
    const results = await all;
    expect(results.map((r) => r.body)).toEqual(Array(8).fill('shared'));
    expect(up.seen).toHaveLength(1);
  });

  it('streams but does not store a body larger than maxEntryBytes', async () => {
    const up = await upstream((_q, s) => {
      s.setHeader('cache-control', 'public, max-age=60');
      s.end('x'.repeat(5_000));
    });
    const url = await front(up.url, { maxEntryBytes: 1_000 });
    expect((await get(`${url}/big`)).body).toHaveLength(5_000);
    expect((await get(`${url}/big`)).cache).toBe('MISS');
  });

  it('invalidates a URL after a successful unsafe request', async () => {
    const up = await upstream((req, s, n) => {
      s.setHeader('cache-control', 'public, max-age=60');
      s.end(`${req.method}-${n}`);
    });
    const url = await front(up.url);
    await get(`${url}/item`);
    expect((await get(`${url}/item`)).cache).toBe('HIT');
    await fetch(`${url}/item`, { method: 'DELETE' });
    expect(await get(`${url}/item`)).toMatchObject({ cache: 'MISS', body: 'GET-3' });
  });

  it('answers HEAD from a stored GET without a body', async () => {
    const up = await upstream((_q, s) => {
      s.setHeader('cache-control', 'public, max-age=60');
      s.end('payload');
    });
    const url = await front(up.url);
    await get(`${url}/h`);
    const res = await fetch(`${url}/h`, { method: 'HEAD' });
    expect(res.headers.get('x-cache')).toBe('HIT');
    expect(await res.text()).toBe('');
    expect(up.seen).toHaveLength(1);
  });

  it('keeps serving uncached traffic when the store fails', async () => {
    const errors: unknown[] = [];
    const broken: CacheStore = {
      read: () => Promise.reject(new Error('store down')),
      write: () => Promise.reject(new Error('store down')),
      delete: () => Promise.reject(new Error('store down')),
    };
    const up = await upstream((_q, s) => {
      s.setHeader('cache-control', 'public, max-age=60');
      s.end('ok');
    });
    const url = await front(up.url, { store: broken, onStoreError: (e) => errors.push(e) });
    expect(await get(`${url}/s`)).toMatchObject({ status: 200, body: 'ok' });
    expect(await get(`${url}/s`)).toMatchObject({ status: 200, body: 'ok' });
    expect(errors.length).toBeGreaterThan(0);
  });

  it('rejects options that can never work', () => {
    expect(() => responseCache({ maxEntryBytes: 0 })).toThrow(/maxEntryBytes/);
    expect(() => responseCache({ maxVariants: 0 })).toThrow(/maxVariants/);
    expect(() => new MemoryCacheStore({ maxBytes: -1 })).toThrow(RangeError);
  });
});

describe('memory cache store', () => {
  const entry = (n: number) => ({ policy: {} as never, status: 200, headers: {}, body: Buffer.alloc(n) });

  it('evicts the least recently used URLs beyond maxBytes and expires entries by ttl', async () => {
    let now = 0;
    const store = new MemoryCacheStore({ maxBytes: 3_000, now: () => now });
    await store.write('a', [entry(800)], 1_000);
    await store.write('b', [entry(800)], 1_000);
    await store.read('a');
    await store.write('c', [entry(800)], 1_000);
    expect(await store.read('b')).toBeUndefined();
    expect(await store.read('a')).toBeDefined();
    now = 1_000;
    expect(await store.read('a')).toBeUndefined();
    expect(store.bytes).toBeLessThanOrEqual(3_000);
  });
});

const redisUrl = inject('services').redis;

describe.skipIf(!redisUrl)('redis cache store', () => {
  it('shares entries between two gateway instances and drops a corrupt value', async () => {
    const prefix = `plumego:test:gwcache:${Math.random().toString(36).slice(2)}:`;
    const redis = new Redis(redisUrl!);
    cleanup.push(async () => {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    });
    const up = await upstream((_q, s, n) => {
      s.setHeader('cache-control', 'public, max-age=60');
      s.end(`shared-${n}`);
    });
    const one = await front(up.url, { store: new RedisCacheStore(redis, { prefix }), key: (r) => r.url });
    const two = await front(up.url, { store: new RedisCacheStore(redis, { prefix }), key: (r) => r.url });
    // Two instances behind one public name: the stored policy checks the Host, so both see the same one.
    const viaHost = (base: string) =>
      new Promise<{ body: string; cache: string | undefined }>((resolve, reject) => {
        const req = httpRequest(`${base}/r`, { headers: { host: 'api.example' } }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (body += c));
          res.on('end', () => resolve({ body, cache: res.headers['x-cache'] as string | undefined }));
        });
        req.on('error', reject);
        req.end();
      });
    await viaHost(one);
    // The entry is written after the response went out; wait for it rather than race it.
    await vi.waitFor(async () => expect(await redis.exists(`${prefix}/r`)).toBe(1));
    expect(await viaHost(two)).toEqual({ body: 'shared-1', cache: 'HIT' });
    const ttl = await redis.pttl(`${prefix}/r`);
    expect(ttl).toBeGreaterThan(60_000);
    await redis.set(`${prefix}/r`, 'not json');
    expect(await new RedisCacheStore(redis, { prefix }).read('/r')).toBeUndefined();
    expect(await redis.exists(`${prefix}/r`)).toBe(0);
  });
});
