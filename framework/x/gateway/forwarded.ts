import { BlockList, isIP } from 'node:net';
import { assertGatewayOption } from './errors.ts';
import type { HeaderRecord } from './headers.ts';

/** Decides whether a peer address is a proxy whose forwarding headers may be believed. */
export type TrustedProxies = (address: string) => boolean;

function stripMapped(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/**
 * Builds the trust test from IPs and CIDR ranges (`10.0.0.0/8`, `::1`). An empty list trusts nobody,
 * so inbound `Forwarded`/`X-Forwarded-*` are then always replaced. Throws on a malformed entry.
 */
export function createTrustedProxies(entries: readonly string[]): TrustedProxies {
  if (entries.length === 0) return () => false;
  const list = new BlockList();
  for (const entry of entries) {
    const [addr = '', bits] = entry.split('/');
    const family = isIP(addr);
    assertGatewayOption(family !== 0, 'trustedProxies', `${JSON.stringify(entry)} is not an IP address or CIDR range`);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) {
      list.addAddress(addr, type);
      continue;
    }
    const prefix = Number(bits);
    assertGatewayOption(
      /^[0-9]+$/.test(bits) && prefix <= (family === 4 ? 32 : 128),
      'trustedProxies',
      `${JSON.stringify(entry)} has a bad prefix length`,
    );
    list.addSubnet(addr, prefix, type);
  }
  return (address) => {
    const a = stripMapped(address);
    const family = isIP(a);
    return family !== 0 && list.check(a, family === 4 ? 'ipv4' : 'ipv6');
  };
}

/** What the proxy knows about the hop it received the request on. */
export interface ForwardingHop {
  /** Peer address of the inbound connection ('' when unknown). */
  peer: string;
  /** `http` or `https` as seen by this proxy. */
  proto: string;
  /** Inbound `Host` header ('' when absent). */
  host: string;
  /** Whether the peer is a trusted proxy (its forwarding headers are kept and extended). */
  trusted: boolean;
}

const X_FORWARDED = [
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
  'x-forwarded-port',
  'x-real-ip',
] as const;

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function joinValues(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * Sets `X-Forwarded-For/Proto/Host`: a trusted peer's chain is extended with the peer; anything an
 * untrusted peer sent is dropped first, so a client cannot forge its address.
 */
export function setXForwardedHeaders(headers: HeaderRecord, hop: ForwardingHop): void {
  const inboundFor = hop.trusted ? joinValues(headers['x-forwarded-for']) : undefined;
  const inboundProto = hop.trusted ? first(headers['x-forwarded-proto']) : undefined;
  const inboundHost = hop.trusted ? first(headers['x-forwarded-host']) : undefined;
  // Deleting a name that is absent still costs a runtime call; most requests carry none of these.
  for (const name of X_FORWARDED) if (headers[name] !== undefined) delete headers[name];
  const peer = stripMapped(hop.peer);
  if (peer !== '')
    headers['x-forwarded-for'] = inboundFor === undefined || inboundFor === '' ? peer : `${inboundFor}, ${peer}`;
  headers['x-forwarded-proto'] = inboundProto ?? hop.proto;
  const host = inboundHost ?? hop.host;
  if (host !== '') headers['x-forwarded-host'] = host;
}

function quoteNode(address: string): string {
  // RFC 7239 §6: IPv6 nodes are bracketed and the value quoted.
  return isIP(address) === 6 ? `"[${address}]"` : address;
}

function quoteValue(value: string): string {
  return /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(value) ? value : JSON.stringify(value);
}

/** Sets RFC 7239 `Forwarded`, extending a trusted peer's list and replacing an untrusted one. */
export function setForwardedHeader(headers: HeaderRecord, hop: ForwardingHop): void {
  const inbound = hop.trusted ? joinValues(headers['forwarded']) : undefined;
  const peer = stripMapped(hop.peer);
  let element = `for=${peer === '' ? 'unknown' : quoteNode(peer)};proto=${hop.proto}`;
  if (hop.host !== '') element += `;host=${quoteValue(hop.host)}`;
  headers['forwarded'] = inbound === undefined || inbound === '' ? element : `${inbound}, ${element}`;
}
