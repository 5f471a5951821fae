import { SecurityError } from '../errors.ts';
import { isHeaderName, isHeaderValue } from '../input/header.ts';
import { getStrictCsp } from './csp.ts';

export interface HstsOptions {
  /** Seconds browsers remember to use HTTPS. Non-negative integer. */
  maxAge: number;
  /** Apply to every subdomain. */
  includeSubDomains: boolean;
  /** Ask for preload-list inclusion; requires includeSubDomains and maxAge ≥ 1 year. */
  preload: boolean;
}

export type FrameOptions = 'DENY' | 'SAMEORIGIN';
export type ReferrerPolicy =
  | 'no-referrer'
  | 'no-referrer-when-downgrade'
  | 'origin'
  | 'origin-when-cross-origin'
  | 'same-origin'
  | 'strict-origin'
  | 'strict-origin-when-cross-origin'
  | 'unsafe-url';
export type CrossOriginOpenerPolicy = 'same-origin' | 'same-origin-allow-popups' | 'unsafe-none';
export type CrossOriginResourcePolicy = 'same-origin' | 'same-site' | 'cross-origin';
export type CrossOriginEmbedderPolicy = 'require-corp' | 'credentialless' | 'unsafe-none';

/** Which security headers to send. An absent field sends nothing for that header. */
export interface SecurityHeaderPolicy {
  frameOptions?: FrameOptions;
  contentTypeOptions?: 'nosniff';
  referrerPolicy?: ReferrerPolicy;
  permissionsPolicy?: string;
  contentSecurityPolicy?: string;
  crossOriginOpenerPolicy?: CrossOriginOpenerPolicy;
  crossOriginResourcePolicy?: CrossOriginResourcePolicy;
  crossOriginEmbedderPolicy?: CrossOriginEmbedderPolicy;
  /** Sent only when the request is known to be HTTPS (see `isSecureRequest`). */
  strictTransportSecurity?: HstsOptions;
  /** Extra headers, validated like the rest. */
  additional?: Readonly<Record<string, string>>;
}

const ONE_YEAR = 31_536_000;
const FRAME = new Set<string>(['DENY', 'SAMEORIGIN']);
const REFERRER = new Set<string>([
  'no-referrer',
  'no-referrer-when-downgrade',
  'origin',
  'origin-when-cross-origin',
  'same-origin',
  'strict-origin',
  'strict-origin-when-cross-origin',
  'unsafe-url',
]);
const COOP = new Set<string>(['same-origin', 'same-origin-allow-popups', 'unsafe-none']);
const CORP = new Set<string>(['same-origin', 'same-site', 'cross-origin']);
const COEP = new Set<string>(['require-corp', 'credentialless', 'unsafe-none']);

/** The baseline every response can carry without breaking pages. */
export function getDefaultSecurityPolicy(): SecurityHeaderPolicy {
  return {
    frameOptions: 'SAMEORIGIN',
    contentTypeOptions: 'nosniff',
    referrerPolicy: 'strict-origin-when-cross-origin',
  };
}

/** A locked-down policy for APIs: no framing, no referrer, isolated, strict CSP, HSTS 1y preload. */
export function getStrictSecurityPolicy(): SecurityHeaderPolicy {
  return {
    frameOptions: 'DENY',
    contentTypeOptions: 'nosniff',
    referrerPolicy: 'no-referrer',
    permissionsPolicy: 'geolocation=(), camera=(), microphone=()',
    contentSecurityPolicy: getStrictCsp(),
    crossOriginOpenerPolicy: 'same-origin',
    crossOriginResourcePolicy: 'same-origin',
    crossOriginEmbedderPolicy: 'require-corp',
    strictTransportSecurity: { maxAge: ONE_YEAR, includeSubDomains: true, preload: true },
  };
}

function fail(field: string): never {
  throw new SecurityError('PLUMEGO_ERR_HEADERS_INVALID_POLICY', { field });
}

function checkEnum(value: string | undefined, allowed: Set<string>, field: string): void {
  if (value !== undefined && !allowed.has(value)) fail(field);
}

function checkValue(value: string | undefined, field: string): void {
  if (value !== undefined && (value === '' || !isHeaderValue(value))) fail(field);
}

/** Returns the policy when every value is allow-listed and header-safe; throws otherwise. */
export function assertSecurityPolicy(policy: SecurityHeaderPolicy): SecurityHeaderPolicy {
  checkEnum(policy.frameOptions, FRAME, 'frameOptions');
  if (policy.contentTypeOptions !== undefined && policy.contentTypeOptions !== 'nosniff') fail('contentTypeOptions');
  checkEnum(policy.referrerPolicy, REFERRER, 'referrerPolicy');
  checkEnum(policy.crossOriginOpenerPolicy, COOP, 'crossOriginOpenerPolicy');
  checkEnum(policy.crossOriginResourcePolicy, CORP, 'crossOriginResourcePolicy');
  checkEnum(policy.crossOriginEmbedderPolicy, COEP, 'crossOriginEmbedderPolicy');
  checkValue(policy.permissionsPolicy, 'permissionsPolicy');
  checkValue(policy.contentSecurityPolicy, 'contentSecurityPolicy');
  const hsts = policy.strictTransportSecurity;
  if (hsts !== undefined) {
    if (!Number.isSafeInteger(hsts.maxAge) || hsts.maxAge < 0) fail('strictTransportSecurity.maxAge');
    if (hsts.preload && (!hsts.includeSubDomains || hsts.maxAge < ONE_YEAR)) fail('strictTransportSecurity.preload');
  }
  for (const [name, value] of Object.entries(policy.additional ?? {})) {
    if (!isHeaderName(name)) fail('additional');
    checkValue(value, `additional.${name}`);
  }
  return policy;
}

function formatHsts(hsts: HstsOptions): string {
  let value = `max-age=${hsts.maxAge}`;
  if (hsts.includeSubDomains) value += '; includeSubDomains';
  if (hsts.preload) value += '; preload';
  return value;
}

/**
 * The header pairs a policy produces. HSTS is included only when `secure` is true, because sending
 * it over plain HTTP is ignored by browsers at best and pins a broken origin at worst. Call
 * `assertSecurityPolicy` once at construction; this function assumes a validated policy.
 */
export function getSecurityHeaders(policy: SecurityHeaderPolicy, secure: boolean): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const push = (name: string, value: string | undefined): void => {
    if (value !== undefined) out.push([name, value]);
  };
  push('X-Frame-Options', policy.frameOptions);
  push('X-Content-Type-Options', policy.contentTypeOptions);
  push('Referrer-Policy', policy.referrerPolicy);
  push('Permissions-Policy', policy.permissionsPolicy);
  push('Content-Security-Policy', policy.contentSecurityPolicy);
  push('Cross-Origin-Opener-Policy', policy.crossOriginOpenerPolicy);
  push('Cross-Origin-Resource-Policy', policy.crossOriginResourcePolicy);
  push('Cross-Origin-Embedder-Policy', policy.crossOriginEmbedderPolicy);
  if (secure && policy.strictTransportSecurity !== undefined) {
    push('Strict-Transport-Security', formatHsts(policy.strictTransportSecurity));
  }
  for (const [name, value] of Object.entries(policy.additional ?? {})) push(name, value);
  return out;
}
