import { BlockList, isIP } from 'node:net';
import { lookup as dnsLookup } from 'node:dns/promises';
import { SecurityError } from '../errors.ts';
import { assertUrl, type UrlValidationOptions } from './url.ts';

// Everything that is not globally routable unicast: an SSRF guard must refuse the lot, because an
// attacker only needs one internal service that trusts the network.
const BLOCKED_V4: Array<[string, number]> = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];
const BLOCKED_V6: Array<[string, number]> = [
  ['::', 96], // unspecified, loopback and the deprecated IPv4-compatible block
  ['100::', 64],
  ['2001::', 32],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
];
// Prefixes that embed an IPv4 address; the embedded address decides.
const EMBEDDED_V4 = ['::ffff:', '64:ff9b::', '2002:'];

const BLOCKLIST = (() => {
  const list = new BlockList();
  for (const [net, prefix] of BLOCKED_V4) list.addSubnet(net, prefix, 'ipv4');
  for (const [net, prefix] of BLOCKED_V6) list.addSubnet(net, prefix, 'ipv6');
  return list;
})();

const BLOCKED_HOSTS = new Set(['localhost', 'metadata', 'metadata.google.internal', 'instance-data']);
const BLOCKED_SUFFIXES = ['.localhost', '.internal', '.local', '.localdomain', '.home.arpa'];

function expandV6(address: string): number[] {
  let text = address;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const parts = (v4[1] as string).split('.').map(Number);
    text =
      text.slice(0, v4.index) +
      `${(((parts[0] ?? 0) << 8) | (parts[1] ?? 0)).toString(16)}:${(((parts[2] ?? 0) << 8) | (parts[3] ?? 0)).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const fill = tail === undefined ? 0 : 8 - headGroups.length - tailGroups.length;
  return [...headGroups, ...Array<string>(fill).fill('0'), ...tailGroups].map((g) => parseInt(g, 16));
}

function embeddedV4(address: string): string | undefined {
  const lower = address.toLowerCase();
  if (!EMBEDDED_V4.some((prefix) => lower.startsWith(prefix))) return undefined;
  const groups = expandV6(lower);
  // 6to4 carries the address in groups 1–2; the others in the last two groups.
  const [hi, lo] = lower.startsWith('2002:') ? [groups[1], groups[2]] : [groups[6], groups[7]];
  if (hi === undefined || lo === undefined) return undefined;
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/**
 * Normalises the many spellings of an IP address (decimal `2130706433`, octal `0177.0.0.1`, hex,
 * short `127.1`, bracketed IPv6) the way a URL parser and `fetch` would. Returns undefined for names.
 */
export function normalizeIpAddress(value: string): string | undefined {
  const bare = value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value;
  if (isIP(bare) === 4) return bare;
  try {
    // The URL parser canonicalises IPv6 too (`0:0:0:0:0:ffff:7f00:1` → `::ffff:7f00:1`), so the
    // embedded-IPv4 prefixes below match every spelling.
    const host = new URL(`http://${value.includes(':') ? `[${bare}]` : bare}/`).hostname;
    const unbracketed = host.startsWith('[') ? host.slice(1, -1) : host;
    return isIP(unbracketed) !== 0 ? unbracketed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * True only for a globally routable unicast address. Private, loopback, link-local (which holds the
 * cloud metadata endpoint 169.254.169.254), CGNAT, documentation, multicast, reserved and
 * unspecified addresses are refused, as are IPv6 forms embedding one of them (`::ffff:127.0.0.1`,
 * NAT64, 6to4). Anything that is not an IP address returns false.
 */
export function isPublicIpAddress(value: string): boolean {
  const address = normalizeIpAddress(value);
  if (address === undefined) return false;
  const family = isIP(address);
  if (family === 4) return !BLOCKLIST.check(address, 'ipv4');
  const v4 = embeddedV4(address);
  if (v4 !== undefined) return !BLOCKLIST.check(v4, 'ipv4');
  return !BLOCKLIST.check(address, 'ipv6');
}

function refuse(reason: string): never {
  throw new SecurityError('PLUMEGO_ERR_INPUT_FORBIDDEN_ADDRESS', { reason });
}

function checkHost(hostname: string): void {
  const host = hostname.replace(/\.$/, '').toLowerCase();
  const literal = host.startsWith('[') ? host.slice(1, -1) : host;
  if (isIP(literal) !== 0) {
    if (!isPublicIpAddress(literal)) refuse('address');
    return;
  }
  if (host === '' || BLOCKED_HOSTS.has(host) || BLOCKED_SUFFIXES.some((s) => host.endsWith(s))) refuse('host');
  if (!host.includes('.')) refuse('host');
}

/**
 * Synchronous SSRF check on the URL's shape: the host must be a public IP literal or a dotted name
 * that is not a well-known internal name. It cannot see what a name resolves to; use
 * `resolvePublicUrl` before connecting.
 */
export function assertPublicUrl(value: string, options: UrlValidationOptions = {}): URL {
  const url = assertUrl(value, options);
  checkHost(url.hostname);
  return url;
}

export type AddressLookup = (hostname: string) => Promise<ReadonlyArray<{ address: string }>>;

export interface PublicUrlResolveOptions extends UrlValidationOptions {
  /** Resolver returning every address of a name. Default: `dns.promises.lookup(host, { all: true })`. */
  lookup?: AddressLookup;
}

export interface ResolvedPublicUrl {
  url: URL;
  /** The addresses checked; connect to one of these (not the name) to avoid DNS rebinding. */
  addresses: string[];
}

/** `assertPublicUrl` plus DNS: every address the name resolves to must be public. */
export async function resolvePublicUrl(
  value: string,
  options: PublicUrlResolveOptions = {},
): Promise<ResolvedPublicUrl> {
  const url = assertPublicUrl(value, options);
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  if (isIP(host) !== 0) return { url, addresses: [host] };
  const lookup = options.lookup ?? ((name: string) => dnsLookup(name, { all: true }));
  let records: ReadonlyArray<{ address: string }>;
  try {
    records = await lookup(host);
  } catch (cause) {
    throw new SecurityError('PLUMEGO_ERR_INPUT_FORBIDDEN_ADDRESS', { reason: 'dns', cause });
  }
  if (records.length === 0) refuse('dns');
  const addresses = records.map((r) => r.address);
  if (!addresses.every(isPublicIpAddress)) refuse('address');
  return { url, addresses };
}
