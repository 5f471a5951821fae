import { describe, expect, it } from 'vitest';
import {
  BufferedResponseWriter,
  composeMiddleware,
  createRequest,
  writeError,
  type RequestInit,
} from 'plumego/contract';
import { getStrictSecurityPolicy } from 'plumego/security';
import { securityHeaders, type SecurityHeadersOptions } from './security-headers.ts';

async function run(options: SecurityHeadersOptions, init: RequestInit = { url: '/' }) {
  const w = new BufferedResponseWriter();
  await composeMiddleware([securityHeaders(options)], (w2, r) => {
    writeError(w2, r, new Error('x'));
  })(w, createRequest(init));
  return w;
}

describe('securityHeaders', () => {
  it('adds the default policy, also on error responses', async () => {
    const w = await run({});
    expect(w.status).toBe(500);
    expect([
      w.getHeader('x-frame-options'),
      w.getHeader('x-content-type-options'),
      w.getHeader('referrer-policy'),
    ]).toEqual(['SAMEORIGIN', 'nosniff', 'strict-origin-when-cross-origin']);
    expect(w.getHeader('strict-transport-security')).toBeUndefined();
  });

  it('sends HSTS only for requests a trusted proxy marks as HTTPS', async () => {
    const policy = getStrictSecurityPolicy();
    const plain = await run({ policy });
    expect(plain.getHeader('x-frame-options')).toBe('DENY');
    expect(plain.getHeader('strict-transport-security')).toBeUndefined();
    // In-process requests have no peer address, so a forwarded header alone is not trusted…
    const spoofed = await run({ policy }, { url: '/', headers: { 'x-forwarded-proto': 'https' } });
    expect(spoofed.getHeader('strict-transport-security')).toBeUndefined();
    // …unless every peer is trusted.
    const trusted = await run(
      { policy, secureRequest: { trustedProxies: 'any' } },
      { url: '/', headers: { 'x-forwarded-proto': 'https' } },
    );
    expect(trusted.getHeader('strict-transport-security')).toContain('max-age=');
  });

  it('rejects an invalid policy at construction', () => {
    expect(() => securityHeaders({ policy: { frameOptions: 'ALLOW' as never } })).toThrow();
  });
});
