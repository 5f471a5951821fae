import { createHeaderBlock, type Middleware } from 'plumego/contract';
import {
  assertSecurityPolicy,
  getDefaultSecurityPolicy,
  getSecurityHeaders,
  isSecureRequest,
  resolveSecureRequestOptions,
  type SecureRequestOptions,
  type SecurityHeaderPolicy,
} from 'plumego/security';

export interface SecurityHeadersOptions {
  /** Header policy. Default `getDefaultSecurityPolicy()` (SAMEORIGIN, nosniff, strict-origin-when-cross-origin). */
  policy?: SecurityHeaderPolicy;
  /** Which proxies may vouch for HTTPS (for HSTS). Default: see security's `resolveSecureRequestOptions`. */
  secureRequest?: SecureRequestOptions;
}

/**
 * Adds the policy's headers to every response. The policy is validated and turned into constant
 * header blocks once, here; per request the middleware only appends a precomputed block (two
 * blocks when the policy has HSTS, which is sent on HTTPS requests only).
 */
export function securityHeaders(options: SecurityHeadersOptions = {}): Middleware {
  const policy = assertSecurityPolicy(options.policy ?? getDefaultSecurityPolicy());
  const toBlock = (secure: boolean) => createHeaderBlock(Object.fromEntries(getSecurityHeaders(policy, secure)));
  const plain = toBlock(false);
  if (policy.strictTransportSecurity === undefined) {
    return (next) => (w, r) => {
      w.addHeaderBlock(plain);
      return next(w, r);
    };
  }
  const secure = toBlock(true);
  const secureOpts = resolveSecureRequestOptions(options.secureRequest ?? {});
  return (next) => (w, r) => {
    const info = {
      encrypted: Boolean((r.raw?.socket as { encrypted?: boolean } | undefined)?.encrypted),
      remoteAddress: r.remoteAddress,
      headers: r.headers,
    };
    w.addHeaderBlock(isSecureRequest(info, secureOpts) ? secure : plain);
    return next(w, r);
  };
}
