const ABSOLUTE_FORM = /^https?:\/\//i;

/**
 * Normalises a request target for matching, or returns undefined when it must be refused (400).
 * The result is still percent-encoded: the router splits it on raw `/` and decodes each segment
 * afterwards, so `%2F` never separates segments. Steps: cut the query (`?`) and fragment (`#`);
 * take the path of an absolute-form target (`http://host/p`); collapse repeated leading slashes
 * and strip trailing ones. Refused: anything else not starting with `/`, malformed
 * percent-encoding anywhere in the path, and dot segments (`.` or `..`, raw or encoded as `%2e`).
 */
export function normalizeRequestPath(raw: string): string | undefined {
  const q = raw.indexOf('?');
  return normalizePath(q < 0 ? raw : raw.slice(0, q));
}

/**
 * `normalizeRequestPath` for a request's `path`, which the request already split from the query.
 * Hot path: one pass over the characters finds the fragment, any `%` and any dot right after a `/`
 * (a dot segment can only start there); a single-character `indexOf` per check costs a builtin call
 * each, more than the whole loop on a typical path. Nothing is allocated unless the path changes.
 */
export function normalizePath(raw: string): string | undefined {
  let percent = false;
  let slashDot = false;
  let end = raw.length;
  for (let i = 0; i < end; i++) {
    const c = raw.charCodeAt(i);
    if (c === 35 /* # */) end = i;
    else if (c === 37 /* % */) percent = true;
    else if (c === 46 /* . */ && i > 0 && raw.charCodeAt(i - 1) === 47 /* / */) slashDot = true;
  }
  let p = end === raw.length ? raw : raw.slice(0, end);
  if (p.charCodeAt(0) !== 47 /* / */) {
    // absolute-form targets (proxies) carry a scheme and a host; anything else is not a path.
    if (!ABSOLUTE_FORM.test(p)) return undefined;
    const hostStart = p.indexOf('//') + 2;
    const slash = p.indexOf('/', hostStart);
    if (slash === hostStart) return undefined;
    p = slash < 0 ? '/' : p.slice(slash);
    // The scheme and host were scanned too; only the path counts (rare: proxies send these).
    percent = p.indexOf('%') >= 0;
    slashDot = p.indexOf('/.') >= 0;
  }
  // Collapsing or stripping slashes never makes or breaks a `/.` pair nor removes a `%`.
  if (p.length > 1 && p.charCodeAt(1) === 47) p = '/' + p.replace(/^\/+/, '');
  if (p.length > 1 && p.charCodeAt(p.length - 1) === 47) p = p.replace(/\/+$/, '') || '/';
  if (percent) return isWellEncoded(p) && !hasDotSegment(p) ? p : undefined;
  if (slashDot && hasDotSegment(p)) return undefined;
  return p;
}

/** True when some `/`-separated segment of `p` is `.` or `..`, each dot raw or as `%2e`/`%2E`. */
export function hasDotSegment(p: string): boolean {
  let dots = 0;
  for (let i = 1; i <= p.length;) {
    const c = p.charCodeAt(i);
    if (i === p.length || c === 47 /* / */) {
      if (dots === 1 || dots === 2) return true;
      dots = 0;
      i++;
    } else if (dots >= 0 && c === 46 /* . */) {
      dots++;
      i++;
    } else if (
      dots >= 0 &&
      c === 37 /* % */ &&
      p.charCodeAt(i + 1) === 50 /* 2 */ &&
      (p.charCodeAt(i + 2) | 32) === 101 /* e */
    ) {
      dots++;
      i += 3;
    } else {
      dots = -1; // this segment has other characters
      i++;
    }
  }
  return false;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 32;
  return l >= 97 && l <= 102 ? l - 87 : -1;
}

/**
 * Whether every `%XX` escape in `p` is hex and the escaped bytes form UTF-8 that
 * `decodeURIComponent` accepts (no overlong forms, surrogates or code points past U+10FFFF, no
 * sequence cut by a raw character). Accepting the whole path means every segment decodes, since a
 * `/` cannot sit inside a valid sequence; checked without building the decoded string.
 */
export function isWellEncoded(p: string): boolean {
  let need = 0; // continuation bytes still expected
  let lo = 0x80;
  let hi = 0xbf; // allowed range of the next continuation byte
  for (let i = p.indexOf('%'); i < p.length; i++) {
    const c = p.charCodeAt(i);
    if (c !== 37) {
      if (need !== 0) return false;
      continue;
    }
    const h1 = hexValue(p.charCodeAt(i + 1));
    const h2 = hexValue(p.charCodeAt(i + 2));
    if (h1 < 0 || h2 < 0) return false;
    const b = h1 * 16 + h2;
    i += 2;
    if (need !== 0) {
      if (b < lo || b > hi) return false;
      need--;
      lo = 0x80;
      hi = 0xbf;
    } else if (b < 0x80) {
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0; // overlong
      if (b === 0xed) hi = 0x9f; // surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90; // overlong
      if (b === 0xf4) hi = 0x8f; // past U+10FFFF
    } else {
      return false;
    }
  }
  return need === 0;
}
