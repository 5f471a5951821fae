import { SecurityError } from '../errors.ts';
import { isJwtAlgorithm, type JwtAlgorithm } from './keys.ts';

export interface JwtOptions {
  /** `iss` written and required. Default: `'plumego'`. */
  issuer?: string;
  /** `aud` written and required. Default: `'plumego-client'`. */
  audience?: string;
  /** Access token lifetime in seconds. Default: 900 (15 min). */
  accessTtlSeconds?: number;
  /** Refresh token lifetime in seconds. Default: 604 800 (7 days). */
  refreshTtlSeconds?: number;
  /** Age (seconds) after which the active key is replaced on the next issue. Default: 86 400. */
  rotationIntervalSeconds?: number;
  /** Algorithm for new keys. Default: `'HS256'`. */
  algorithm?: JwtAlgorithm;
  /**
   * Algorithms accepted on verification; the token's `alg` must be listed *and* equal the alg of
   * the key named by its `kid`. Default: `[algorithm]`.
   */
  algorithms?: readonly JwtAlgorithm[];
  /** Tolerance for `exp`, `nbf` and `iat`, in seconds. Default: 5. */
  clockSkewSeconds?: number;
  /** Longest accepted token in bytes. Default: 16 384. */
  maxTokenBytes?: number;
  /** Longest accepted segment (header, payload, signature) in bytes. Default: 8192. */
  maxSegmentBytes?: number;
  /** Clock in ms, for tests. Default: `Date.now`. */
  now?: () => number;
}

export interface ResolvedJwtOptions {
  issuer: string;
  audience: string;
  accessTtlSeconds: number;
  refreshTtlSeconds: number;
  rotationIntervalSeconds: number;
  algorithm: JwtAlgorithm;
  algorithms: readonly JwtAlgorithm[];
  clockSkewSeconds: number;
  maxTokenBytes: number;
  maxSegmentBytes: number;
  now: () => number;
}

export const DEFAULT_JWT_OPTIONS: Omit<ResolvedJwtOptions, 'algorithms'> = {
  issuer: 'plumego',
  audience: 'plumego-client',
  accessTtlSeconds: 900,
  refreshTtlSeconds: 604_800,
  rotationIntervalSeconds: 86_400,
  algorithm: 'HS256',
  clockSkewSeconds: 5,
  maxTokenBytes: 16_384,
  maxSegmentBytes: 8192,
  now: Date.now,
};

function fail(field: string): never {
  throw new SecurityError('PLUMEGO_ERR_JWT_INVALID_OPTIONS', { field });
}

export function resolveJwtOptions(options: JwtOptions = {}): ResolvedJwtOptions {
  const merged = { ...DEFAULT_JWT_OPTIONS, ...options };
  if (!isJwtAlgorithm(merged.algorithm)) fail('algorithm');
  const algorithms = Object.freeze([...(options.algorithms ?? [merged.algorithm])]);
  if (algorithms.length === 0 || !algorithms.every(isJwtAlgorithm)) fail('algorithms');
  if (!algorithms.includes(merged.algorithm)) fail('algorithms');
  if (typeof merged.issuer !== 'string' || merged.issuer === '') fail('issuer');
  if (typeof merged.audience !== 'string' || merged.audience === '') fail('audience');
  for (const field of [
    'accessTtlSeconds',
    'refreshTtlSeconds',
    'rotationIntervalSeconds',
    'maxTokenBytes',
    'maxSegmentBytes',
  ] as const) {
    if (!Number.isSafeInteger(merged[field]) || merged[field] <= 0) fail(field);
  }
  if (!Number.isFinite(merged.clockSkewSeconds) || merged.clockSkewSeconds < 0 || merged.clockSkewSeconds > 300)
    fail('clockSkewSeconds');
  return { ...merged, algorithms };
}
