import type { Handler, Middleware } from 'plumego/contract';
import { principalFromContext } from 'plumego/security';
import { assertOption, TENANT_ERROR_CODES, TenantError } from './errors.ts';
import { refuse } from './respond.ts';
import { tenantIdFromContext } from './tenant-id.ts';

/**
 * Revocation state for tokens that are otherwise valid until they expire: single tokens by id
 * (`jti`), and every token of a subject at once by bumping the subject's version.
 */
export interface RevocationStore {
  /** Revokes a token id until `expiresAt` (unix ms), after which the token is dead anyway. */
  revoke(tokenId: string, expiresAt: number): Promise<void>;
  isRevoked(tokenId: string): Promise<boolean>;
  /** Invalidates every token of `subjectKey` issued with an older version; returns the new version. */
  bumpSubjectVersion(subjectKey: string): Promise<number>;
  /** The subject's current version (0 when never bumped). */
  subjectVersion(subjectKey: string): Promise<number>;
}

export class MemoryRevocationStore implements RevocationStore {
  readonly #revoked = new Map<string, number>();
  readonly #versions = new Map<string, number>();
  readonly #now: () => number;

  constructor(options: { now?: () => number } = {}) {
    this.#now = options.now ?? Date.now;
  }

  async revoke(tokenId: string, expiresAt: number): Promise<void> {
    assertOption(typeof tokenId === 'string' && tokenId !== '', 'tokenId', 'must be a non-empty string');
    if (expiresAt <= this.#now()) return;
    this.#revoked.set(tokenId, expiresAt);
    if (this.#revoked.size % 1024 === 0) this.#sweep();
  }

  async isRevoked(tokenId: string): Promise<boolean> {
    const until = this.#revoked.get(tokenId);
    if (until === undefined) return false;
    if (until > this.#now()) return true;
    this.#revoked.delete(tokenId);
    return false;
  }

  async bumpSubjectVersion(subjectKey: string): Promise<number> {
    const v = (this.#versions.get(subjectKey) ?? 0) + 1;
    this.#versions.set(subjectKey, v);
    return v;
  }

  async subjectVersion(subjectKey: string): Promise<number> {
    return this.#versions.get(subjectKey) ?? 0;
  }

  #sweep(): void {
    const now = this.#now();
    for (const [id, until] of this.#revoked) if (until <= now) this.#revoked.delete(id);
  }
}

/** The Redis commands `RedisRevocationStore` uses, as ioredis offers them. */
export interface RedisCommandClient {
  set(key: string, value: string, mode: 'PX', ms: number): Promise<unknown>;
  exists(key: string): Promise<number>;
  incr(key: string): Promise<number>;
  get(key: string): Promise<string | null>;
}

/** Revocation state shared by every instance; revoked ids expire with the token (PX). */
export class RedisRevocationStore implements RevocationStore {
  readonly #client: RedisCommandClient;
  readonly #prefix: string;
  readonly #now: () => number;

  constructor(options: { client: RedisCommandClient; prefix?: string; now?: () => number }) {
    assertOption(
      typeof options?.client?.set === 'function' && typeof options.client.exists === 'function',
      'client',
      'must offer set, exists, incr and get (an ioredis client does)',
    );
    this.#client = options.client;
    this.#prefix = options.prefix ?? 'plumego:tenant:';
    this.#now = options.now ?? Date.now;
  }

  async #call<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      throw new TenantError(
        TENANT_ERROR_CODES.stateUnavailable,
        'revocation state is unavailable',
        { backend: 'redis' },
        err,
      );
    }
  }

  async revoke(tokenId: string, expiresAt: number): Promise<void> {
    assertOption(typeof tokenId === 'string' && tokenId !== '', 'tokenId', 'must be a non-empty string');
    const ttl = Math.ceil(expiresAt - this.#now());
    if (ttl <= 0) return;
    await this.#call(() => this.#client.set(`${this.#prefix}revoked:${tokenId}`, '1', 'PX', ttl));
  }

  async isRevoked(tokenId: string): Promise<boolean> {
    return (await this.#call(() => this.#client.exists(`${this.#prefix}revoked:${tokenId}`))) === 1;
  }

  async bumpSubjectVersion(subjectKey: string): Promise<number> {
    return this.#call(() => this.#client.incr(`${this.#prefix}ver:${subjectKey}`));
  }

  async subjectVersion(subjectKey: string): Promise<number> {
    const v = await this.#call(() => this.#client.get(`${this.#prefix}ver:${subjectKey}`));
    return v === null ? 0 : Number(v);
  }
}

export interface RevocationCheckOptions {
  store: RevocationStore;
  /** Principal claim holding the token id (default `jti`). */
  tokenIdClaim?: string;
  /** Principal claim holding the subject version the token was issued at (default `ver`; absent = 0). */
  versionClaim?: string;
}

/** `<tenant>:<subject>` — the key `bumpSubjectVersion` takes for a tenant's user. */
export function subjectKey(tenantId: string, subject: string): string {
  return `${tenantId.length}:${tenantId}:${subject}`;
}

/**
 * Refuses (401 TENANT_TOKEN_REVOKED) an authenticated request whose token id was revoked or whose
 * subject version is newer than the token's. Runs after authentication and tenant resolution;
 * requests without a principal pass (authentication decides about those). A store that cannot
 * answer refuses with 503.
 */
export function checkRevocation(options: RevocationCheckOptions): Middleware {
  assertOption(typeof options?.store?.isRevoked === 'function', 'store', 'must be a RevocationStore');
  const { store } = options;
  const idClaim = options.tokenIdClaim ?? 'jti';
  const verClaim = options.versionClaim ?? 'ver';
  return (next: Handler): Handler =>
    async (w, r) => {
      const principal = principalFromContext(r.ctx);
      if (!principal) return next(w, r);
      const tenant = tenantIdFromContext(r.ctx) || principal.tenantId || '';
      try {
        const jti = principal.claims[idClaim];
        if (jti !== undefined && (await store.isRevoked(jti)))
          return refuse(w, r, TENANT_ERROR_CODES.tokenRevoked, 'token revoked');
        const issuedAt = Number(principal.claims[verClaim] ?? '0');
        const current = await store.subjectVersion(subjectKey(tenant, principal.subject));
        if (!Number.isInteger(issuedAt) || issuedAt < current)
          return refuse(w, r, TENANT_ERROR_CODES.tokenRevoked, 'token revoked');
      } catch {
        return refuse(w, r, TENANT_ERROR_CODES.stateUnavailable, 'revocation state is unavailable');
      }
      return next(w, r);
    };
}
