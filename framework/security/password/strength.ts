import { SecurityError } from '../errors.ts';

export interface PasswordStrengthOptions {
  /** Fewest characters (code points). Default: 8. */
  minLength?: number;
  /** Most characters (code points). Default: 1024. */
  maxLength?: number;
  /** Require an upper-case letter. Default: true. */
  requireUpper?: boolean;
  /** Require a lower-case letter. Default: true. */
  requireLower?: boolean;
  /** Require a digit. Default: true. */
  requireDigit?: boolean;
  /** Require a character that is neither a letter nor a digit. Default: false. */
  requireSpecial?: boolean;
}

export type ResolvedPasswordStrengthOptions = Required<PasswordStrengthOptions>;

export const DEFAULT_PASSWORD_STRENGTH_OPTIONS: ResolvedPasswordStrengthOptions = {
  minLength: 8,
  maxLength: 1024,
  requireUpper: true,
  requireLower: true,
  requireDigit: true,
  requireSpecial: false,
};

export type PasswordStrengthIssue =
  'too_short' | 'too_long' | 'missing_upper' | 'missing_lower' | 'missing_digit' | 'missing_special';

export function resolvePasswordStrengthOptions(options: PasswordStrengthOptions = {}): ResolvedPasswordStrengthOptions {
  const merged = { ...DEFAULT_PASSWORD_STRENGTH_OPTIONS, ...options };
  if (
    !Number.isInteger(merged.minLength) ||
    merged.minLength < 1 ||
    !Number.isInteger(merged.maxLength) ||
    merged.maxLength < merged.minLength
  ) {
    throw new SecurityError('PLUMEGO_ERR_PASSWORD_INVALID_COST', { field: 'minLength' });
  }
  return merged;
}

/** Lists every rule the password breaks (empty when it passes). */
export function getPasswordStrengthIssues(
  password: string,
  options: PasswordStrengthOptions = {},
): PasswordStrengthIssue[] {
  const o = resolvePasswordStrengthOptions(options);
  const length = [...password].length;
  const issues: PasswordStrengthIssue[] = [];
  if (length < o.minLength) issues.push('too_short');
  if (length > o.maxLength) issues.push('too_long');
  if (o.requireUpper && !/\p{Lu}/u.test(password)) issues.push('missing_upper');
  if (o.requireLower && !/\p{Ll}/u.test(password)) issues.push('missing_lower');
  if (o.requireDigit && !/\p{Nd}/u.test(password)) issues.push('missing_digit');
  if (o.requireSpecial && !/[^\p{L}\p{Nd}]/u.test(password)) issues.push('missing_special');
  return issues;
}

/** Returns the password when it passes; throws `PLUMEGO_ERR_PASSWORD_WEAK` (reason: the first issue). */
export function assertPasswordStrength(password: string, options: PasswordStrengthOptions = {}): string {
  const issues = getPasswordStrengthIssues(password, options);
  if (issues.length > 0) throw new SecurityError('PLUMEGO_ERR_PASSWORD_WEAK', { reason: issues.join(',') });
  return password;
}
