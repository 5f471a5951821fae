import { SecurityError } from '../errors.ts';

const LOCAL_ATOM = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+$/;
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/**
 * True for a plain `local@domain` address: at most 254 characters, a dot-atom local part of at most
 * 64, and a domain of at least two DNS labels with a non-numeric top label. Quoted local parts,
 * comments, display names and IP-literal domains are refused on purpose: they are legal in RFC 5322
 * but almost never legitimate in a sign-up form and a common injection vector.
 */
export function isValidEmail(value: string): boolean {
  if (value.length === 0 || value.length > 254) return false;
  const at = value.lastIndexOf('@');
  if (at <= 0 || at === value.length - 1) return false;
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (local.length > 64) return false;
  if (!local.split('.').every((atom) => LOCAL_ATOM.test(atom))) return false;
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((label) => LABEL.test(label))) return false;
  return !/^[0-9]+$/.test(labels[labels.length - 1] as string);
}

/** Returns the address unchanged when valid; throws `PLUMEGO_ERR_INPUT_INVALID_EMAIL` otherwise. */
export function assertEmail(value: string): string {
  if (!isValidEmail(value)) throw new SecurityError('PLUMEGO_ERR_INPUT_INVALID_EMAIL');
  return value;
}
