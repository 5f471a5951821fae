// Hand-written equivalents of tiktoken's pre-tokenising regular expressions (the `pat_str` of js-tiktoken's
// o200k_base and cl100k_base ranks). The regexes (Unicode property classes under the `u` flag) took about half
// of all counting time on source code and prose: ~50 ms per MiB of the repository corpus for o200k, more than
// the byte-pair merges. A scanner that looks at each code point once with a cached class table does the same
// split in a fraction of that. Each function returns where the piece starting at `start` ends, following the
// regex's alternation order and backtracking exactly; pretokenize.test.ts checks the pieces against the
// regexes themselves on varied and random text.

// Class bits per code point. General categories are disjoint, so a code point has at most one of the first five.
const UPPER = 1; // Lu, Lt
const LOWER = 2; // Ll
const OTHER_LETTER = 4; // Lm, Lo
const MARK = 8; // M
const NUMBER = 16; // N
const SPACE = 32; // JavaScript's \s
const KNOWN = 64; // the entry has been computed

const LETTER = UPPER | LOWER | OTHER_LETTER;
// o200k's two letter classes: [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}] and [\p{Ll}\p{Lm}\p{Lo}\p{M}].
const CASED_UPPER = UPPER | OTHER_LETTER | MARK;
const CASED_LOWER = LOWER | OTHER_LETTER | MARK;

const CR = 13;
const LF = 10;
const SPACE_CHAR = 32;
const SLASH = 47;
const APOSTROPHE = 39;

// Classes come from the same regex engine the reference uses, so the Unicode version can never disagree.
const IS_UPPER = /[\p{Lu}\p{Lt}]/u;
const IS_LOWER = /\p{Ll}/u;
const IS_OTHER_LETTER = /[\p{Lm}\p{Lo}]/u;
const IS_MARK = /\p{M}/u;
const IS_NUMBER = /\p{N}/u;
const IS_SPACE = /\s/u;

function computeClass(cp: number): number {
  const ch = String.fromCodePoint(cp);
  let c = KNOWN;
  if (IS_UPPER.test(ch)) c |= UPPER;
  else if (IS_LOWER.test(ch)) c |= LOWER;
  else if (IS_OTHER_LETTER.test(ch)) c |= OTHER_LETTER;
  else if (IS_MARK.test(ch)) c |= MARK;
  else if (IS_NUMBER.test(ch)) c |= NUMBER;
  if (IS_SPACE.test(ch)) c |= SPACE;
  return c;
}

// One byte per code point (1.1 MB), filled on first sight of each code point; ASCII up front.
let classes: Uint8Array | undefined;

function table(): Uint8Array {
  if (!classes) {
    classes = new Uint8Array(0x110000);
    for (let cp = 0; cp < 128; cp++) classes[cp] = computeClass(cp);
  }
  return classes;
}

function classOf(t: Uint8Array, cp: number): number {
  const c = t[cp]!;
  if (c !== 0) return c;
  const computed = computeClass(cp);
  t[cp] = computed;
  return computed;
}

/** The code point at `i` (a surrogate pair read as one): charCodeAt first, as nearly all text is in the BMP. */
function cpAt(text: string, i: number): number {
  const u = text.charCodeAt(i);
  return u >= 0xd800 && u <= 0xdbff ? text.codePointAt(i)! : u;
}

/** [^\r\n\p{L}\p{N}] */
function isPrefix(cp: number, c: number): boolean {
  return (c & (LETTER | NUMBER)) === 0 && cp !== CR && cp !== LF;
}

/** [^\s\p{L}\p{N}] */
function isPunct(c: number): boolean {
  return (c & (SPACE | LETTER | NUMBER)) === 0;
}

/** The optional contraction suffix `'s|'t|'re|'ve|'m|'ll|'d` in either case; returns the end after it, if any. */
function contraction(text: string, i: number): number {
  if (text.charCodeAt(i) !== APOSTROPHE) return i;
  const a = text.charCodeAt(i + 1) | 0x20; // ASCII lower case; NaN at the end becomes 0x20
  if (a === 0x73 || a === 0x74 || a === 0x6d || a === 0x64) return i + 2; // s t m d
  const b = text.charCodeAt(i + 2) | 0x20;
  if ((a === 0x6c && b === 0x6c) || ((a === 0x72 || a === 0x76) && b === 0x65)) return i + 3; // ll re ve
  return i;
}

/** The whitespace alternatives shared by both patterns: `\s*[\r\n]+|\s+(?!\S)|\s+`, or -1 if `start` is not \s. */
function whitespace(text: string, start: number, c0: number): number {
  if ((c0 & SPACE) === 0) return -1;
  // Every \s character is in the BMP, so the run can be walked by code unit.
  const t = classes!;
  const n = text.length;
  let end = start;
  let lastNewline = -1;
  while (end < n) {
    const u = text.charCodeAt(end);
    if ((classOf(t, u) & SPACE) === 0) break;
    if (u === CR || u === LF) lastNewline = end;
    end++;
  }
  // \s*[\r\n]+ : \s* gives back characters until [\r\n]+ can match; that is the run's last newline, alone.
  if (lastNewline >= 0) return lastNewline + 1;
  // \s+(?!\S) : the whole run at the end of the text, otherwise all but its last character (if one remains).
  if (end === n) return end;
  if (end - start >= 2) return end - 1;
  return end; // \s+
}

/** o200k's first alternative after the prefix: [Upper]*[Lower]+ with the contraction; -1 if it cannot match. */
function o200kLowerTail(text: string, t: Uint8Array, from: number): number {
  const n = text.length;
  let i = from;
  let lastLower = -1; // end of the last character of the upper run that is also in [Lower]
  while (i < n) {
    const cp = cpAt(text, i);
    const c = classOf(t, cp);
    if ((c & CASED_UPPER) === 0) {
      if ((c & CASED_LOWER) !== 0) {
        // The upper run is followed by a lower letter: [Lower]+ takes the whole lower run.
        i += cp > 0xffff ? 2 : 1;
        while (i < n) {
          const cp2 = cpAt(text, i);
          if ((classOf(t, cp2) & CASED_LOWER) === 0) break;
          i += cp2 > 0xffff ? 2 : 1;
        }
        return contraction(text, i);
      }
      break;
    }
    i += cp > 0xffff ? 2 : 1;
    if ((c & CASED_LOWER) !== 0) lastLower = i;
  }
  // Backtracking: [Upper]* gives back characters until its last one that is also in [Lower] ends the match.
  return lastLower < 0 ? -1 : contraction(text, lastLower);
}

/** o200k's second alternative after the prefix: [Upper]+[Lower]* with the contraction; -1 if it cannot match. */
function o200kUpperHead(text: string, t: Uint8Array, from: number): number {
  const n = text.length;
  let i = from;
  while (i < n) {
    const cp = cpAt(text, i);
    if ((classOf(t, cp) & CASED_UPPER) === 0) break;
    i += cp > 0xffff ? 2 : 1;
  }
  if (i === from) return -1;
  while (i < n) {
    const cp = cpAt(text, i);
    if ((classOf(t, cp) & CASED_LOWER) === 0) break;
    i += cp > 0xffff ? 2 : 1;
  }
  return contraction(text, i);
}

/** ` ?[^\s\p{L}\p{N}]+` followed by `tail` characters (o200k: [\r\n/]*, cl100k: [\r\n]*); -1 if it cannot match. */
function punctuation(text: string, t: Uint8Array, start: number, cp0: number, slashTail: boolean): number {
  const n = text.length;
  let i = cp0 === SPACE_CHAR ? start + 1 : start;
  if (i >= n) return -1;
  let cp = cpAt(text, i);
  if (!isPunct(classOf(t, cp))) return -1;
  do {
    i += cp > 0xffff ? 2 : 1;
    if (i >= n) return i;
    cp = cpAt(text, i);
  } while (isPunct(classOf(t, cp)));
  while (i < n) {
    const u = text.charCodeAt(i);
    if (u !== CR && u !== LF && !(slashTail && u === SLASH)) break;
    i++;
  }
  return i;
}

/** `\p{N}{1,3}` from a code point known to be a number. */
function digits(text: string, t: Uint8Array, start: number): number {
  const n = text.length;
  let i = start;
  for (let k = 0; k < 3 && i < n; k++) {
    const cp = cpAt(text, i);
    if ((classOf(t, cp) & NUMBER) === 0) break;
    i += cp > 0xffff ? 2 : 1;
  }
  return i;
}

/**
 * End of the o200k_base piece starting at `start` (< text.length). Pattern, in order:
 * [^\r\n\p{L}\p{N}]?[Upper]*[Lower]+C? | [^\r\n\p{L}\p{N}]?[Upper]+[Lower]*C? | \p{N}{1,3} |
 * ` ?[^\s\p{L}\p{N}]+[\r\n/]*` | \s*[\r\n]+ | \s+(?!\S) | \s+
 */
export function o200kPieceEnd(text: string, start: number): number {
  const t = table();
  const cp0 = cpAt(text, start);
  const c0 = classOf(t, cp0);
  const w0 = cp0 > 0xffff ? 2 : 1;
  let end: number;
  const prefixed = isPrefix(cp0, c0) && start + w0 < text.length;
  if (prefixed && (end = o200kLowerTail(text, t, start + w0)) >= 0) return end;
  if ((c0 & (CASED_UPPER | CASED_LOWER)) !== 0 && (end = o200kLowerTail(text, t, start)) >= 0) return end;
  if (prefixed && (end = o200kUpperHead(text, t, start + w0)) >= 0) return end;
  if ((c0 & CASED_UPPER) !== 0 && (end = o200kUpperHead(text, t, start)) >= 0) return end;
  if ((c0 & NUMBER) !== 0) return digits(text, t, start);
  if ((end = punctuation(text, t, start, cp0, true)) >= 0) return end;
  if ((end = whitespace(text, start, c0)) >= 0) return end;
  return start + w0; // unreachable: every code point is a letter, mark, number, \s or punctuation
}

/**
 * End of the cl100k_base piece starting at `start` (< text.length). Pattern, in order:
 * 's|'t|'re|'ve|'m|'ll|'d (either case) | [^\r\n\p{L}\p{N}]?\p{L}+ | \p{N}{1,3} | ` ?[^\s\p{L}\p{N}]+[\r\n]*` |
 * \s*[\r\n]+ | \s+(?!\S) | \s+
 */
export function cl100kPieceEnd(text: string, start: number): number {
  const t = table();
  const cp0 = cpAt(text, start);
  if (cp0 === APOSTROPHE) {
    const end = contraction(text, start);
    if (end > start) return end;
  }
  const c0 = classOf(t, cp0);
  const w0 = cp0 > 0xffff ? 2 : 1;
  const n = text.length;
  let i = -1;
  if ((c0 & LETTER) !== 0) i = start;
  else if (isPrefix(cp0, c0) && start + w0 < n) {
    const cp1 = cpAt(text, start + w0);
    if ((classOf(t, cp1) & LETTER) !== 0) i = start + w0;
  }
  if (i >= 0) {
    while (i < n) {
      const cp = cpAt(text, i);
      if ((classOf(t, cp) & LETTER) === 0) break;
      i += cp > 0xffff ? 2 : 1;
    }
    return i;
  }
  if ((c0 & NUMBER) !== 0) return digits(text, t, start);
  let end: number;
  if ((end = punctuation(text, t, start, cp0, false)) >= 0) return end;
  if ((end = whitespace(text, start, c0)) >= 0) return end;
  return start + w0; // unreachable, as for o200k
}
