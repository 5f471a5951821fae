// RFC 9110 token characters: visible ASCII minus delimiters.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Field values: visible ASCII, space, tab and obs-text; no CR, LF, NUL or other controls.
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** True when `value` is a non-empty RFC 9110 token (method names, header names, auth schemes). */
export function isHttpToken(value: string): boolean {
  return TOKEN.test(value);
}

/** True when `value` can be used as a header name. */
export function isHeaderName(value: string): boolean {
  return TOKEN.test(value);
}

/**
 * True when `value` can be sent as a header value without response splitting: no CR, LF, NUL or
 * other control characters, and no leading or trailing whitespace.
 */
export function isHeaderValue(value: string): boolean {
  if (!FIELD_VALUE.test(value)) return false;
  return value === value.trim();
}
