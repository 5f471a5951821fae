import { describe, it, expect } from 'vitest';
import { createHmac } from 'node:crypto';
import { SignJWT } from 'jose';
import { createRequest } from 'plumego/contract';
import { isSecurityError } from '../errors.ts';
import { createPrincipal } from '../authn/principal.ts';
import { createPermissionAuthorizer, createPolicyAuthorizer } from './authorizers.ts';
import {
  InMemoryJwtKeyStore,
  generateJwtKey,
  parseJwtKey,
  serializeJwtKey,
  type JwtAlgorithm,
  type JwtKey,
} from './keys.ts';
import { JwtManager } from './manager.ts';
import { resolveJwtOptions } from './options.ts';

const T0 = Date.UTC(2026, 0, 1);

function setup(options: { algorithm?: JwtAlgorithm; algorithms?: JwtAlgorithm[] } = {}) {
  let now = T0;
  const store = new InMemoryJwtKeyStore();
  const manager = new JwtManager(store, { ...options, now: () => now });
  return {
    store,
    manager,
    advance: (ms: number) => {
      now += ms;
    },
    at: () => now,
  };
}

const b64 = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

function claimsFor(key: JwtKey, overrides: Record<string, unknown> = {}) {
  const iat = Math.floor(T0 / 1000);
  return {
    jti: 'j1',
    token_type: 'access',
    identity: { sub: 'u1', ver: 0 },
    authorization: { roles: [], permissions: [] },
    sub: 'u1',
    iss: 'plumego',
    aud: 'plumego-client',
    iat,
    nbf: iat,
    exp: iat + 900,
    kid: key.kid,
    ...overrides,
  };
}

async function signWith(key: JwtKey, claims: Record<string, unknown>, header: Record<string, unknown> = {}) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, typ: 'JWT', kid: key.kid, ...header } as never)
    .sign(key.signingKey);
}

async function activeKey(store: InMemoryJwtKeyStore): Promise<JwtKey> {
  const kid = await store.getActiveKid();
  return (await store.getKey(kid as string)) as JwtKey;
}

async function reasonOf(
  promise: Promise<unknown>,
): Promise<{ code: string; reason: string | undefined; message: string }> {
  try {
    await promise;
  } catch (err) {
    if (!isSecurityError(err)) throw err;
    return {
      code: err.code,
      reason: err.reason,
      message: `${err.message} ${JSON.stringify(err)} ${String((err.cause as Error | undefined)?.message)}`,
    };
  }
  throw new Error('expected a rejection');
}

describe('JwtManager: issue and verify', () => {
  for (const algorithm of ['HS256', 'EdDSA', 'ES256', 'RS256'] as const) {
    it(`round-trips a token pair with ${algorithm}`, async () => {
      const { manager } = setup({ algorithm });
      const pair = await manager.generateTokenPair(
        { sub: 'user-1', ver: 2 },
        { roles: ['admin'], permissions: ['items:write'] },
      );
      expect(pair).toMatchObject({ token_type: 'Bearer', expires_in: 900 });
      const claims = await manager.verifyToken(pair.access_token, 'access');
      expect(claims).toMatchObject({
        token_type: 'access',
        identity: { sub: 'user-1', ver: 2 },
        iss: 'plumego',
        aud: 'plumego-client',
      });
      expect(claims.authorization).toEqual({ roles: ['admin'], permissions: ['items:write'] });
      expect((await manager.verifyToken(pair.refresh_token, 'refresh')).exp - claims.iat).toBe(604_800);
    });
  }

  it('accepts a token in the Go reference payload shape (no top-level sub)', async () => {
    const { manager, store } = setup();
    await manager.rotateKey();
    const key = await activeKey(store);
    const claims: Record<string, unknown> = claimsFor(key, {
      identity: { sub: 'go-user', ver: 3 },
      authorization: { roles: ['r'], permissions: ['p'] },
    });
    delete claims['sub'];
    const verified = await manager.verifyToken(await signWith(key, claims), 'access');
    expect(verified.identity).toEqual({ sub: 'go-user', ver: 3 });
  });

  it('refuses a refresh token where an access token is expected, and vice versa', async () => {
    const { manager } = setup();
    const pair = await manager.generateTokenPair({ sub: 'u' });
    expect((await reasonOf(manager.verifyToken(pair.refresh_token, 'access'))).reason).toBe('token_type');
    expect((await reasonOf(manager.verifyToken(pair.access_token, 'refresh'))).reason).toBe('token_type');
  });

  it('refreshes a pair from a refresh token', async () => {
    const { manager } = setup();
    const pair = await manager.generateTokenPair({ sub: 'u' }, { roles: ['r'] });
    const next = await manager.refreshTokenPair(pair.refresh_token);
    expect((await manager.verifyToken(next.access_token, 'access')).authorization.roles).toEqual(['r']);
  });
});

describe('JwtManager: attacks and bad tokens', () => {
  it('rejects a tampered payload', async () => {
    const { manager } = setup();
    const [h, , s] = (await manager.generateTokenPair({ sub: 'user' })).access_token.split('.');
    const forged = `${h}.${b64({ ...JSON.parse('{}'), identity: { sub: 'admin' } })}.${s}`;
    expect(await reasonOf(manager.verifyToken(forged, 'access'))).toMatchObject({
      code: 'PLUMEGO_ERR_AUTH_INVALID_TOKEN',
    });
  });

  it('rejects a tampered signature', async () => {
    const { manager } = setup();
    const token = (await manager.generateTokenPair({ sub: 'user' })).access_token;
    const flipped = token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA');
    expect((await reasonOf(manager.verifyToken(flipped, 'access'))).reason).toBe('signature');
  });

  it('rejects an expired token beyond the skew, but accepts within it', async () => {
    const { manager, advance } = setup();
    const token = (await manager.generateTokenPair({ sub: 'u' })).access_token;
    advance(900_000 + 4_000);
    await expect(manager.verifyToken(token, 'access')).resolves.toBeTruthy();
    advance(2_000);
    expect(await reasonOf(manager.verifyToken(token, 'access'))).toMatchObject({
      code: 'PLUMEGO_ERR_AUTH_EXPIRED_TOKEN',
    });
  });

  it('rejects a not-yet-valid token and an iat in the future', async () => {
    const { manager, store } = setup();
    await manager.rotateKey();
    const key = await activeKey(store);
    const iat = Math.floor(T0 / 1000);
    const early = await signWith(key, claimsFor(key, { nbf: iat + 60 }));
    expect((await reasonOf(manager.verifyToken(early, 'access'))).reason).toBe('claim_nbf');
    const future = await signWith(key, claimsFor(key, { iat: iat + 60, nbf: iat }));
    expect((await reasonOf(manager.verifyToken(future, 'access'))).reason).toBe('claim_iat');
  });

  it('rejects the wrong audience and the wrong issuer', async () => {
    const { manager, store } = setup();
    await manager.rotateKey();
    const key = await activeKey(store);
    expect(
      (await reasonOf(manager.verifyToken(await signWith(key, claimsFor(key, { aud: 'other-app' })), 'access'))).reason,
    ).toBe('claim_aud');
    expect(
      (await reasonOf(manager.verifyToken(await signWith(key, claimsFor(key, { iss: 'evil' })), 'access'))).reason,
    ).toBe('claim_iss');
  });

  it('rejects missing exp, nbf or jti', async () => {
    const { manager, store } = setup();
    await manager.rotateKey();
    const key = await activeKey(store);
    for (const claim of ['exp', 'nbf', 'jti']) {
      const claims: Record<string, unknown> = claimsFor(key);
      delete claims[claim];
      expect(await reasonOf(manager.verifyToken(await signWith(key, claims), 'access'))).toMatchObject({
        code: 'PLUMEGO_ERR_AUTH_INVALID_TOKEN',
      });
    }
  });

  it('rejects alg none', async () => {
    const { manager, store } = setup();
    await manager.rotateKey();
    const key = await activeKey(store);
    const token = `${b64({ alg: 'none', typ: 'JWT', kid: key.kid })}.${b64(claimsFor(key))}.`;
    expect((await reasonOf(manager.verifyToken(token, 'access'))).code).toBe('PLUMEGO_ERR_AUTH_INVALID_TOKEN');
    const withSig = `${b64({ alg: 'none', typ: 'JWT', kid: key.kid })}.${b64(claimsFor(key))}.AAAA`;
    expect((await reasonOf(manager.verifyToken(withSig, 'access'))).reason).toBe('alg_not_allowed');
  });

  it('rejects algorithm confusion: HS256 signed with an EdDSA public key', async () => {
    const { manager, store } = setup({ algorithm: 'EdDSA', algorithms: ['EdDSA', 'HS256'] });
    await manager.rotateKey();
    const key = await activeKey(store);
    const header = b64({ alg: 'HS256', typ: 'JWT', kid: key.kid });
    const body = b64(claimsFor(key));
    const publicBytes = key.verifyKey.export({ format: 'der', type: 'spki' });
    const sig = createHmac('sha256', publicBytes).update(`${header}.${body}`).digest('base64url');
    expect((await reasonOf(manager.verifyToken(`${header}.${body}.${sig}`, 'access'))).reason).toBe('alg_mismatch');
  });

  it('rejects an unknown key id', async () => {
    const { manager } = setup();
    await manager.rotateKey();
    const stranger = await generateJwtKey('HS256', T0);
    expect((await reasonOf(manager.verifyToken(await signWith(stranger, claimsFor(stranger)), 'access'))).reason).toBe(
      'unknown_kid',
    );
  });

  it('rejects a payload kid that differs from the header kid', async () => {
    const { manager, store } = setup();
    await manager.rotateKey();
    const key = await activeKey(store);
    expect(
      (await reasonOf(manager.verifyToken(await signWith(key, claimsFor(key, { kid: 'other' })), 'access'))).reason,
    ).toBe('kid_mismatch');
  });

  it('rejects a typ other than JWT and a missing kid', async () => {
    const { manager, store } = setup();
    await manager.rotateKey();
    const key = await activeKey(store);
    expect(
      (await reasonOf(manager.verifyToken(await signWith(key, claimsFor(key), { typ: 'at+jwt' }), 'access'))).reason,
    ).toBe('typ');
    expect(
      (await reasonOf(manager.verifyToken(await signWith(key, claimsFor(key), { kid: undefined }), 'access'))).reason,
    ).toBe('kid');
  });

  it('rejects an empty subject', async () => {
    const { manager, store } = setup();
    await manager.rotateKey();
    const key = await activeKey(store);
    const token = await signWith(key, claimsFor(key, { identity: { sub: '' } }));
    expect((await reasonOf(manager.verifyToken(token, 'access'))).reason).toBe('claim_sub');
  });

  it('rejects oversized tokens and segments before parsing', async () => {
    const { manager } = setup();
    const huge = `${'a'.repeat(9000)}.${'b'.repeat(10)}.${'c'.repeat(10)}`;
    expect((await reasonOf(manager.verifyToken(huge, 'access'))).reason).toBe('too_large');
    const total = `${'a'.repeat(8000)}.${'b'.repeat(8000)}.${'c'.repeat(1000)}`;
    expect((await reasonOf(manager.verifyToken(total, 'access'))).reason).toBe('too_large');
  });

  const malformed = ['', 'abc', 'a.b', 'a.b.c.d', 'a..c', 'a$.b.c', 'eyJ.eyJ.sig'];
  for (const token of malformed) {
    it(`rejects the malformed token ${JSON.stringify(token)}`, async () => {
      const { manager } = setup();
      expect((await reasonOf(manager.verifyToken(token, 'access'))).code).toBe('PLUMEGO_ERR_AUTH_INVALID_TOKEN');
    });
  }

  it('never puts the token or claims into the error', async () => {
    const { manager, store } = setup();
    await manager.rotateKey();
    const key = await activeKey(store);
    const token = await signWith(key, claimsFor(key, { aud: 'secret-audience-marker' }));
    const { message } = await reasonOf(manager.verifyToken(token, 'access'));
    expect(message).not.toContain(token);
    expect(message).not.toContain('secret-audience-marker');
    expect(message).not.toContain(token.split('.')[2] as string);
  });
});

describe('JwtManager: keys and rotation', () => {
  it('keeps verifying tokens signed before an explicit rotation', async () => {
    const { manager } = setup();
    const before = (await manager.generateTokenPair({ sub: 'u' })).access_token;
    const info = await manager.rotateKey();
    expect(Object.keys(info).sort()).toEqual(['alg', 'createdAt', 'kid']);
    const after = (await manager.generateTokenPair({ sub: 'u' })).access_token;
    await expect(manager.verifyToken(before, 'access')).resolves.toBeTruthy();
    await expect(manager.verifyToken(after, 'access')).resolves.toBeTruthy();
  });

  it('rotates lazily once the active key is older than the interval, once under concurrency', async () => {
    const { manager, store, advance } = setup();
    await manager.generateTokenPair({ sub: 'u' });
    const first = await store.getActiveKid();
    advance(86_400_000);
    await Promise.all([1, 2, 3].map(() => manager.generateTokenPair({ sub: 'u' })));
    expect(await store.getActiveKid()).not.toBe(first);
    expect((await store.listKeys()).length).toBe(2);
  });

  it('prunes keys too old to have signed a live token', async () => {
    const { manager, store, advance } = setup();
    await manager.rotateKey();
    advance(86_400_000 + 604_800_000 + 10_000);
    await manager.rotateKey();
    expect(await manager.pruneKeys()).toBe(1);
    expect((await store.listKeys()).length).toBe(1);
  });

  it('serialises keys for durable stores', async () => {
    for (const alg of ['HS256', 'EdDSA'] as const) {
      const key = await generateJwtKey(alg, T0);
      const restored = parseJwtKey(serializeJwtKey(key));
      const token = await signWith(key, claimsFor(key));
      const store = new InMemoryJwtKeyStore();
      await store.putKey(restored);
      const manager = new JwtManager(store, { algorithm: alg, now: () => T0 });
      await expect(manager.verifyToken(token, 'access')).resolves.toBeTruthy();
    }
    expect(() => parseJwtKey('{"kid":"x","alg":"none"}')).toThrow(
      expect.objectContaining({ code: 'PLUMEGO_ERR_JWT_KEY_NOT_FOUND' }),
    );
  });

  it('refuses bad options at construction', () => {
    expect(() => resolveJwtOptions({ algorithm: 'none' as never })).toThrow(
      expect.objectContaining({ code: 'PLUMEGO_ERR_JWT_INVALID_OPTIONS' }),
    );
    expect(() => resolveJwtOptions({ algorithm: 'HS256', algorithms: ['EdDSA'] })).toThrow(
      expect.objectContaining({ field: 'algorithms' }),
    );
    expect(() => resolveJwtOptions({ accessTtlSeconds: 0 })).toThrow(
      expect.objectContaining({ field: 'accessTtlSeconds' }),
    );
    expect(() => resolveJwtOptions({ clockSkewSeconds: 3600 })).toThrow(
      expect.objectContaining({ field: 'clockSkewSeconds' }),
    );
  });
});

describe('JWT authenticator and authorizers', () => {
  it('authenticates a Bearer access token into a principal', async () => {
    const { manager } = setup();
    const pair = await manager.generateTokenPair({ sub: 'u9' }, { roles: ['editor'], permissions: ['items:write'] });
    const auth = manager.createAuthenticator();
    const p = await auth.authenticate(
      createRequest({ url: '/', headers: { authorization: `Bearer ${pair.access_token}` } }),
    );
    expect(p).toMatchObject({ subject: 'u9', roles: ['editor'], scopes: ['items:write'] });
    await expect(auth.authenticate(createRequest({ url: `/?token=${pair.access_token}` }))).rejects.toMatchObject({
      code: 'PLUMEGO_ERR_AUTH_UNAUTHENTICATED',
    });
    await expect(
      auth.authenticate(createRequest({ url: '/', headers: { authorization: `Bearer ${pair.refresh_token}` } })),
    ).rejects.toMatchObject({ code: 'PLUMEGO_ERR_AUTH_INVALID_TOKEN' });
  });

  const p = createPrincipal({ subject: 'u', roles: ['editor', 'viewer'], scopes: ['items:write', 'users:*'] });
  const policies = [
    { title: 'empty policy denies', policy: {}, expected: false },
    { title: 'empty policy with allowEmpty', policy: { allowEmpty: true }, expected: true },
    { title: 'anyRole hit', policy: { anyRole: ['admin', 'editor'] }, expected: true },
    { title: 'anyRole miss', policy: { anyRole: ['admin'] }, expected: false },
    { title: 'allRoles hit', policy: { allRoles: ['editor', 'viewer'] }, expected: true },
    { title: 'allRoles miss', policy: { allRoles: ['editor', 'admin'] }, expected: false },
    { title: 'role and permission', policy: { anyRole: ['editor'], allPermissions: ['items:write'] }, expected: true },
    { title: 'permission miss', policy: { anyPermission: ['items:delete'] }, expected: false },
  ];
  for (const { title, policy, expected } of policies) {
    it(`policy authorizer: ${title}`, () =>
      expect(createPolicyAuthorizer(policy).authorize(p, 'x', 'y')).toBe(expected));
  }

  it('permission authorizer matches exact and whole-segment wildcards', () => {
    const authz = createPermissionAuthorizer();
    expect(authz.authorize(p, 'write', 'items')).toBe(true);
    expect(authz.authorize(p, 'delete', 'items')).toBe(false);
    expect(authz.authorize(p, 'delete', 'users')).toBe(true);
    expect(authz.authorize(p, '', 'items')).toBe(false);
    expect(createPermissionAuthorizer().authorize(createPrincipal({ subject: 'r', scopes: ['*'] }), 'a', 'b')).toBe(
      true,
    );
    expect(
      createPermissionAuthorizer().authorize(createPrincipal({ subject: 'r', scopes: ['item*'] }), 'write', 'items'),
    ).toBe(false);
  });
});

describe('JWT options, field by field', () => {
  it('fills defaults and accepts each bound', () => {
    expect(resolveJwtOptions()).toMatchObject({
      issuer: 'plumego',
      audience: 'plumego-client',
      accessTtlSeconds: 900,
      refreshTtlSeconds: 604_800,
      rotationIntervalSeconds: 86_400,
      algorithm: 'HS256',
      algorithms: ['HS256'],
      clockSkewSeconds: 5,
      maxTokenBytes: 16_384,
      maxSegmentBytes: 8192,
    });
    expect(resolveJwtOptions({ clockSkewSeconds: 0 }).clockSkewSeconds).toBe(0);
    expect(resolveJwtOptions({ clockSkewSeconds: 300 }).clockSkewSeconds).toBe(300);
    expect(resolveJwtOptions({ algorithm: 'EdDSA', algorithms: ['HS256', 'EdDSA'] }).algorithms).toEqual([
      'HS256',
      'EdDSA',
    ]);
    const given: JwtAlgorithm[] = ['HS256'];
    const resolved = resolveJwtOptions({ algorithms: given });
    given.push('EdDSA');
    expect(resolved.algorithms).toEqual(['HS256']);
    expect(Object.isFrozen(resolved.algorithms)).toBe(true);
  });

  it.each([
    [{ algorithms: [] }, 'algorithms'],
    [{ algorithms: ['HS256', 'none'] }, 'algorithms'],
    [{ issuer: '' }, 'issuer'],
    [{ issuer: 7 }, 'issuer'],
    [{ audience: '' }, 'audience'],
    [{ accessTtlSeconds: 0 }, 'accessTtlSeconds'],
    [{ refreshTtlSeconds: 1.5 }, 'refreshTtlSeconds'],
    [{ rotationIntervalSeconds: -1 }, 'rotationIntervalSeconds'],
    [{ maxTokenBytes: Number.NaN }, 'maxTokenBytes'],
    [{ maxSegmentBytes: 0 }, 'maxSegmentBytes'],
    [{ clockSkewSeconds: -1 }, 'clockSkewSeconds'],
    [{ clockSkewSeconds: 301 }, 'clockSkewSeconds'],
    [{ clockSkewSeconds: Number.POSITIVE_INFINITY }, 'clockSkewSeconds'],
  ])('refuses %o naming %s', (options, field) => {
    expect(() => resolveJwtOptions(options as never)).toThrow(
      expect.objectContaining({ code: 'PLUMEGO_ERR_JWT_INVALID_OPTIONS', field }),
    );
  });
});
