import { createHmac, timingSafeEqual } from 'node:crypto';

export type HmacAlgorithm = 'sha256' | 'sha512';
export type SignatureEncoding = 'hex' | 'base64';

export type Secret = string | Uint8Array;

export function computeSignature(secret: Secret, algorithm: HmacAlgorithm, payload: Uint8Array | string): Buffer {
  return createHmac(algorithm, secret).update(payload).digest();
}

/**
 * Whether `provided` (encoded text) equals the digest, in time independent of where they differ.
 * Malformed encodings and wrong lengths compare against a same-length dummy, so they cost the same.
 */
export function signatureMatches(expected: Buffer, provided: string, encoding: SignatureEncoding): boolean {
  const decoded = decode(provided, encoding);
  const ok = decoded !== undefined && decoded.length === expected.length;
  return timingSafeEqual(ok ? decoded : expected, expected) && ok;
}

const HEX = /^[0-9a-fA-F]*$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function decode(text: string, encoding: SignatureEncoding): Buffer | undefined {
  if (encoding === 'hex') return text.length % 2 === 0 && HEX.test(text) ? Buffer.from(text, 'hex') : undefined;
  return BASE64.test(text) && text.length % 4 === 0 ? Buffer.from(text, 'base64') : undefined;
}

export function toBytes(body: Uint8Array | string): Uint8Array {
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
}
