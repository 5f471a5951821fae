import { SecurityError } from '../errors.ts';

export interface UrlValidationOptions {
  /** Accepted schemes without the colon. Default: `['http', 'https']`. */
  schemes?: readonly string[];
  /** Longest accepted input in characters. Default: 2048. */
  maxLength?: number;
}

function invalid(reason: string): never {
  throw new SecurityError('PLUMEGO_ERR_INPUT_INVALID_URL', { reason });
}

/**
 * Parses an absolute URL and refuses the shapes that make URL checks disagree with the client that
 * later fetches it: userinfo, backslashes, whitespace or controls, `//` paths, unknown schemes and
 * empty hosts. Returns the parsed URL.
 */
export function assertUrl(value: string, options: UrlValidationOptions = {}): URL {
  const schemes = options.schemes ?? ['http', 'https'];
  const maxLength = options.maxLength ?? 2048;
  if (value.length === 0 || value.length > maxLength) invalid('length');
  // eslint-disable-next-line no-control-regex -- controls are exactly what is being refused
  if (/[\x00-\x20\x7f\\]/.test(value)) invalid('characters');
  // `https:///host` and `https:host` parse as `https://host/`, so the authority is not what was typed.
  if (/^[a-z][a-z0-9+.-]*:(?!\/\/[^/])/i.test(value) && /^(https?|wss?|ftp):/i.test(value)) invalid('authority');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    invalid('syntax');
  }
  if (!schemes.includes(url.protocol.slice(0, -1))) invalid('scheme');
  if (url.username !== '' || url.password !== '') invalid('userinfo');
  if (url.hostname === '') invalid('host');
  if (url.pathname.startsWith('//')) invalid('path');
  return url;
}

/** True when `assertUrl` would accept the value. */
export function isValidUrl(value: string, options: UrlValidationOptions = {}): boolean {
  try {
    assertUrl(value, options);
    return true;
  } catch {
    return false;
  }
}
