import { describe, it, expect } from 'vitest';
import { isSecurityError } from '../errors.ts';
import { CspBuilder, getStrictCsp } from './csp.ts';
import { assertSecurityPolicy, getDefaultSecurityPolicy, getSecurityHeaders, getStrictSecurityPolicy } from './policy.ts';
import { isSecureRequest, resolveSecureRequestOptions } from './secure-request.ts';

describe('CspBuilder', () => {
  it('joins directives in order and deduplicates sources', () => {
    const csp = new CspBuilder().defaultSrc("'self'").scriptSrc("'self'", 'https://cdn.example.com', "'self'").upgradeInsecureRequests().build();
    expect(csp).toBe("default-src 'self'; script-src 'self' https://cdn.example.com; upgrade-insecure-requests");
  });

  const injections = [
    { title: 'semicolon', source: "'self'; script-src *" },
    { title: 'comma', source: "'self',script-src" },
    { title: 'newline', source: "'self'\nX-Injected: 1" },
    { title: 'carriage return', source: "'self'\r" },
    { title: 'space', source: "'self' *" },
    { title: 'NUL', source: 'a\u0000' },
    { title: 'empty', source: '' },
    { title: 'non-ASCII', source: 'https://exämple.com' },
  ];
  for (const { title, source } of injections) {
    it(`rejects a source with ${title}`, () => {
      let caught: unknown;
      try { new CspBuilder().scriptSrc(source); } catch (err) { caught = err; }
      expect(isSecurityError(caught, 'PLUMEGO_ERR_CSP_INVALID_SOURCE')).toBe(true);
      // The offending value is never echoed.
      if (source !== '') expect((caught as Error).message).not.toContain(source);
    });
  }

  it('rejects a bad directive name and an empty policy', () => {
    expect(() => new CspBuilder().add('script-src;x', "'self'")).toThrow(/Content-Security-Policy/);
    expect(() => new CspBuilder().build()).toThrow(/Content-Security-Policy/);
    expect(() => new CspBuilder().add('script-src').build()).toThrow(/script-src/);
  });

  it('has a strict preset that forbids framing and plugins', () => {
    expect(getStrictCsp()).toContain("frame-ancestors 'none'");
    expect(getStrictCsp()).toContain("object-src 'none'");
  });
});

describe('security header policies', () => {
  it('default policy sends the three baseline headers', () => {
    expect(getSecurityHeaders(getDefaultSecurityPolicy(), true)).toEqual([
      ['X-Frame-Options', 'SAMEORIGIN'],
      ['X-Content-Type-Options', 'nosniff'],
      ['Referrer-Policy', 'strict-origin-when-cross-origin'],
    ]);
  });

  it('strict policy sends HSTS only when the request is secure', () => {
    const policy = assertSecurityPolicy(getStrictSecurityPolicy());
    const plain = new Map(getSecurityHeaders(policy, false));
    const secure = new Map(getSecurityHeaders(policy, true));
    expect(plain.has('Strict-Transport-Security')).toBe(false);
    expect(secure.get('Strict-Transport-Security')).toBe('max-age=31536000; includeSubDomains; preload');
    expect(secure.get('X-Frame-Options')).toBe('DENY');
    expect(secure.get('Cross-Origin-Embedder-Policy')).toBe('require-corp');
  });

  const bad = [
    { title: 'an unknown frame option', policy: { frameOptions: 'ALLOW-FROM x' } },
    { title: 'a CSP with a newline', policy: { contentSecurityPolicy: "default-src 'self'\r\nSet-Cookie: a=b" } },
    { title: 'a negative HSTS max-age', policy: { strictTransportSecurity: { maxAge: -1, includeSubDomains: false, preload: false } } },
    { title: 'preload without subdomains', policy: { strictTransportSecurity: { maxAge: 31536000, includeSubDomains: false, preload: true } } },
    { title: 'an additional header with a bad name', policy: { additional: { 'Bad Name': 'x' } } },
    { title: 'an additional header with a control char', policy: { additional: { 'X-Ok': 'a\u0007' } } },
  ];
  for (const { title, policy } of bad) {
    it(`refuses ${title}`, () => {
      expect(() => assertSecurityPolicy(policy as never)).toThrow(expect.objectContaining({ code: 'PLUMEGO_ERR_HEADERS_INVALID_POLICY' }));
    });
  }
});

describe('isSecureRequest', () => {
  const proxy = resolveSecureRequestOptions({ trustedProxies: ['10.0.0.0/8', '::1'] });
  const cases = [
    { title: 'direct TLS', info: { encrypted: true, headers: {} }, expected: true },
    { title: 'plain HTTP', info: { encrypted: false, remoteAddress: '10.1.1.1', headers: {} }, expected: false },
    { title: 'trusted proxy https', info: { encrypted: false, remoteAddress: '10.1.1.1', headers: { 'x-forwarded-proto': 'https' } }, expected: true },
    { title: 'trusted proxy https chain', info: { encrypted: false, remoteAddress: '::1', headers: { 'x-forwarded-proto': 'https, https' } }, expected: true },
    { title: 'mixed chain', info: { encrypted: false, remoteAddress: '10.1.1.1', headers: { 'x-forwarded-proto': 'https, http' } }, expected: false },
    { title: 'untrusted peer claiming https', info: { encrypted: false, remoteAddress: '203.0.113.9', headers: { 'x-forwarded-proto': 'https' } }, expected: false },
    { title: 'Forwarded header https', info: { encrypted: false, remoteAddress: '10.1.1.1', headers: { forwarded: 'for=1.2.3.4;proto=https' } }, expected: true },
    { title: 'Forwarded mixed with XFP', info: { encrypted: false, remoteAddress: '10.1.1.1', headers: { forwarded: 'proto=http', 'x-forwarded-proto': 'https' } }, expected: false },
    { title: 'IPv4-mapped peer address of a trusted proxy', info: { encrypted: false, remoteAddress: '::ffff:10.2.3.4', headers: { 'x-forwarded-proto': 'https' } }, expected: true },
    { title: 'X-Forwarded-Ssl alone', info: { encrypted: false, remoteAddress: '10.1.1.1', headers: { 'x-forwarded-ssl': 'on' } }, expected: false },
  ];
  for (const { title, info, expected } of cases) {
    it(`${title} → ${expected}`, () => expect(isSecureRequest(info, proxy)).toBe(expected));
  }

  it('ignores forwarded headers by default', () => {
    const none = resolveSecureRequestOptions();
    expect(isSecureRequest({ encrypted: false, remoteAddress: '10.1.1.1', headers: { 'x-forwarded-proto': 'https' } }, none)).toBe(false);
  });

  it('refuses a malformed trusted proxy at resolve time', () => {
    expect(() => resolveSecureRequestOptions({ trustedProxies: ['not-an-ip'] })).toThrow(TypeError);
  });
});
