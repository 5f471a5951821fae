import { randomUUID } from 'node:crypto';
import { SignJWT, decodeProtectedHeader, errors as joseErrors, jwtVerify } from 'jose';
import type { Request } from 'plumego/contract';
import { SecurityError } from '../errors.ts';
import type { Authenticator } from '../authn/authenticator.ts';
import { extractBearerToken } from '../authn/bearer.ts';
import { createPrincipal, type Principal } from '../authn/principal.ts';
import type { AuthorizationClaims, IdentityClaims, JwtClaims, TokenPair, TokenType } from './claims.ts';
import { generateJwtKey, type JwtKey, type JwtKeyInfo, type JwtKeyStore } from './keys.ts';
import { resolveJwtOptions, type JwtOptions, type ResolvedJwtOptions } from './options.ts';

const SEGMENT = /^[A-Za-z0-9_-]*$/;

function invalid(reason: string, cause?: unknown): SecurityError {
  return new SecurityError(
    'PLUMEGO_ERR_AUTH_INVALID_TOKEN',
    cause === undefined ? { reason } : { reason, cause: sanitizeCause(cause) },
  );
}

// jose errors carry the decoded payload (`claim`, `payload`); keep only the class and code so a
// logged cause never prints token contents.
function sanitizeCause(cause: unknown): Error {
  if (cause instanceof joseErrors.JOSEError) return Object.assign(new Error(cause.code), { code: cause.code });
  return new Error('verification failed');
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

/**
 * Issues and verifies JWTs with keys from a `JwtKeyStore`. Verification fails closed on every
 * rule: size caps, `typ: JWT`, an allow-listed `alg` equal to the alg of the key named by `kid`
 * (so `alg: none` and HS/asymmetric confusion cannot pass), signature, issuer, audience, `exp`,
 * `nbf` and `iat` within the clock skew, payload `kid` equal to the header's, the token type and a
 * non-empty subject. Every failure is `PLUMEGO_ERR_AUTH_INVALID_TOKEN` (or `_EXPIRED_TOKEN`) with
 * a fixed `reason`; messages never contain the token.
 */
export class JwtManager {
  readonly options: ResolvedJwtOptions;
  readonly #store: JwtKeyStore;
  #rotation: Promise<JwtKey> | undefined;

  constructor(store: JwtKeyStore, options: JwtOptions = {}) {
    this.options = resolveJwtOptions(options);
    this.#store = store;
  }

  /** Replaces the active key with a fresh one; older keys stay for verification. */
  async rotateKey(): Promise<JwtKeyInfo> {
    const key = await this.#rotate();
    return { kid: key.kid, alg: key.alg, createdAt: key.createdAt };
  }

  #rotate(): Promise<JwtKey> {
    // One rotation at a time: concurrent issuers share it instead of racing to set the active kid.
    this.#rotation ??= (async () => {
      try {
        const key = await generateJwtKey(this.options.algorithm, this.options.now());
        await this.#store.putKey(key);
        await this.#store.setActiveKid(key.kid);
        return key;
      } finally {
        this.#rotation = undefined;
      }
    })();
    return this.#rotation;
  }

  async #getSigningKey(): Promise<JwtKey> {
    const kid = await this.#store.getActiveKid();
    const key = kid === undefined ? undefined : await this.#store.getKey(kid);
    const maxAgeMs = this.options.rotationIntervalSeconds * 1000;
    if (key === undefined || key.alg !== this.options.algorithm || this.options.now() - key.createdAt >= maxAgeMs) {
      return this.#rotate();
    }
    return key;
  }

  /** Drops non-active keys too old to have signed any token that is still valid. */
  async pruneKeys(): Promise<number> {
    const active = await this.#store.getActiveKid();
    const horizon =
      (this.options.rotationIntervalSeconds + this.options.refreshTtlSeconds + this.options.clockSkewSeconds) * 1000;
    let removed = 0;
    for (const key of await this.#store.listKeys()) {
      if (key.kid !== active && this.options.now() - key.createdAt > horizon) {
        await this.#store.deleteKey(key.kid);
        removed++;
      }
    }
    return removed;
  }

  async #sign(
    type: TokenType,
    identity: IdentityClaims,
    authorization: AuthorizationClaims,
    key: JwtKey,
  ): Promise<string> {
    const iat = Math.floor(this.options.now() / 1000);
    const ttl = type === 'access' ? this.options.accessTtlSeconds : this.options.refreshTtlSeconds;
    const claims: JwtClaims = {
      jti: randomUUID(),
      token_type: type,
      identity: { sub: identity.sub, ver: identity.ver ?? 0 },
      authorization: { roles: [...(authorization.roles ?? [])], permissions: [...(authorization.permissions ?? [])] },
      sub: identity.sub,
      iss: this.options.issuer,
      aud: this.options.audience,
      iat,
      nbf: iat,
      exp: iat + ttl,
      kid: key.kid,
    };
    return new SignJWT({ ...claims })
      .setProtectedHeader({ alg: key.alg, typ: 'JWT', kid: key.kid })
      .sign(key.signingKey);
  }

  /** Issues an access and a refresh token with the active key (rotating it first when due). */
  async generateTokenPair(identity: IdentityClaims, authorization: AuthorizationClaims = {}): Promise<TokenPair> {
    if (typeof identity.sub !== 'string' || identity.sub === '')
      throw new TypeError('identity.sub must be a non-empty string');
    const key = await this.#getSigningKey();
    const [access, refresh] = await Promise.all([
      this.#sign('access', identity, authorization, key),
      this.#sign('refresh', identity, authorization, key),
    ]);
    return {
      access_token: access,
      refresh_token: refresh,
      expires_in: this.options.accessTtlSeconds,
      token_type: 'Bearer',
    };
  }

  /** Verifies a refresh token and issues a new pair for the same identity and grants. */
  async refreshTokenPair(refreshToken: string): Promise<TokenPair> {
    const claims = await this.verifyToken(refreshToken, 'refresh');
    return this.generateTokenPair(claims.identity, claims.authorization);
  }

  #checkShape(token: unknown): string {
    if (typeof token !== 'string' || token === '') throw invalid('malformed');
    if (Buffer.byteLength(token) > this.options.maxTokenBytes) throw invalid('too_large');
    const parts = token.split('.');
    if (parts.length !== 3) throw invalid('malformed');
    for (const part of parts) {
      if (part.length > this.options.maxSegmentBytes) throw invalid('too_large');
      if (part === '' || !SEGMENT.test(part)) throw invalid('malformed');
    }
    return token;
  }

  /** Verifies `token` as a `type` token and returns its claims; throws a coded `SecurityError`. */
  async verifyToken(token: string, type: TokenType): Promise<JwtClaims> {
    this.#checkShape(token);
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(token);
    } catch (cause) {
      throw invalid('malformed', cause);
    }
    if (header.typ !== 'JWT') throw invalid('typ');
    const { alg, kid } = header;
    if (typeof alg !== 'string' || !(this.options.algorithms as readonly string[]).includes(alg))
      throw invalid('alg_not_allowed');
    if (typeof kid !== 'string' || kid === '' || kid.length > 128) throw invalid('kid');
    const key = await this.#store.getKey(kid);
    if (key === undefined) throw invalid('unknown_kid');
    if (key.alg !== alg) throw invalid('alg_mismatch');
    const skew = this.options.clockSkewSeconds;
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, key.verifyKey, {
        algorithms: [key.alg],
        issuer: this.options.issuer,
        audience: this.options.audience,
        clockTolerance: skew,
        typ: 'JWT',
        requiredClaims: ['iat', 'nbf', 'exp', 'jti'],
        currentDate: new Date(this.options.now()),
      }));
    } catch (cause) {
      if (cause instanceof joseErrors.JWTExpired) {
        throw new SecurityError('PLUMEGO_ERR_AUTH_EXPIRED_TOKEN', { reason: 'exp', cause: sanitizeCause(cause) });
      }
      const reason =
        cause instanceof joseErrors.JWSSignatureVerificationFailed
          ? 'signature'
          : cause instanceof joseErrors.JWTClaimValidationFailed
            ? `claim_${cause.claim}`
            : 'verification';
      throw invalid(reason, cause);
    }
    return this.#checkClaims(payload, kid, type);
  }

  #checkClaims(payload: Record<string, unknown>, kid: string, type: TokenType): JwtClaims {
    const nowSeconds = this.options.now() / 1000;
    if (typeof payload['iat'] !== 'number' || payload['iat'] > nowSeconds + this.options.clockSkewSeconds)
      throw invalid('claim_iat');
    if (payload['kid'] !== kid) throw invalid('kid_mismatch');
    if (payload['token_type'] !== type) throw invalid('token_type');
    if (typeof payload['aud'] !== 'string') throw invalid('claim_aud');
    const identity = payload['identity'] as Record<string, unknown> | undefined;
    if (
      typeof identity !== 'object' ||
      identity === null ||
      typeof identity['sub'] !== 'string' ||
      identity['sub'] === ''
    )
      throw invalid('claim_sub');
    const authorization = (payload['authorization'] ?? {}) as Record<string, unknown>;
    const roles = authorization['roles'] ?? [];
    const permissions = authorization['permissions'] ?? [];
    if (!isStringArray(roles) || !isStringArray(permissions)) throw invalid('claim_authorization');
    const ver = typeof identity['ver'] === 'number' ? identity['ver'] : 0;
    return {
      ...(payload as unknown as JwtClaims),
      identity: { sub: identity['sub'], ver },
      authorization: { roles, permissions },
    };
  }

  /**
   * An `Authenticator` for Bearer tokens of `type` (default access). A missing token is
   * `PLUMEGO_ERR_AUTH_UNAUTHENTICATED`; a bad one `_INVALID_TOKEN` or `_EXPIRED_TOKEN`.
   */
  createAuthenticator(type: TokenType = 'access'): Authenticator {
    return {
      authenticate: async (r: Request): Promise<Principal> => {
        const token = extractBearerToken(r.header('authorization'));
        if (token === undefined) throw new SecurityError('PLUMEGO_ERR_AUTH_UNAUTHENTICATED');
        return getPrincipalFromClaims(await this.verifyToken(token, type));
      },
    };
  }
}

/** Maps verified claims to a principal: roles → roles, permissions → scopes. */
export function getPrincipalFromClaims(claims: JwtClaims): Principal {
  return createPrincipal({
    subject: claims.identity.sub,
    roles: claims.authorization.roles,
    scopes: claims.authorization.permissions,
    claims: { jti: claims.jti, token_type: claims.token_type, ver: String(claims.identity.ver) },
  });
}
