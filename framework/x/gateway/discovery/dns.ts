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
  const lookup: DnsLookup = options.lookup ?? new Resolver();
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
