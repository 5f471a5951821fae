import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import { GATEWAY_ERROR_CODES, GatewayError, type ServiceDiscovery, type TargetOptions } from 'plumego/x/gateway';
import { TargetFeed } from './listeners.ts';

/** The lookups DNS discovery needs; `node:dns/promises` `Resolver` fits, tests inject their own. */
export interface DnsLookup {
  resolve4(hostname: string, options: { ttl: true }): Promise<{ address: string; ttl: number }[]>;
  resolve6(hostname: string, options: { ttl: true }): Promise<{ address: string; ttl: number }[]>;
  resolveSrv(hostname: string): Promise<{ name: string; port: number; priority: number; weight: number }[]>;
}

export interface DnsDiscoveryOptions {
  /** Name to resolve (`api.internal`, or `_http._tcp.api.internal` for SRV). */
  hostname: string;
  /** A, AAAA, or SRV (whose records carry the ports). Default A. */
  record?: 'A' | 'AAAA' | 'SRV';
  /** Port for A/AAAA targets. Default 80. */
  port?: number;
  /** Scheme of the built target URLs. Default http. */
  scheme?: 'http' | 'https';
  /** Refresh floor and ceiling; A/AAAA refresh at the smallest record TTL inside them. Default 1 000 / 60 000 ms. */
  minRefreshMs?: number;
  maxRefreshMs?: number;
  /** Told about failed lookups; the last known targets stay. Default none. */
  onError?: (error: unknown) => void;
  /**
   * Name servers (`10.0.0.2`, `10.0.0.2:5353`, `[fd00::2]:53`) for the default resolver; default the
   * system's. Ignored with `lookup`.
   */
  servers?: readonly string[];
  /** Per-query timeout of the default resolver (one try, so a dead server is noticed quickly); default Node's. */
  queryTimeoutMs?: number;
  /** Injected resolver. Default a new `node:dns/promises` Resolver. */
  lookup?: DnsLookup;
}

export interface DnsDiscovery extends ServiceDiscovery {
  /** Resolves now (also the scheduled refresh); resolves when the feed is up to date. */
  refresh(): Promise<void>;
}

function hostForUrl(address: string): string {
  return isIP(address) === 6 ? `[${address}]` : address;
}

function isServerAddress(server: unknown): boolean {
  if (typeof server !== 'string') return false;
  if (isIP(server) !== 0) return true;
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([0-9.]+)):([0-9]{1,5})$/.exec(server);
  if (m === null) return false;
  const host = m[1] ?? m[2]!;
  const port = Number(m[3]);
  return isIP(host) === (m[1] === undefined ? 4 : 6) && port >= 1 && port <= 65535;
}

function createResolver(options: DnsDiscoveryOptions, bad: (rule: string) => never): Resolver {
  const timeout = options.queryTimeoutMs;
  if (timeout !== undefined && !(Number.isInteger(timeout) && timeout > 0))
    bad('queryTimeoutMs must be a positive integer');
  const resolver = timeout === undefined ? new Resolver() : new Resolver({ timeout, tries: 1 });
  if (options.servers !== undefined) {
    if (!Array.isArray(options.servers) || options.servers.length === 0) bad('servers must be a non-empty list');
    // setServers accepts ports above 65535 (c-ares truncates them), so the shape is checked here.
    for (const server of options.servers)
      if (!isServerAddress(server)) bad(`servers: ${JSON.stringify(server)} is not ip[:port]`);
    resolver.setServers(options.servers);
  }
  return resolver;
}

/**
 * Targets from DNS, refreshed at the records' TTL (clamped). SRV records of the lowest priority
 * become targets weighted by their SRV weight. A failed or empty answer keeps the last known list.
 */
export function createDnsDiscovery(options: DnsDiscoveryOptions): DnsDiscovery {
  const record = options.record ?? 'A';
  const port = options.port ?? 80;
  const scheme = options.scheme ?? 'http';
  const minMs = options.minRefreshMs ?? 1_000;
  const maxMs = options.maxRefreshMs ?? 60_000;
  const bad = (rule: string): never => {
    throw new GatewayError(GATEWAY_ERROR_CODES.invalidOptions, `invalid dns discovery option: ${rule}`);
  };
  if (!/^[A-Za-z0-9_.-]+$/.test(options.hostname)) bad('hostname must be a DNS name');
  if (!(Number.isInteger(port) && port > 0 && port < 65536)) bad('port must be 1-65535');
  if (!(minMs > 0 && maxMs >= minMs)) bad('0 < minRefreshMs ≤ maxRefreshMs');
  const lookup: DnsLookup = options.lookup ?? createResolver(options, bad);
  const feed = new TargetFeed();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const read = async (): Promise<{ targets: TargetOptions[]; ttlMs: number }> => {
    if (record === 'SRV') {
      const srv = await lookup.resolveSrv(options.hostname);
      const best = Math.min(...srv.map((s) => s.priority));
      const targets = srv
        .filter((s) => s.priority === best)
        .map((s) => ({
          url: `${scheme}://${hostForUrl(s.name)}:${s.port}`,
          weight: Math.min(1000, Math.max(1, s.weight)),
        }));
      return { targets, ttlMs: maxMs };
    }
    const answers =
      record === 'A'
        ? await lookup.resolve4(options.hostname, { ttl: true })
        : await lookup.resolve6(options.hostname, { ttl: true });
    const ttl = answers.length === 0 ? maxMs : Math.min(...answers.map((a) => a.ttl * 1000));
    return { targets: answers.map((a) => ({ url: `${scheme}://${hostForUrl(a.address)}:${port}` })), ttlMs: ttl };
  };

  const schedule = (ms: number): void => {
    if (closed) return;
    timer = setTimeout(() => void refresh(), Math.min(maxMs, Math.max(minMs, ms)));
    timer.unref();
  };

  const refresh = async (): Promise<void> => {
    if (timer !== undefined) clearTimeout(timer);
    try {
      const { targets, ttlMs } = await read();
      if (targets.length > 0) feed.publish(targets);
      schedule(ttlMs);
    } catch (error) {
      options.onError?.(error);
      schedule(minMs);
    }
  };

  void refresh();
  return {
    subscribe: (listener) => feed.subscribe(listener),
    refresh,
    close: () => {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      feed.clear();
    },
  };
}
