import { describe, it, expect } from 'vitest';
import { Context, createRequest } from 'plumego/contract';
import { isSecurityError } from '../errors.ts';
import { extractBearerToken } from './bearer.ts';
import { createPrincipal, principalFromContext, withPrincipal } from './principal.ts';
import { createStaticTokenAuthenticator } from './static-token.ts';

describe('extractBearerToken', () => {
  const cases = [
    { input: 'Bearer abc.def', expected: 'abc.def' },
    { input: 'bearer abc', expected: 'abc' },
    { input: 'BEARER\tabc', expected: 'abc' },
    { input: 'Bearer   abc  ', expected: 'abc' },
    { input: 'Bearer', expected: undefined },
    { input: 'Bearer ', expected: undefined },
    { input: 'Bearerabc', expected: undefined },
    { input: 'Basic dXNlcjpwYXNz', expected: undefined },
    { input: 'Bearer abc def', expected: undefined },
    { input: 'Bearer abc\r\nX: y', expected: undefined },
    { input: 'Token abc', expected: undefined },
    { input: `Bearer ${'a'.repeat(17 * 1024)}`, expected: undefined },
  ];
  for (const { input, expected } of cases) {
    it(`${JSON.stringify(input.slice(0, 30))} → ${String(expected)}`, () =>
      expect(extractBearerToken(input)).toBe(expected));
  }
  it('returns undefined without a header', () => expect(extractBearerToken(undefined)).toBeUndefined());
});

describe('principal in context', () => {
  it('stores a frozen copy that caller mutation cannot change', () => {
    const roles = ['admin'];
    const ctx = withPrincipal(Context.empty, { subject: 'u1', roles, scopes: [], claims: {} });
    roles.push('root');
    const p = principalFromContext(ctx);
    expect(p?.roles).toEqual(['admin']);
    expect(Object.isFrozen(p?.roles)).toBe(true);
    expect(principalFromContext(Context.empty)).toBeUndefined();
  });
  it('refuses an empty subject', () => expect(() => createPrincipal({ subject: '' })).toThrow(TypeError));
});

describe('static token authenticator', () => {
  const secret = 'static-secret-0123456789';
  const auth = createStaticTokenAuthenticator(secret, { principal: { subject: 'ops', roles: ['admin'] } });

  it('accepts the token as Bearer or X-Token', async () => {
    expect(
      (await auth.authenticate(createRequest({ url: '/', headers: { authorization: `Bearer ${secret}` } }))).subject,
    ).toBe('ops');
    expect((await auth.authenticate(createRequest({ url: '/', headers: { 'x-token': secret } }))).roles).toEqual([
      'admin',
    ]);
  });

  it('never reads a query-string token', () => {
    expect(() => auth.authenticate(createRequest({ url: `/?access_token=${secret}` }))).toThrow(
      expect.objectContaining({ code: 'PLUMEGO_ERR_AUTH_UNAUTHENTICATED' }),
    );
  });

  it('rejects a wrong token without echoing it or the secret', () => {
    let caught: unknown;
    try {
      auth.authenticate(createRequest({ url: '/', headers: { authorization: 'Bearer wrong-token-value' } }));
    } catch (err) {
      caught = err;
    }
    expect(isSecurityError(caught, 'PLUMEGO_ERR_AUTH_INVALID_TOKEN')).toBe(true);
    const text = `${(caught as Error).message} ${JSON.stringify(caught)} ${String((caught as Error).stack)}`;
    expect(text).not.toContain('wrong-token-value');
    expect(text).not.toContain(secret);
  });

  it('refuses a short secret at construction', () => {
    expect(() => createStaticTokenAuthenticator('short')).toThrow(TypeError);
  });
});
