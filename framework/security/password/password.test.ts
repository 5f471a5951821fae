import { describe, it, expect } from 'vitest';
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { hashPassword, needsRehash, resolvePasswordHashOptions, verifyPassword } from './password.ts';
import { assertPasswordStrength, getPasswordStrengthIssues } from './strength.ts';

// Floors of the accepted ranges keep this file fast; the defaults are checked separately.
const FAST_SCRYPT = { scryptLogN: 14 } as const;
const FAST_PBKDF2 = { scheme: 'pbkdf2-sha512', pbkdf2Iterations: 100_000 } as const;

describe('password hashing', () => {
  it('scrypt round-trips in the self-describing format', async () => {
    const hash = await hashPassword('correct horse', FAST_SCRYPT);
    expect(hash).toMatch(/^\$scrypt\$ln=14,r=8,p=1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(hash).not.toContain('correct horse');
    expect(await verifyPassword('correct horse', hash)).toBe(true);
    expect(await verifyPassword('correct horsf', hash)).toBe(false);
  });

  it('PBKDF2-SHA512 round-trips', async () => {
    const hash = await hashPassword('s3cret-pw', FAST_PBKDF2);
    expect(hash.startsWith('$pbkdf2-sha512$i=100000$')).toBe(true);
    expect(await verifyPassword('s3cret-pw', hash)).toBe(true);
    expect(await verifyPassword('', hash)).toBe(false);
  });

  it('verifies hashes in the Go reference format and flags them for rehash', async () => {
    const salt = randomBytes(16);
    const legacy = `120000$${salt.toString('base64')}$${pbkdf2Sync('go-pw', salt, 120_000, 64, 'sha512').toString('base64')}`;
    expect(await verifyPassword('go-pw', legacy)).toBe(true);
    expect(needsRehash(legacy, FAST_PBKDF2)).toBe(true);
    const short = `120000$${salt.toString('base64')}$${pbkdf2Sync('go-pw', salt, 120_000, 32, 'sha512').toString('base64')}`;
    expect(await verifyPassword('go-pw', short)).toBe(true);
  });

  it('reports when a hash is weaker than the current policy', async () => {
    const hash = await hashPassword('pw', FAST_SCRYPT);
    expect(needsRehash(hash, FAST_SCRYPT)).toBe(false);
    expect(needsRehash(hash, { scryptLogN: 15 })).toBe(true);
    expect(needsRehash(hash, FAST_PBKDF2)).toBe(true);
  });

  it('refuses passwords over the cap before hashing or verifying', async () => {
    const long = 'x'.repeat(4097);
    await expect(hashPassword(long, FAST_SCRYPT)).rejects.toMatchObject({ code: 'PLUMEGO_ERR_PASSWORD_TOO_LONG' });
    const hash = await hashPassword('short', FAST_SCRYPT);
    await expect(verifyPassword(long, hash)).rejects.toMatchObject({ code: 'PLUMEGO_ERR_PASSWORD_TOO_LONG' });
    // The cap counts UTF-8 bytes, not characters.
    await expect(hashPassword('é'.repeat(2049), FAST_SCRYPT)).rejects.toMatchObject({
      code: 'PLUMEGO_ERR_PASSWORD_TOO_LONG',
    });
  });

  const malformed = [
    { title: 'empty', hash: '' },
    { title: 'unknown scheme', hash: '$argon2id$v=19$m=1$aaaa$bbbb' },
    { title: 'bad base64', hash: '$pbkdf2-sha512$i=100000$!!!$abc' },
    { title: 'short salt', hash: `$pbkdf2-sha512$i=100000$AAAA$${Buffer.alloc(64).toString('base64')}` },
    { title: 'wrong hash length', hash: `$pbkdf2-sha512$i=100000$${Buffer.alloc(16).toString('base64')}$AAAA` },
    {
      title: 'huge scrypt cost',
      hash: `$scrypt$ln=30,r=8,p=1$${Buffer.alloc(16).toString('base64')}$${Buffer.alloc(64).toString('base64')}`,
    },
    {
      title: 'huge iteration count',
      hash: `$pbkdf2-sha512$i=999999999$${Buffer.alloc(16).toString('base64')}$${Buffer.alloc(64).toString('base64')}`,
    },
  ];
  for (const { title, hash } of malformed) {
    it(`rejects a stored hash that is ${title}`, async () => {
      await expect(verifyPassword('pw', hash)).rejects.toMatchObject({
        code: expect.stringMatching(/^PLUMEGO_ERR_PASSWORD_INVALID_(HASH|COST)$/),
      });
    });
  }

  it('refuses weak hashing parameters at resolve time and keeps strong defaults', () => {
    expect(() => resolvePasswordHashOptions({ scryptLogN: 10 })).toThrow(
      expect.objectContaining({ code: 'PLUMEGO_ERR_PASSWORD_INVALID_COST' }),
    );
    expect(() => resolvePasswordHashOptions({ pbkdf2Iterations: 1000 })).toThrow(
      expect.objectContaining({ field: 'pbkdf2Iterations' }),
    );
    expect(resolvePasswordHashOptions()).toMatchObject({ scheme: 'scrypt', scryptLogN: 17, pbkdf2Iterations: 210_000 });
  });

  it('never puts the password into an error message', async () => {
    const secret = `S3cret-${'z'.repeat(5000)}`;
    const error = await hashPassword(secret, FAST_SCRYPT).catch((err: Error) => err);
    expect(String((error as Error).message)).not.toContain('S3cret');
    expect(JSON.stringify(error)).not.toContain('S3cret');
  });
});

describe('password strength', () => {
  it('lists each broken rule', () => {
    expect(getPasswordStrengthIssues('abc')).toEqual(['too_short', 'missing_upper', 'missing_digit']);
    expect(getPasswordStrengthIssues('Abcdefg1')).toEqual([]);
    expect(getPasswordStrengthIssues('Abcdefg1', { requireSpecial: true })).toEqual(['missing_special']);
  });
  it('assertPasswordStrength throws PLUMEGO_ERR_PASSWORD_WEAK', () => {
    expect(() => assertPasswordStrength('password')).toThrow(
      expect.objectContaining({ code: 'PLUMEGO_ERR_PASSWORD_WEAK' }),
    );
    expect(assertPasswordStrength('Passw0rdX')).toBe('Passw0rdX');
  });
});

describe('password strength rules one by one', () => {
  it('counts code points, not UTF-16 units, at both length bounds', () => {
    expect(getPasswordStrengthIssues('Ab1😀😀😀😀😀')).toEqual([]);
    expect(getPasswordStrengthIssues('Ab1😀😀😀😀')).toEqual(['too_short']);
    expect(getPasswordStrengthIssues('Ab1xx', { minLength: 5, maxLength: 5 })).toEqual([]);
    expect(getPasswordStrengthIssues('Ab1xxx', { minLength: 5, maxLength: 5 })).toEqual(['too_long']);
    expect(getPasswordStrengthIssues('A'.repeat(1025).replace(/^A/, 'a1'))).toEqual(['too_long']);
  });

  it('checks each class only when asked, with Unicode letters and digits', () => {
    expect(getPasswordStrengthIssues('ÄBCDEFG1')).toEqual(['missing_lower']);
    expect(getPasswordStrengthIssues('äbcdefg1')).toEqual(['missing_upper']);
    expect(getPasswordStrengthIssues('Äbcdefgh')).toEqual(['missing_digit']);
    expect(getPasswordStrengthIssues('abcdefgh', { requireUpper: false, requireDigit: false })).toEqual([]);
    expect(getPasswordStrengthIssues('ABCDEFGH', { requireLower: false, requireDigit: false })).toEqual([]);
    expect(getPasswordStrengthIssues('Abcdefg١')).toEqual([]);
    expect(getPasswordStrengthIssues('Abcdefg1 ', { requireSpecial: true })).toEqual([]);
    expect(getPasswordStrengthIssues('Abcdéfg1', { requireSpecial: true })).toEqual(['missing_special']);
  });

  it('refuses bounds that cannot hold and names every broken rule in the error', () => {
    for (const bad of [{ minLength: 0 }, { minLength: 1.5 }, { maxLength: 7 }, { minLength: 3, maxLength: 2.5 }]) {
      expect(() => getPasswordStrengthIssues('Abcdefg1', bad)).toThrow(
        expect.objectContaining({ code: 'PLUMEGO_ERR_PASSWORD_INVALID_COST' }),
      );
    }
    expect(getPasswordStrengthIssues('A1', { minLength: 1, maxLength: 2, requireLower: false })).toEqual([]);
    expect(() => assertPasswordStrength('abc')).toThrow(
      expect.objectContaining({
        code: 'PLUMEGO_ERR_PASSWORD_WEAK',
        status: 400,
        reason: 'too_short,missing_upper,missing_digit',
      }),
    );
  });
});
