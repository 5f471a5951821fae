import { pbkdf2, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { SecurityError } from '../errors.ts';

export type PasswordScheme = 'scrypt' | 'pbkdf2-sha512';

export interface PasswordHashOptions {
  /** Scheme for new hashes. Default: `'scrypt'` (memory-hard). */
  scheme?: PasswordScheme;
  /** scrypt cost as log2(N). Default: 17 (N = 131072, 128 MiB with r = 8), OWASP's floor. Range 14–22. */
  scryptLogN?: number;
  /** scrypt block size r. Default: 8. Range 1–32. */
  scryptBlockSize?: number;
  /** scrypt parallelisation p. Default: 1. Range 1–16. */
  scryptParallelism?: number;
  /** PBKDF2-SHA512 iterations. Default: 210 000. Range 100 000–2 000 000. */
  pbkdf2Iterations?: number;
  /** Longest password accepted, in UTF-8 bytes. Default: 4096. */
  maxLength?: number;
}

export interface ResolvedPasswordHashOptions {
  scheme: PasswordScheme;
  scryptLogN: number;
  scryptBlockSize: number;
  scryptParallelism: number;
  pbkdf2Iterations: number;
  maxLength: number;
}

export const DEFAULT_PASSWORD_HASH_OPTIONS: ResolvedPasswordHashOptions = {
  scheme: 'scrypt',
  scryptLogN: 17,
  scryptBlockSize: 8,
  scryptParallelism: 1,
  pbkdf2Iterations: 210_000,
  maxLength: 4096,
};

const LIMITS = {
  scryptLogN: [14, 22],
  scryptBlockSize: [1, 32],
  scryptParallelism: [1, 16],
  pbkdf2Iterations: [100_000, 2_000_000],
  maxLength: [8, 65_536],
} as const;

// Verification accepts lower costs than hashing so older hashes still verify (and then report
// needsRehash); the upper bounds stop a planted hash from burning minutes of CPU or gigabytes.
const VERIFY_LIMITS = {
  scryptLogN: [10, 22],
  scryptBlockSize: [1, 32],
  scryptParallelism: [1, 16],
  pbkdf2Iterations: [1_000, 2_000_000],
} as const;

const SALT_BYTES = 16;
const KEY_BYTES = 64;

function inRange(value: number, [min, max]: readonly [number, number]): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}

export function resolvePasswordHashOptions(options: PasswordHashOptions = {}): ResolvedPasswordHashOptions {
  const merged = { ...DEFAULT_PASSWORD_HASH_OPTIONS, ...options };
  if (merged.scheme !== 'scrypt' && merged.scheme !== 'pbkdf2-sha512') {
    throw new SecurityError('PLUMEGO_ERR_PASSWORD_INVALID_COST', { field: 'scheme' });
  }
  for (const field of Object.keys(LIMITS) as Array<keyof typeof LIMITS>) {
    if (!inRange(merged[field], LIMITS[field])) throw new SecurityError('PLUMEGO_ERR_PASSWORD_INVALID_COST', { field });
  }
  return merged;
}

type Parsed =
  | { scheme: 'scrypt'; logN: number; r: number; p: number; salt: Buffer; hash: Buffer }
  | { scheme: 'pbkdf2-sha512'; iterations: number; salt: Buffer; hash: Buffer; legacy: boolean };

const B64 = /^[A-Za-z0-9+/]+={0,2}$/;

function decode(text: string | undefined): Buffer {
  if (text === undefined || !B64.test(text)) throw new SecurityError('PLUMEGO_ERR_PASSWORD_INVALID_HASH');
  return Buffer.from(text, 'base64');
}

function parseInteger(text: string | undefined): number {
  if (text === undefined || !/^[0-9]{1,9}$/.test(text)) throw new SecurityError('PLUMEGO_ERR_PASSWORD_INVALID_HASH');
  return Number(text);
}

function checkVerifyCost(value: number, field: keyof typeof VERIFY_LIMITS): number {
  if (!inRange(value, VERIFY_LIMITS[field])) throw new SecurityError('PLUMEGO_ERR_PASSWORD_INVALID_COST', { field });
  return value;
}

function parseHash(encoded: string): Parsed {
  if (encoded.length > 512) throw new SecurityError('PLUMEGO_ERR_PASSWORD_INVALID_HASH');
  const parts = encoded.split('$');
  let parsed: Parsed;
  if (parts[0] === '' && parts[1] === 'scrypt' && parts.length === 5) {
    const params = /^ln=([0-9]{1,2}),r=([0-9]{1,2}),p=([0-9]{1,2})$/.exec(parts[2] ?? '');
    if (!params) throw new SecurityError('PLUMEGO_ERR_PASSWORD_INVALID_HASH');
    parsed = {
      scheme: 'scrypt',
      logN: checkVerifyCost(Number(params[1]), 'scryptLogN'),
      r: checkVerifyCost(Number(params[2]), 'scryptBlockSize'),
      p: checkVerifyCost(Number(params[3]), 'scryptParallelism'),
      salt: decode(parts[3]),
      hash: decode(parts[4]),
    };
  } else if (parts[0] === '' && parts[1] === 'pbkdf2-sha512' && parts.length === 5) {
    const iterations = /^i=([0-9]{1,9})$/.exec(parts[2] ?? '')?.[1];
    parsed = {
      scheme: 'pbkdf2-sha512',
      iterations: checkVerifyCost(parseInteger(iterations), 'pbkdf2Iterations'),
      salt: decode(parts[3]),
      hash: decode(parts[4]),
      legacy: false,
    };
  } else if (parts.length === 3) {
    // The Go reference's `<iterations>$<salt>$<hash>`, accepted so its users can migrate.
    parsed = {
      scheme: 'pbkdf2-sha512',
      iterations: checkVerifyCost(parseInteger(parts[0]), 'pbkdf2Iterations'),
      salt: decode(parts[1]),
      hash: decode(parts[2]),
      legacy: true,
    };
  } else {
    throw new SecurityError('PLUMEGO_ERR_PASSWORD_INVALID_HASH');
  }
  if (parsed.salt.length < 8 || (parsed.hash.length !== 32 && parsed.hash.length !== 64)) {
    throw new SecurityError('PLUMEGO_ERR_PASSWORD_INVALID_HASH');
  }
  return parsed;
}

function assertLength(password: string, maxLength: number): void {
  if (Buffer.byteLength(password, 'utf8') > maxLength) throw new SecurityError('PLUMEGO_ERR_PASSWORD_TOO_LONG');
}

function deriveScrypt(
  password: string,
  salt: Buffer,
  logN: number,
  r: number,
  p: number,
  length: number,
): Promise<Buffer> {
  const N = 2 ** logN;
  return new Promise((resolve, reject) => {
    scrypt(password, salt, length, { N, r, p, maxmem: 256 * N * r * p }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

function derivePbkdf2(password: string, salt: Buffer, iterations: number, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    pbkdf2(password, salt, iterations, length, 'sha512', (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/**
 * Hashes a password on the libuv threadpool (never blocking the event loop) into a
 * self-describing string: `$scrypt$ln=17,r=8,p=1$<salt>$<hash>` or
 * `$pbkdf2-sha512$i=210000$<salt>$<hash>` (standard base64), so verification and `needsRehash`
 * can read the parameters back.
 */
export async function hashPassword(password: string, options: PasswordHashOptions = {}): Promise<string> {
  const resolved = resolvePasswordHashOptions(options);
  assertLength(password, resolved.maxLength);
  const salt = randomBytes(SALT_BYTES);
  if (resolved.scheme === 'scrypt') {
    const { scryptLogN: ln, scryptBlockSize: r, scryptParallelism: p } = resolved;
    const hash = await deriveScrypt(password, salt, ln, r, p, KEY_BYTES);
    return `$scrypt$ln=${ln},r=${r},p=${p}$${salt.toString('base64')}$${hash.toString('base64')}`;
  }
  const hash = await derivePbkdf2(password, salt, resolved.pbkdf2Iterations, KEY_BYTES);
  return `$pbkdf2-sha512$i=${resolved.pbkdf2Iterations}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/**
 * Checks a password against a stored hash in constant time. Returns false on mismatch; throws
 * `PLUMEGO_ERR_PASSWORD_TOO_LONG` before hashing an over-long password (a cheap DoS otherwise) and
 * `PLUMEGO_ERR_PASSWORD_INVALID_HASH` / `_INVALID_COST` for a malformed or absurd stored hash.
 */
export async function verifyPassword(
  password: string,
  encoded: string,
  options: Pick<PasswordHashOptions, 'maxLength'> = {},
): Promise<boolean> {
  assertLength(password, options.maxLength ?? DEFAULT_PASSWORD_HASH_OPTIONS.maxLength);
  const parsed = parseHash(encoded);
  const derived =
    parsed.scheme === 'scrypt'
      ? await deriveScrypt(password, parsed.salt, parsed.logN, parsed.r, parsed.p, parsed.hash.length)
      : await derivePbkdf2(password, parsed.salt, parsed.iterations, parsed.hash.length);
  return timingSafeEqual(derived, parsed.hash);
}

/** True when a stored hash uses another scheme or weaker parameters than `options` would produce. */
export function needsRehash(encoded: string, options: PasswordHashOptions = {}): boolean {
  const resolved = resolvePasswordHashOptions(options);
  const parsed = parseHash(encoded);
  if (parsed.scheme !== resolved.scheme || parsed.hash.length !== KEY_BYTES) return true;
  if (parsed.scheme === 'scrypt') {
    return (
      parsed.logN < resolved.scryptLogN || parsed.r < resolved.scryptBlockSize || parsed.p < resolved.scryptParallelism
    );
  }
  return parsed.legacy || parsed.iterations < resolved.pbkdf2Iterations;
}
