import type { Request } from 'plumego/contract';
import { setForwardedHeader, setXForwardedHeaders, type ForwardingHop } from './forwarded.ts';
import { copyRequestHeaders, getRawHeaders, type HeaderRecord } from './headers.ts';
import type { ResolvedProxyOptions } from './options.ts';

const X_FORWARDED_NAMES = [
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
  'x-forwarded-port',
  'x-real-ip',
] as const;

function getHop(r: Request, options: ResolvedProxyOptions, host: string): ForwardingHop {
  const peer = r.remoteAddress;
  const encrypted = (r.raw?.socket as { encrypted?: boolean } | undefined)?.encrypted === true;
  return {
    peer,
    proto: encrypted ? 'https' : 'http',
    host,
    trusted: peer !== '' && options.isTrustedProxy(peer),
  };
}

/**
 * Builds the headers every attempt starts from: inbound minus hop-by-hop, plus forwarding headers.
 * `inbound` is the copy the caller already made in its pass over the raw head (see `readInboundHead`).
 */
export function buildUpstreamHeaders(
  r: Request,
  options: ResolvedProxyOptions,
  inbound?: { headers: HeaderRecord; host: string },
): HeaderRecord {
  const headers = inbound?.headers ?? copyRequestHeaders(r.headers, getRawHeaders(r));
  const hop = getHop(r, options, inbound?.host ?? r.header('host') ?? '');
  if (options.xForwarded) setXForwardedHeaders(headers, hop);
  else if (!hop.trusted) for (const n of X_FORWARDED_NAMES) if (headers[n] !== undefined) delete headers[n];
  if (options.forwarded) setForwardedHeader(headers, hop);
  else if (!hop.trusted && headers['forwarded'] !== undefined) delete headers['forwarded'];
  return headers;
}
