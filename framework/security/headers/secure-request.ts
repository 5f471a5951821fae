import { BlockList, isIP } from 'node:net';

/** What `isSecureRequest` needs to know about a request; Node's IncomingMessage fits. */
export interface TransportInfo {
  /** True when the connection to this process is TLS. */
  encrypted: boolean;
  /** The direct peer address, used to decide whether forwarded headers are trusted. */
  remoteAddress?: string | undefined;
  /** Lower-cased request headers. */
  headers: Readonly<Record<string, string | readonly string[] | undefined>>;
}

export interface SecureRequestOptions {
  /**
   * Peers whose `X-Forwarded-Proto` / `Forwarded` headers are believed: IP addresses or CIDR
   * ranges, or `'any'`. Default: none — forwarded headers are ignored, since any client can send them.
   */
  trustedProxies?: readonly string[] | 'any';
}

export interface ResolvedSecureRequestOptions {
  trust: (address: string | undefined) => boolean;
}

/** Resolves the trusted-proxy list once; a malformed entry throws here, not per request. */
export function resolveSecureRequestOptions(options: SecureRequestOptions = {}): ResolvedSecureRequestOptions {
  const proxies = options.trustedProxies ?? [];
  if (proxies === 'any') return { trust: () => true };
  const list = new BlockList();
  for (const entry of proxies) {
    const [address, prefix] = entry.split('/');
    const family = isIP(address ?? '');
    if (family === 0) throw new TypeError('trustedProxies entries must be IP addresses or CIDR ranges');
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address as string, type);
    else list.addSubnet(address as string, Number(prefix), type);
  }
  return {
    trust: (address) => {
      if (address === undefined || address === '') return false;
      const family = isIP(address);
      if (family === 0) return false;
      return list.check(address, family === 6 ? 'ipv6' : 'ipv4');
    },
  };
}

function headerList(value: string | readonly string[] | undefined): string[] {
  if (value === undefined) return [];
  const joined = typeof value === 'string' ? value : value.join(',');
  return joined
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

function forwardedProtos(value: string | readonly string[] | undefined): string[] | undefined {
  const elements = headerList(value);
  if (elements.length === 0) return undefined;
  const protos: string[] = [];
  for (const element of elements) {
    for (const pair of element.split(';')) {
      const [key, raw] = pair.split('=');
      if (key?.trim().toLowerCase() === 'proto') protos.push((raw ?? '').trim().replace(/^"|"$/g, '').toLowerCase());
    }
  }
  return protos;
}

/**
 * True for direct TLS, or when a trusted proxy says every hop was HTTPS. Every entry of
 * `X-Forwarded-Proto` and every `proto=` of `Forwarded` must be `https`; a mixed chain is not secure.
 * `X-Forwarded-Ssl` alone is ignored.
 */
export function isSecureRequest(info: TransportInfo, options: ResolvedSecureRequestOptions): boolean {
  if (info.encrypted) return true;
  if (!options.trust(info.remoteAddress)) return false;
  const xfp = headerList(info.headers['x-forwarded-proto']).map((p) => p.toLowerCase());
  const fwd = forwardedProtos(info.headers['forwarded']) ?? [];
  const all = [...xfp, ...fwd];
  return all.length > 0 && all.every((proto) => proto === 'https');
}
