import { afterEach, describe, expect, it, vi } from 'vitest';
import { isGatewayError, type TargetOptions } from 'plumego/x/gateway';
import { createDnsDiscovery, type DnsDiscovery, type DnsDiscoveryOptions } from './dns.ts';
import { startTestDnsServer, type TestDnsServer } from './test-dns-server.ts';

// These tests go through Node's real resolver (c-ares) to a DNS server on loopback: wire format,
// record TTLs and error codes are the real ones, not a fake's.

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

async function dnsServer(): Promise<TestDnsServer> {
  const server = await startTestDnsServer();
  cleanup.push(() => server.close());
  return server;
}

function watch(d: DnsDiscovery): string[][] {
  cleanup.push(() => d.close());
  const seen: string[][] = [];
  d.subscribe((t: readonly TargetOptions[]) => seen.push(t.map((x) => x.url)));
  return seen;
}

describe('dns discovery against a DNS server', () => {
  it('refreshes A records at their smallest TTL and follows the change', async () => {
    const dns = await dnsServer();
    dns.zone.a.set('api.test', [
      { address: '10.0.0.1', ttl: 1 },
      { address: '10.0.0.2', ttl: 300 },
    ]);
    const seen = watch(
      createDnsDiscovery({ hostname: 'api.test', port: 8080, servers: [dns.address], minRefreshMs: 100 }),
    );
    await vi.waitFor(() => expect(seen).toEqual([['http://10.0.0.1:8080', 'http://10.0.0.2:8080']]));
    expect(dns.queries).toEqual(['A api.test']);
    dns.zone.a.set('api.test', [{ address: '10.0.0.3', ttl: 300 }]);
    // A timer never fires early: half the 1 s TTL on, the first answer still stands.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(dns.queries).toHaveLength(1);
    await vi.waitFor(() => expect(seen.at(-1)).toEqual(['http://10.0.0.3:8080']), { timeout: 5_000 });
    expect(dns.queries).toEqual(['A api.test', 'A api.test']);
  });

  it('reads AAAA answers as bracketed IPv6 targets', async () => {
    const dns = await dnsServer();
    dns.zone.aaaa.set('v6.test', [
      { address: 'fd00::1', ttl: 60 },
      { address: '2001:db8:0:0:0:0:0:7', ttl: 60 },
    ]);
    const seen = watch(
      createDnsDiscovery({ hostname: 'v6.test', record: 'AAAA', port: 443, scheme: 'https', servers: [dns.address] }),
    );
    await vi.waitFor(() => expect(seen).toEqual([['https://[fd00::1]:443', 'https://[2001:db8::7]:443']]));
  });

  it('takes the lowest-priority SRV records with their ports and weights', async () => {
    const dns = await dnsServer();
    dns.zone.srv.set('_http._tcp.orders.test', [
      { name: 'a.orders.test', port: 9001, priority: 10, weight: 5, ttl: 30 },
      { name: 'b.orders.test', port: 9002, priority: 10, weight: 0, ttl: 30 },
      { name: 'backup.orders.test', port: 9003, priority: 20, weight: 100, ttl: 30 },
    ]);
    const d = createDnsDiscovery({ hostname: '_http._tcp.orders.test', record: 'SRV', servers: [dns.address] });
    cleanup.push(() => d.close());
    await d.refresh();
    let got: readonly TargetOptions[] = [];
    d.subscribe((t) => (got = t));
    expect(got).toEqual([
      { url: 'http://a.orders.test:9001', weight: 5 },
      { url: 'http://b.orders.test:9002', weight: 1 },
    ]);
    expect(dns.queries.every((q) => q === 'SRV _http._tcp.orders.test')).toBe(true);
  });

  it('keeps the last list through NXDOMAIN, SERVFAIL and an empty answer, and retries at the floor', async () => {
    const dns = await dnsServer();
    dns.zone.a.set('flaky.test', [{ address: '10.0.0.9', ttl: 0 }]);
    const errors: { code?: string }[] = [];
    const d = createDnsDiscovery({
      hostname: 'flaky.test',
      port: 80,
      servers: [dns.address],
      minRefreshMs: 50,
      maxRefreshMs: 50,
      onError: (e) => errors.push(e as { code?: string }),
    });
    const seen = watch(d);
    await vi.waitFor(() => expect(seen).toEqual([['http://10.0.0.9:80']]));
    dns.failing = true;
    await vi.waitFor(() => expect(errors.map((e) => e.code)).toContain('ESERVFAIL'));
    dns.failing = false;
    dns.zone.a.delete('flaky.test');
    await vi.waitFor(() => expect(errors.map((e) => e.code)).toContain('ENOTFOUND'));
    dns.zone.aaaa.set('flaky.test', [{ address: 'fd00::9', ttl: 0 }]);
    const before = dns.queries.length;
    // The name exists with no A record (NODATA): an empty answer, which never empties the pool.
    await vi.waitFor(() => expect(dns.queries.length).toBeGreaterThan(before + 1));
    expect(seen).toEqual([['http://10.0.0.9:80']]);
    dns.zone.a.set('flaky.test', [{ address: '10.0.0.10', ttl: 0 }]);
    await vi.waitFor(() => expect(seen.at(-1)).toEqual(['http://10.0.0.10:80']));
  });

  it('reports a server that does not answer within the query timeout', async () => {
    const dns = await dnsServer();
    const address = dns.address;
    await dns.close();
    cleanup.pop();
    const errors: { code?: string }[] = [];
    const d = createDnsDiscovery({
      hostname: 'gone.test',
      servers: [address],
      queryTimeoutMs: 100,
      onError: (e) => errors.push(e as { code?: string }),
    });
    cleanup.push(() => d.close());
    await d.refresh();
    expect(errors.length).toBeGreaterThan(0);
    expect(['ETIMEOUT', 'ECONNREFUSED']).toContain(errors[0]!.code);
  });

  it('rejects malformed servers and query timeouts as invalid options', () => {
    createDnsDiscovery({
      hostname: 'api.test',
      servers: ['[::1]:5353', '127.0.0.1', '::1'],
      queryTimeoutMs: 50,
    }).close();
    // Untyped on purpose: configuration arrives from files, so wrong types must be refused too.
    const cases: Record<string, unknown>[] = [
      { servers: ['dns.example'] },
      { servers: [] },
      { servers: ['10.0.0.1:99999'] },
      { servers: ['10.0.0.1:0'] },
      { servers: ['[10.0.0.1]:53'] },
      { servers: [53] },
      { queryTimeoutMs: 0 },
      { queryTimeoutMs: 1.5 },
    ];
    for (const bad of cases) {
      let caught: unknown;
      try {
        createDnsDiscovery({ ...bad, hostname: 'api.test' } as unknown as DnsDiscoveryOptions).close();
      } catch (error) {
        caught = error;
      }
      expect(isGatewayError(caught), JSON.stringify(bad)).toBe(true);
    }
  });
});
