import {
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  generateKeyPair,
  randomBytes,
  randomUUID,
  type KeyObject,
} from 'node:crypto';
import { promisify } from 'node:util';
import { SecurityError } from '../errors.ts';

/** Signing algorithms this module will ever issue or accept. `none` is not representable. */
export type JwtAlgorithm = 'HS256' | 'EdDSA' | 'ES256' | 'RS256';
export const JWT_ALGORITHMS: readonly JwtAlgorithm[] = Object.freeze(['HS256', 'EdDSA', 'ES256', 'RS256']);

export function isJwtAlgorithm(value: unknown): value is JwtAlgorithm {
  return typeof value === 'string' && (JWT_ALGORITHMS as readonly string[]).includes(value);
}

/**
 * A signing key with its id. For HS256 `signingKey` and `verifyKey` are the same secret; for the
 * asymmetric algorithms `verifyKey` is the public half.
 */
export interface JwtKey {
  readonly kid: string;
  readonly alg: JwtAlgorithm;
  readonly signingKey: KeyObject;
  readonly verifyKey: KeyObject;
  /** Unix ms. */
  readonly createdAt: number;
}

/** Metadata about a key, safe to log or return (no key material). */
export interface JwtKeyInfo {
  kid: string;
  alg: JwtAlgorithm;
  createdAt: number;
}

/**
 * Where keys live. The in-memory store suits one process; a store backed by durable storage (the
 * KV store, a secrets manager) lets several processes share keys. Implementations must keep
 * retired keys readable by `getKey` so tokens signed before a rotation still verify.
 */
export interface JwtKeyStore {
  getKey(kid: string): Promise<JwtKey | undefined>;
  putKey(key: JwtKey): Promise<void>;
  deleteKey(kid: string): Promise<void>;
  listKeys(): Promise<JwtKey[]>;
  getActiveKid(): Promise<string | undefined>;
  setActiveKid(kid: string): Promise<void>;
}

export class InMemoryJwtKeyStore implements JwtKeyStore {
  readonly #keys = new Map<string, JwtKey>();
  #active: string | undefined;

  async getKey(kid: string): Promise<JwtKey | undefined> {
    return this.#keys.get(kid);
  }
  async putKey(key: JwtKey): Promise<void> {
    this.#keys.set(key.kid, key);
  }
  async deleteKey(kid: string): Promise<void> {
    this.#keys.delete(kid);
    if (this.#active === kid) this.#active = undefined;
  }
  async listKeys(): Promise<JwtKey[]> {
    return [...this.#keys.values()];
  }
  async getActiveKid(): Promise<string | undefined> {
    return this.#active;
  }
  async setActiveKid(kid: string): Promise<void> {
    if (!this.#keys.has(kid)) throw new SecurityError('PLUMEGO_ERR_JWT_KEY_NOT_FOUND');
    this.#active = kid;
  }
}

const generateKeyPairAsync = promisify(generateKeyPair);

/** Creates a fresh key with a random id. Asymmetric keys are generated off the event loop. */
export async function generateJwtKey(alg: JwtAlgorithm, now: number = Date.now()): Promise<JwtKey> {
  const kid = randomUUID();
  if (alg === 'HS256') {
    const secret = createSecretKey(randomBytes(32));
    return Object.freeze({ kid, alg, signingKey: secret, verifyKey: secret, createdAt: now });
  }
  const pair =
    alg === 'EdDSA'
      ? await generateKeyPairAsync('ed25519')
      : alg === 'ES256'
        ? await generateKeyPairAsync('ec', { namedCurve: 'P-256' })
        : await generateKeyPairAsync('rsa', { modulusLength: 2048 });
  return Object.freeze({ kid, alg, signingKey: pair.privateKey, verifyKey: pair.publicKey, createdAt: now });
}

/** A key as JSON (`{kid, alg, created_at, secret|private_key}`, key material as JWK) for durable stores. */
export function serializeJwtKey(key: JwtKey): string {
  const material =
    key.alg === 'HS256'
      ? { secret: key.signingKey.export().toString('base64') }
      : { private_key: key.signingKey.export({ format: 'jwk' }) };
  return JSON.stringify({ kid: key.kid, alg: key.alg, created_at: key.createdAt, ...material });
}

/** Inverse of `serializeJwtKey`; a malformed record throws `PLUMEGO_ERR_JWT_KEY_NOT_FOUND`. */
export function parseJwtKey(text: string): JwtKey {
  try {
    const record = JSON.parse(text) as Record<string, unknown>;
    const { kid, alg, created_at: createdAt } = record;
    if (typeof kid !== 'string' || kid === '' || !isJwtAlgorithm(alg) || typeof createdAt !== 'number')
      throw new Error('shape');
    if (alg === 'HS256') {
      if (typeof record['secret'] !== 'string') throw new Error('shape');
      const secret = createSecretKey(Buffer.from(record['secret'], 'base64'));
      return Object.freeze({ kid, alg, signingKey: secret, verifyKey: secret, createdAt });
    }
    const privateKey = createPrivateKey({ key: record['private_key'] as never, format: 'jwk' });
    return Object.freeze({ kid, alg, signingKey: privateKey, verifyKey: createPublicKey(privateKey), createdAt });
  } catch (cause) {
    throw new SecurityError('PLUMEGO_ERR_JWT_KEY_NOT_FOUND', { reason: 'malformed_key', cause });
  }
}
