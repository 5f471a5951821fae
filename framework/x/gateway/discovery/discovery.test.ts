import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { NodeResponseWriter, createRequestFromNode } from 'plumego/contract';
import { createProxy, isGatewayError, type TargetOptions } from 'plumego/x/gateway';
import { createDnsDiscovery, type DnsLookup } from './dns.ts';
import { createFileDiscovery } from './file.ts';
import { createStaticDiscovery } from './static.ts';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  vi.useRealTimers();
  while (cleanup.length > 0) await cleanup.pop()!();
});

const urls = (list: readonly TargetOptions[]): string[] => list.map((t) => t.url);

describe('static discovery', () => {
  it('replays the current list to new subscribers and publishes only real changes', () => {
    const d = createStaticDiscovery(['http://a:1']);
    const seen: string[][] = [];
    d.subscribe((t) => seen.push(urls(t)));
    d.update(['http://a:1']);
    d.update([{ url: 'http://b:2', weight: 3 }]);
    expect(seen).toEqual([['http://a:1'], ['http://b:2']]);
  });

  it('rejects a target that is not an http URL', () => {
    let caught: unknown;
    try {
      createStaticDiscovery(['ftp://x']);
    } catch (error) {
      caught = error;
    }
    expect(isGatewayError(caught)).toBe(true);
  });

  it('keeps a proxy pointed at whatever it lists', async () => {
    const listen = async (body: string): Promise<string> => {
      const s = createServer((_q, r) => r.end(body));
      await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
      cleanup.push(
        () =>
          new Promise((resolve) => {
            s.closeAllConnections();
            s.close(resolve);
          }),
      );
      return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
    };
    const [one, two] = [await listen('one'), await listen('two')];
    const d = createStaticDiscovery([one]);
    const proxy = createProxy({ targets: [], discovery: d });
    cleanup.push(() => proxy.close());
    const handler = proxy.handler;
    const front = createServer((q, s) => void handler(new NodeResponseWriter(s), createRequestFromNode(q, s)));
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    cleanup.push(
      () =>
        new Promise((resolve) => {
          front.closeAllConnections();
          front.close(resolve);
        }),
    );
    const url = `http://127.0.0.1:${(front.address() as AddressInfo).port}/`;
    expect(await (await fetch(url)).text()).toBe('one');
    d.update([two]);
    expect(await (await fetch(url)).text()).toBe('two');
  });
});

/** A resolver whose answers the test sets; counts lookups. */
function fakeLookup(): DnsLookup & {
  a: { address: string; ttl: number }[];
  srv: { name: string; port: number; priority: number; weight: number }[];
  fail: boolean;
  calls: number;
} {
  const state = {
    a: [] as { address: string; ttl: number }[],
    srv: [] as { name: string; port: number; priority: number; weight: number }[],
    fail: false,
    calls: 0,
    resolve4: async () => {
      state.calls++;
      if (state.fail) throw Object.assign(new Error('SERVFAIL'), { code: 'ESERVFAIL' });
      return state.a;
    },
    resolve6: async () => {
      state.calls++;
      return state.a;
    },
    resolveSrv: async () => {
      state.calls++;
      return state.srv;
    },
  };
  return state;
}

describe('dns discovery', () => {
  it('publishes A records and refreshes at their TTL, keeping the last list when a lookup fails', async () => {
    vi.useFakeTimers();
    const lookup = fakeLookup();
    lookup.a = [
      { address: '10.0.0.1', ttl: 5 },
      { address: '10.0.0.2', ttl: 30 },
    ];
    const errors: unknown[] = [];
    const d = createDnsDiscovery({ hostname: 'api.internal', port: 8080, lookup, onError: (e) => errors.push(e) });
    cleanup.push(() => d.close());
    const seen: string[][] = [];
    d.subscribe((t) => seen.push(urls(t)));
    await vi.advanceTimersByTimeAsync(0);
    expect(seen).toEqual([['http://10.0.0.1:8080', 'http://10.0.0.2:8080']]);
    lookup.a = [{ address: '10.0.0.3', ttl: 5 }];
    await vi.advanceTimersByTimeAsync(4_999);
    expect(seen).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(seen[1]).toEqual(['http://10.0.0.3:8080']);
    lookup.fail = true;
    await vi.advanceTimersByTimeAsync(5_000);
    expect(errors).toHaveLength(1);
    expect(seen).toHaveLength(2);
    lookup.fail = false;
    lookup.a = [];
    await vi.advanceTimersByTimeAsync(1_000);
    expect(seen).toHaveLength(2);
  });

  it('uses the lowest SRV priority, weighted, and brackets IPv6 AAAA answers', async () => {
    const srvLookup = fakeLookup();
    srvLookup.srv = [
      { name: 'a.internal', port: 9001, priority: 10, weight: 5 },
      { name: 'b.internal', port: 9002, priority: 10, weight: 0 },
      { name: 'backup.internal', port: 9003, priority: 20, weight: 100 },
    ];
    const srv = createDnsDiscovery({ hostname: '_http._tcp.api.internal', record: 'SRV', lookup: srvLookup });
    cleanup.push(() => srv.close());
    await srv.refresh();
    let got: readonly TargetOptions[] = [];
    srv.subscribe((t) => (got = t));
    expect(got).toEqual([
      { url: 'http://a.internal:9001', weight: 5 },
      { url: 'http://b.internal:9002', weight: 1 },
    ]);
    const v6 = fakeLookup();
    v6.a = [{ address: 'fd00::1', ttl: 60 }];
    const aaaa = createDnsDiscovery({
      hostname: 'api.internal',
      record: 'AAAA',
      port: 443,
      scheme: 'https',
      lookup: v6,
    });
    cleanup.push(() => aaaa.close());
    await aaaa.refresh();
    aaaa.subscribe((t) => (got = t));
    expect(urls(got)).toEqual(['https://[fd00::1]:443']);
  });

  it('rejects a bad hostname or refresh window', () => {
    expect(() => createDnsDiscovery({ hostname: 'bad host', lookup: fakeLookup() })).toThrow(/hostname/);
    expect(() =>
      createDnsDiscovery({ hostname: 'a', minRefreshMs: 10, maxRefreshMs: 5, lookup: fakeLookup() }),
    ).toThrow(/minRefreshMs/);
  });
});

describe('file discovery', () => {
  it('follows atomic replacements of the file and keeps the last valid list on a bad write', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'plumego-discovery-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'targets.json');
    await writeFile(file, JSON.stringify(['http://10.0.0.1:80']));
    const errors: unknown[] = [];
    const d = createFileDiscovery({ path: file, debounceMs: 10, onError: (e) => errors.push(e) });
    cleanup.push(() => d.close());
    const seen: string[][] = [];
    d.subscribe((t) => seen.push(urls(t)));
    await vi.waitFor(() => expect(seen).toEqual([['http://10.0.0.1:80']]));
    await writeFile(join(dir, 'tmp.json'), JSON.stringify([{ url: 'http://10.0.0.2:80', weight: 2 }]));
    await rename(join(dir, 'tmp.json'), file);
    await vi.waitFor(() => expect(seen.at(-1)).toEqual(['http://10.0.0.2:80']));
    await writeFile(file, '{ not json');
    await vi.waitFor(() => expect(errors.length).toBeGreaterThan(0));
    await d.reload();
    expect(seen.at(-1)).toEqual(['http://10.0.0.2:80']);
  });
});
