import type { IncomingHttpHeaders } from 'node:http';
import type { CacheEntry } from './store.ts';

function normalize(value: string | string[] | undefined): string {
  if (value === undefined) return '';
  return (Array.isArray(value) ? value.join(',') : value).trim().replace(/\s*,\s*/g, ',');
}

/**
 * RFC 9111 §4.1: a stored response serves a request only when every header its `Vary` names has the
 * same value as in the request that produced it. `Vary: *` never matches.
 */
export function matchesVary(entry: CacheEntry, headers: IncomingHttpHeaders): boolean {
  const vary = entry.headers['vary'];
  if (vary === undefined) return true;
  const names = normalize(vary)
    .toLowerCase()
    .split(',')
    .filter((n) => n !== '');
  if (names.includes('*')) return false;
  const stored = (entry.policy as { reqh?: Record<string, string | string[] | undefined> | null }).reqh ?? {};
  for (const name of names) if (normalize(headers[name]) !== normalize(stored[name])) return false;
  return true;
}

/** The variant's identity among the others stored under one URL. */
export function getVariantKey(entry: CacheEntry): string {
  const vary = entry.headers['vary'];
  if (vary === undefined) return '';
  const stored = (entry.policy as { reqh?: Record<string, string | string[] | undefined> | null }).reqh ?? {};
  return normalize(vary)
    .toLowerCase()
    .split(',')
    .map((n) => `${n}=${normalize(stored[n])}`)
    .join('&');
}
