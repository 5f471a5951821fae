// Byte-pair encoding over tiktoken's ranks, written for counting. Where the time went before (cpu profile of
// gpt-tokenizer on the repository corpus, o200k): the pre-tokenising regex ~45 %, and per piece that is not one
// token: TextEncoder, then for every candidate pair a bytes → string conversion with a UTF-8 validity check
// before the rank lookup. Here pieces are split by pretokenize.ts; a piece is looked up by its range in the text
// (CountCache), and only a new piece is materialised; merges run on a "byte string" (one char per UTF-8 byte)
// whose spans are looked up in the rank table by range, with no substring per lookup; counting only needs how
// many parts remain, so no token array is built.
import { AiTokenizerError } from './errors.ts';

/** "No rank": larger than any real rank. */
export const NONE = 0x7fffffff;

/**
 * Rank of every token, keyed by its bytes as a latin1 string (ASCII tokens: the token text itself), looked up by
 * a range of a byte string: the merge loop asks for many spans of one piece, and a Map would need a new string
 * (allocated, then hashed) for each. Open addressing with linear probing, at most half full.
 */
export class RankMap {
  readonly #keys: (string | undefined)[];
  readonly #hashes: Int32Array;
  readonly #ranks: Int32Array;
  readonly #mask: number;
  readonly size: number;

  constructor(entries: readonly (readonly [string, number])[]) {
    let slots = 1024;
    while (slots < 2 * entries.length) slots *= 2;
    this.#keys = new Array<string | undefined>(slots).fill(undefined);
    this.#hashes = new Int32Array(slots);
    this.#ranks = new Int32Array(slots);
    this.#mask = slots - 1;
    this.size = entries.length;
    for (const [key, rank] of entries) {
      const hash = hashRange(key, 0, key.length);
      let slot = hash & this.#mask;
      while (this.#keys[slot] !== undefined) slot = (slot + 1) & this.#mask;
      this.#keys[slot] = key;
      this.#hashes[slot] = hash;
      this.#ranks[slot] = rank;
    }
  }

  /** Rank of the token whose bytes are bytes[start, end), or NONE. */
  get(bytes: string, start: number, end: number): number {
    const length = end - start;
    const hash = hashRange(bytes, start, end);
    const keys = this.#keys;
    const mask = this.#mask;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const key = keys[slot];
      if (key === undefined) return NONE;
      if (this.#hashes[slot] !== hash || key.length !== length) continue;
      let i = 0;
      while (i < length && key.charCodeAt(i) === bytes.charCodeAt(start + i)) i++;
      if (i === length) return this.#ranks[slot]!;
    }
  }

  *entries(): IterableIterator<[string, number]> {
    for (let slot = 0; slot <= this.#mask; slot++) {
      const key = this.#keys[slot];
      if (key !== undefined) yield [key, this.#ranks[slot]!];
    }
  }
}

export interface Vocabulary {
  readonly ranks: RankMap;
  /** Rank of every two-byte token at index (first byte << 8 | second byte), NONE elsewhere: the first round of
   * merges, one lookup per adjacent byte pair, is array reads instead of Map lookups of new 2-char strings. */
  readonly pairs: Int32Array;
  /** The token list as published (string when its bytes are valid UTF-8), index = rank; for decoding. */
  readonly tokens: readonly (string | readonly number[] | undefined)[];
  /** Control tokens by rank (never produced by encode here: special-token text is encoded as text). */
  readonly special: ReadonlyMap<number, string>;
  /** Where a piece starting at `start` ends (pretokenize.ts). */
  readonly pieceEnd: (text: string, start: number) => number;
}

export function buildRankMap(tokens: readonly (string | readonly number[] | undefined)[]): RankMap {
  const entries: [string, number][] = [];
  for (let rank = 0; rank < tokens.length; rank++) {
    const token = tokens[rank];
    if (token === undefined) continue; // holes in the published list
    const key =
      typeof token === 'string'
        ? isAscii(token)
          ? token
          : Buffer.from(token, 'utf8').toString('latin1')
        : String.fromCharCode(...token);
    entries.push([key, rank]);
  }
  return new RankMap(entries);
}

export function buildPairTable(ranks: RankMap): Int32Array {
  const pairs = new Int32Array(0x10000).fill(NONE);
  for (const [key, rank] of ranks.entries())
    if (key.length === 2) pairs[(key.charCodeAt(0) << 8) | key.charCodeAt(1)] = rank;
  return pairs;
}

export function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** The UTF-8 bytes of `s` as a latin1 string; lone surrogates become U+FFFD, as TextEncoder does. */
export function byteString(s: string): string {
  return Buffer.from(s, 'utf8').toString('latin1');
}

// Pieces up to this many bytes use tiktoken's linear scan (fastest for short pieces); longer ones a heap, so a
// 1 MB run of one letter costs n log n instead of n² (the order of merges, and so the tokens, is the same).
const LINEAR_MAX = 128;

const starts = new Int32Array(LINEAR_MAX + 1);
const pairRanks = new Int32Array(LINEAR_MAX + 1);

/**
 * tiktoken's merge: repeatedly join the adjacent pair with the lowest rank (leftmost on ties) until no pair
 * is a token. Returns the number of parts; `out`, when given, receives their ranks.
 */
export function mergeBytes(ranks: RankMap, pairs: Int32Array, bytes: string, out?: number[]): number {
  const n = bytes.length;
  if (n > LINEAR_MAX) return mergeLong(ranks, pairs, bytes, out);
  const s = starts;
  const r = pairRanks;
  for (let i = 0; i <= n; i++) s[i] = i;
  for (let i = 0; i < n - 1; i++) r[i] = pairs[(bytes.charCodeAt(i) << 8) | bytes.charCodeAt(i + 1)]!;
  r[n - 1] = NONE;
  let parts = n; // parts are [s[i], s[i+1]) for i < parts; r[i] ranks the join of part i and part i+1
  while (parts > 1) {
    let min = NONE;
    let at = -1;
    for (let i = 0; i < parts - 1; i++) {
      if (r[i]! < min) {
        min = r[i]!;
        at = i;
      }
    }
    if (at < 0) break;
    // Join part `at` with part `at + 1`: drop boundary at+1, then re-rank the pairs that changed.
    s.copyWithin(at + 1, at + 2, parts + 1);
    r.copyWithin(at + 1, at + 2, parts);
    parts--;
    r[at] = at + 1 < parts ? ranks.get(bytes, s[at]!, s[at + 2]!) : NONE;
    if (at > 0) r[at - 1] = ranks.get(bytes, s[at - 1]!, s[at + 1]!);
  }
  // A part is a single byte (every byte is a token in both vocabularies) or a join that was found in `ranks`.
  if (out) for (let i = 0; i < parts; i++) out.push(ranks.get(bytes, s[i]!, s[i + 1]!));
  return parts;
}

/** The same merge with a linked list of parts and a min-heap of (rank, start) with lazy deletion. */
function mergeLong(ranks: RankMap, pairs: Int32Array, bytes: string, out?: number[]): number {
  const n = bytes.length;
  const next = new Int32Array(n + 1); // next part's start; n is the end sentinel
  const prev = new Int32Array(n + 1);
  const rankAt = new Int32Array(n + 1); // rank of joining the part starting here with the next one
  const alive = new Uint8Array(n + 1);
  const heap: number[] = [];
  const SHIFT = 2 ** 32; // key = rank * 2^32 + start: orders by rank, then leftmost (rank < 2^20, start < 2^32)
  const rankJoin = (start: number): number => {
    const mid = next[start]!;
    if (mid >= n) return NONE;
    return ranks.get(bytes, start, next[mid]!);
  };
  for (let i = 0; i <= n; i++) {
    next[i] = i + 1;
    prev[i] = i - 1;
    alive[i] = 1;
  }
  for (let i = 0; i < n; i++) {
    const rank = i + 1 < n ? pairs[(bytes.charCodeAt(i) << 8) | bytes.charCodeAt(i + 1)]! : NONE;
    rankAt[i] = rank;
    if (rank !== NONE) heapPush(heap, rank * SHIFT + i);
  }
  let parts = n;
  while (heap.length > 0) {
    const key = heapPop(heap);
    const rank = Math.floor(key / SHIFT);
    const start = key - rank * SHIFT;
    if (alive[start] === 0 || rankAt[start] !== rank) continue; // stale entry
    const gone = next[start]!;
    alive[gone] = 0;
    next[start] = next[gone]!;
    prev[next[gone]!] = start;
    parts--;
    const mine = rankJoin(start);
    rankAt[start] = mine;
    if (mine !== NONE) heapPush(heap, mine * SHIFT + start);
    if (start > 0) {
      const before = prev[start]!;
      const theirs = rankJoin(before);
      rankAt[before] = theirs;
      if (theirs !== NONE) heapPush(heap, theirs * SHIFT + before);
    }
  }
  if (out) for (let i = 0; i < n; i = next[i]!) out.push(ranks.get(bytes, i, next[i]!));
  return parts;
}

function heapPush(heap: number[], key: number): void {
  let i = heap.length;
  heap.push(key);
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (heap[parent]! <= key) break;
    heap[i] = heap[parent]!;
    i = parent;
  }
  heap[i] = key;
}

function heapPop(heap: number[]): number {
  const top = heap[0]!;
  const last = heap.pop()!;
  const size = heap.length;
  if (size > 0) {
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= size) break;
      const right = left + 1;
      const child = right < size && heap[right]! < heap[left]! ? right : left;
      if (heap[child]! >= last) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
  }
  return top;
}

/** FNV-1a over the UTF-16 code units of text[start, end). */
export function hashRange(text: string, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h;
}

const MIN_SLOTS = 1024;

/**
 * Bounded piece → token count memo, looked up by a range of the text being counted, so a piece that was seen
 * before costs a hash and a compare over its characters: no substring is created for it and no V8 Map lookup
 * (which needs a new string and hashes it again). An open-addressing table (linear probing, at most half full)
 * that grows up to `capacity` entries and is emptied when that is reached: bounded memory without eviction
 * bookkeeping on every hit. Pieces longer than `MAX_KEY` characters are not stored, so memory stays under
 * capacity × MAX_KEY characters plus the slot arrays.
 */
export class CountCache {
  static readonly MAX_KEY = 256;
  readonly capacity: number;
  #keys: (string | undefined)[] = [];
  #hashes = new Int32Array(0);
  #counts = new Int32Array(0);
  #size = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    if (capacity > 0) this.#allocate(MIN_SLOTS);
  }

  get size(): number {
    return this.#size;
  }

  /** Count memoised for text[start, end) whose hashRange is `hash`, or -1. */
  get(text: string, start: number, end: number, hash: number): number {
    const keys = this.#keys;
    const mask = keys.length - 1;
    if (mask < 0) return -1;
    const length = end - start;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const key = keys[slot];
      if (key === undefined) return -1;
      if (this.#hashes[slot] !== hash || key.length !== length) continue;
      let i = 0;
      while (i < length && key.charCodeAt(i) === text.charCodeAt(start + i)) i++;
      if (i === length) return this.#counts[slot]!;
    }
  }

  /** Stores the count of `piece` (whose hashRange is `hash`); empties the table first when it is full. */
  set(piece: string, hash: number, count: number): void {
    if (this.capacity === 0 || piece.length > CountCache.MAX_KEY) return;
    if (this.#size >= this.capacity) this.#allocate(MIN_SLOTS);
    else if (2 * (this.#size + 1) > this.#keys.length) this.#grow();
    this.#place(piece, hash, count);
    this.#size++;
  }

  #place(piece: string, hash: number, count: number): void {
    const keys = this.#keys;
    const mask = keys.length - 1;
    let slot = hash & mask;
    while (keys[slot] !== undefined) slot = (slot + 1) & mask;
    keys[slot] = piece;
    this.#hashes[slot] = hash;
    this.#counts[slot] = count;
  }

  #allocate(slots: number): void {
    this.#keys = new Array<string | undefined>(slots).fill(undefined);
    this.#hashes = new Int32Array(slots);
    this.#counts = new Int32Array(slots);
    this.#size = 0;
  }

  #grow(): void {
    const keys = this.#keys;
    const hashes = this.#hashes;
    const counts = this.#counts;
    this.#allocate(keys.length * 2);
    for (let slot = 0; slot < keys.length; slot++) {
      const key = keys[slot];
      if (key === undefined) continue;
      this.#place(key, hashes[slot]!, counts[slot]!);
      this.#size++;
    }
  }
}

/** Token count of `text`, identical to tiktoken's `encode(text).length` with special-token text as text. */
export function countTokens(vocab: Vocabulary, cache: CountCache, text: string): number {
  const { ranks, pairs, pieceEnd } = vocab;
  const n = text.length;
  let count = 0;
  for (let start = 0; start < n;) {
    const end = pieceEnd(text, start);
    // Every ASCII character is a token; one-character pieces (punctuation, single spaces) are ~16 % of code.
    if (end - start === 1 && text.charCodeAt(start) < 0x80) {
      count++;
      start = end;
      continue;
    }
    // The memo goes first, for single-token pieces too: it is small enough to stay in the CPU cache, while a
    // lookup in the 200 000-entry rank map is mostly cache misses.
    const hash = hashRange(text, start, end);
    const cached = cache.get(text, start, end, hash);
    if (cached >= 0) {
      count += cached;
      start = end;
      continue;
    }
    const piece = text.slice(start, end);
    start = end;
    // A non-ASCII piece is never looked up by its own text: rank keys are byte strings, and a Latin-1 piece
    // such as "Ã©" could equal the byte string of another token ("é").
    const bytes = isAscii(piece) ? piece : byteString(piece);
    const parts =
      bytes.length === 1 || ranks.get(bytes, 0, bytes.length) !== NONE ? 1 : mergeBytes(ranks, pairs, bytes);
    cache.set(piece, hash, parts);
    count += parts;
  }
  return count;
}

/** Token ids of `text` (no cache: counting is the hot path; encoding builds the array anyway). */
export function encodeTokens(vocab: Vocabulary, text: string): number[] {
  const { ranks, pairs, pieceEnd } = vocab;
  const out: number[] = [];
  const n = text.length;
  for (let start = 0; start < n;) {
    const end = pieceEnd(text, start);
    const piece = text.slice(start, end);
    start = end;
    const bytes = isAscii(piece) ? piece : byteString(piece);
    const rank = ranks.get(bytes, 0, bytes.length);
    if (rank !== NONE) out.push(rank);
    else mergeBytes(ranks, pairs, bytes, out);
  }
  return out;
}

/** Text of `tokens`; bytes that are not valid UTF-8 (a token list cut inside a character) decode as U+FFFD. */
export function decodeTokens(vocab: Vocabulary, tokens: Iterable<number>): string {
  const chunks: Buffer[] = [];
  for (const rank of tokens) {
    const token = Number.isInteger(rank) && rank >= 0 ? vocab.tokens[rank] : undefined;
    if (token !== undefined) {
      chunks.push(typeof token === 'string' ? Buffer.from(token, 'utf8') : Buffer.from(token));
      continue;
    }
    const special = vocab.special.get(rank);
    if (special === undefined)
      throw new AiTokenizerError('AI_TOKENIZER_UNKNOWN_TOKEN', `token ${String(rank)} is not in the vocabulary`);
    chunks.push(Buffer.from(special, 'utf8'));
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}
