import { describe, it, expect } from 'vitest';
import { isSecurityError } from '../errors.ts';
import { CspBuilder, getStrictCsp } from './csp.ts';
import {
  assertSecurityPolicy,
  getDefaultSecurityPolicy,
  getSecurityHeaders,
  getStrictSecurityPolicy,
} from './policy.ts';
import { isSecureRequest, resolveSecureRequestOptions } from './secure-request.ts';

describe('CspBuilder', () => {
  it('joins directives in order and deduplicates sources', () => {
    const csp = new CspBuilder()
      .defaultSrc("'self'")
      .scriptSrc("'self'", 'https://cdn.example.com', "'self'")
      .upgradeInsecureRequests()
      .build();
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
      try {
        new CspBuilder().scriptSrc(source);
      } catch (err) {
        caught = err;
      }
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

describe('CspBuilder shorthands and edges', () => {
  it('maps every shorthand to its directive, in call order', () => {
    const csp = new CspBuilder()
      .defaultSrc('a')
      .scriptSrc('b')
      .styleSrc('c')
      .imgSrc('d')
      .connectSrc('e')
      .fontSrc('f')
      .objectSrc('g')
      .mediaSrc('h')
      .frameSrc('i')
      .workerSrc('j')
      .frameAncestors('k')
      .baseUri('l')
      .formAction('m')
      .sandbox()
      .reportTo('grp')
      .upgradeInsecureRequests()
      .build();
    expect(csp).toBe(
      'default-src a; script-src b; style-src c; img-src d; connect-src e; font-src f; object-src g; media-src h; frame-src i; worker-src j; frame-ancestors k; base-uri l; form-action m; sandbox; report-to grp; upgrade-insecure-requests',
    );
  });

  it('merges sources added to a directive twice, keeps an empty sandbox and block-all-mixed-content, accepts every printable source character but ; and ,', () => {
    expect(
      new CspBuilder()
        .add('img-src', 'a')
        .add('img-src', 'b', 'a')
        .sandbox('allow-scripts')
        .add('block-all-mixed-content')
        .build(),
    ).toBe('img-src a b; sandbox allow-scripts; block-all-mixed-content');
    expect(new CspBuilder().add('img-src', '!+-:<~').build()).toBe('img-src !+-:<~');
    expect(() => new CspBuilder().add('Img-src', 'a')).toThrow(
      expect.objectContaining({ code: 'PLUMEGO_ERR_CSP_INVALID_SOURCE', reason: 'directive' }),
    );
    expect(() => new CspBuilder().add('-img', 'a')).toThrow(expect.objectContaining({ reason: 'directive' }));
    expect(() => new CspBuilder().add('img-src', 'ok', 'a b')).toThrow(
      expect.objectContaining({ reason: 'source', field: 'img-src' }),
    );
    expect(() => new CspBuilder().add('img-src').build()).toThrow(
      expect.objectContaining({ reason: 'no_sources', field: 'img-src' }),
    );
    expect(getStrictCsp()).toBe(
      "default-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'",
    );
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

  it('strict policy sends every header in a fixed order, additional headers last', () => {
    const policy = assertSecurityPolicy({
      ...getStrictSecurityPolicy(),
      strictTransportSecurity: { maxAge: 60, includeSubDomains: false, preload: false },
      additional: { 'X-Extra': 'yes' },
    });
    expect(getSecurityHeaders(policy, true)).toEqual([
      ['X-Frame-Options', 'DENY'],
      ['X-Content-Type-Options', 'nosniff'],
      ['Referrer-Policy', 'no-referrer'],
      ['Permissions-Policy', 'geolocation=(), camera=(), microphone=()'],
      [
        'Content-Security-Policy',
        "default-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'",
      ],
      ['Cross-Origin-Opener-Policy', 'same-origin'],
      ['Cross-Origin-Resource-Policy', 'same-origin'],
      ['Cross-Origin-Embedder-Policy', 'require-corp'],
      ['Strict-Transport-Security', 'max-age=60'],
      ['X-Extra', 'yes'],
    ]);
    expect(
      getSecurityHeaders({ strictTransportSecurity: { maxAge: 0, includeSubDomains: true, preload: false } }, true),
    ).toEqual([['Strict-Transport-Security', 'max-age=0; includeSubDomains']]);
    expect(getSecurityHeaders({}, true)).toEqual([]);
  });

  it('accepts every allow-listed value and the HSTS preload floor of one year', () => {
    for (const frameOptions of ['DENY', 'SAMEORIGIN'] as const)
      expect(() => assertSecurityPolicy({ frameOptions })).not.toThrow();
    for (const crossOriginOpenerPolicy of ['same-origin', 'same-origin-allow-popups', 'unsafe-none'] as const)
      expect(() => assertSecurityPolicy({ crossOriginOpenerPolicy })).not.toThrow();
    for (const crossOriginResourcePolicy of ['same-origin', 'same-site', 'cross-origin'] as const)
      expect(() => assertSecurityPolicy({ crossOriginResourcePolicy })).not.toThrow();
    for (const crossOriginEmbedderPolicy of ['require-corp', 'credentialless', 'unsafe-none'] as const)
      expect(() => assertSecurityPolicy({ crossOriginEmbedderPolicy })).not.toThrow();
    expect(() =>
      assertSecurityPolicy({
        referrerPolicy: 'unsafe-url',
        contentTypeOptions: 'nosniff',
        permissionsPolicy: 'camera=()',
      }),
    ).not.toThrow();
    expect(() =>
      assertSecurityPolicy({ strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true, preload: true } }),
    ).not.toThrow();
    expect(() =>
      assertSecurityPolicy({ strictTransportSecurity: { maxAge: 0, includeSubDomains: false, preload: false } }),
    ).not.toThrow();
  });

  const refused: Array<[string, object, string]> = [
    ['a content type option other than nosniff', { contentTypeOptions: 'sniff' }, 'contentTypeOptions'],
    ['an unknown referrer policy', { referrerPolicy: 'everything' }, 'referrerPolicy'],
    ['an unknown opener policy', { crossOriginOpenerPolicy: 'open' }, 'crossOriginOpenerPolicy'],
    ['an unknown resource policy', { crossOriginResourcePolicy: 'any' }, 'crossOriginResourcePolicy'],
    ['an unknown embedder policy', { crossOriginEmbedderPolicy: 'any' }, 'crossOriginEmbedderPolicy'],
    ['an empty permissions policy', { permissionsPolicy: '' }, 'permissionsPolicy'],
    ['an empty CSP', { contentSecurityPolicy: '' }, 'contentSecurityPolicy'],
    [
      'a fractional HSTS max-age',
      { strictTransportSecurity: { maxAge: 1.5, includeSubDomains: false, preload: false } },
      'strictTransportSecurity.maxAge',
    ],
    [
      'preload under a year',
      { strictTransportSecurity: { maxAge: 31_535_999, includeSubDomains: true, preload: true } },
      'strictTransportSecurity.preload',
    ],
    ['an empty additional header', { additional: { 'X-Ok': '' } }, 'additional.X-Ok'],
  ];
  it.each(refused)('names the field of %s', (_title, policy, field) => {
    expect(() => assertSecurityPolicy(policy as never)).toThrow(
      expect.objectContaining({ code: 'PLUMEGO_ERR_HEADERS_INVALID_POLICY', field }),
    );
  });

  const bad = [
    { title: 'an unknown frame option', policy: { frameOptions: 'ALLOW-FROM x' } },
    { title: 'a CSP with a newline', policy: { contentSecurityPolicy: "default-src 'self'\r\nSet-Cookie: a=b" } },
    {
      title: 'a negative HSTS max-age',
      policy: { strictTransportSecurity: { maxAge: -1, includeSubDomains: false, preload: false } },
    },
    {
      title: 'preload without subdomains',
      policy: { strictTransportSecurity: { maxAge: 31536000, includeSubDomains: false, preload: true } },
    },
    { title: 'an additional header with a bad name', policy: { additional: { 'Bad Name': 'x' } } },
    { title: 'an additional header with a control char', policy: { additional: { 'X-Ok': 'a\u0007' } } },
  ];
  for (const { title, policy } of bad) {
    it(`refuses ${title}`, () => {
      expect(() => assertSecurityPolicy(policy as never)).toThrow(
        expect.objectContaining({ code: 'PLUMEGO_ERR_HEADERS_INVALID_POLICY' }),
      );
    });
  }
});

describe('isSecureRequest', () => {
  const proxy = resolveSecureRequestOptions({ trustedProxies: ['10.0.0.0/8', '::1'] });
  const cases = [
    { title: 'direct TLS', info: { encrypted: true, headers: {} }, expected: true },
    { title: 'plain HTTP', info: { encrypted: false, remoteAddress: '10.1.1.1', headers: {} }, expected: false },
    {
      title: 'trusted proxy https',
      info: { encrypted: false, remoteAddress: '10.1.1.1', headers: { 'x-forwarded-proto': 'https' } },
      expected: true,
    },
    {
      title: 'trusted proxy https chain',
      info: { encrypted: false, remoteAddress: '::1', headers: { 'x-forwarded-proto': 'https, https' } },
      expected: true,
    },
    {
      title: 'mixed chain',
      info: { encrypted: false, remoteAddress: '10.1.1.1', headers: { 'x-forwarded-proto': 'https, http' } },
      expected: false,
    },
    {
      title: 'untrusted peer claiming https',
      info: { encrypted: false, remoteAddress: '203.0.113.9', headers: { 'x-forwarded-proto': 'https' } },
      expected: false,
    },
    {
      title: 'Forwarded header https',
      info: { encrypted: false, remoteAddress: '10.1.1.1', headers: { forwarded: 'for=1.2.3.4;proto=https' } },
      expected: true,
    },
    {
      title: 'Forwarded mixed with XFP',
      info: {
        encrypted: false,
        remoteAddress: '10.1.1.1',
        headers: { forwarded: 'proto=http', 'x-forwarded-proto': 'https' },
      },
      expected: false,
    },
    {
      title: 'IPv4-mapped peer address of a trusted proxy',
      info: { encrypted: false, remoteAddress: '::ffff:10.2.3.4', headers: { 'x-forwarded-proto': 'https' } },
      expected: true,
    },
    {
      title: 'X-Forwarded-Ssl alone',
      info: { encrypted: false, remoteAddress: '10.1.1.1', headers: { 'x-forwarded-ssl': 'on' } },
      expected: false,
    },
  ];
  for (const { title, info, expected } of cases) {
    it(`${title} → ${expected}`, () => expect(isSecureRequest(info, proxy)).toBe(expected));
  }

  it('ignores forwarded headers by default', () => {
    const none = resolveSecureRequestOptions();
    expect(
      isSecureRequest({ encrypted: false, remoteAddress: '10.1.1.1', headers: { 'x-forwarded-proto': 'https' } }, none),
    ).toBe(false);
  });

  it('refuses a malformed trusted proxy at resolve time', () => {
    expect(() => resolveSecureRequestOptions({ trustedProxies: ['not-an-ip'] })).toThrow(TypeError);
  });
});
