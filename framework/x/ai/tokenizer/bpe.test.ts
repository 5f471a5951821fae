import { describe, expect, it } from 'vitest';
import { CountCache, buildPairTable, buildRankMap, hashRange, mergeBytes } from './bpe.ts';

describe('bpe', () => {
  const put = (cache: CountCache, piece: string, count: number): void =>
    cache.set(piece, hashRange(piece, 0, piece.length), count);
  const get = (cache: CountCache, piece: string): number =>
    cache.get(piece, 0, piece.length, hashRange(piece, 0, piece.length));

  it('keeps the count cache within its capacity, emptying it when full', () => {
    const cache = new CountCache(100);
    let max = 0;
    for (let i = 0; i < 10_000; i++) {
      put(cache, `piece ${i}`, i);
      max = Math.max(max, cache.size);
      expect(get(cache, `piece ${i}`)).toBe(i);
    }
    expect(max).toBe(100);
    // 10 000 = 100 fills: the last fill ended exactly full; the entries of earlier fills are gone.
    expect(cache.size).toBe(100);
    expect(get(cache, 'piece 9900')).toBe(9900);
    expect(get(cache, 'piece 9899')).toBe(-1);
  });

  it('stores nothing with capacity 0 and never stores pieces longer than MAX_KEY', () => {
    const none = new CountCache(0);
    put(none, 'a', 1);
    expect(none.size).toBe(0);
    expect(get(none, 'a')).toBe(-1);
    const cache = new CountCache(10);
    put(cache, 'x'.repeat(CountCache.MAX_KEY + 1), 5);
    put(cache, 'x'.repeat(CountCache.MAX_KEY), 4);
    expect(cache.size).toBe(1);
    expect(get(cache, 'x'.repeat(CountCache.MAX_KEY + 1))).toBe(-1);
    expect(get(cache, 'x'.repeat(CountCache.MAX_KEY))).toBe(4);
  });

  it('tells apart pieces whose hashes collide, and finds a piece inside a longer text', () => {
    const cache = new CountCache(50_000);
    // Same hash for all: every lookup must compare characters, across probes and through table growth.
    for (let i = 0; i < 3000; i++) cache.set(`k${i}`, 42, i);
    for (let i = 0; i < 3000; i++) expect(cache.get(`k${i}`, 0, `k${i}`.length, 42)).toBe(i);
    expect(cache.get('k3000', 0, 5, 42)).toBe(-1);
    expect(cache.get('k1', 0, 1, 42)).toBe(-1); // a prefix of a key is not the key
    const text = 'say hello world';
    put(cache, ' hello', 1);
    expect(cache.get(text, 3, 9, hashRange(text, 3, 9))).toBe(1);
    expect(cache.get(text, 3, 8, hashRange(text, 3, 8))).toBe(-1);
  });

  it('merges long pieces (heap) into the same parts as the linear merge of tiktoken', () => {
    // A toy vocabulary with ties and chains: the heap must pick the lowest rank, leftmost on ties.
    const tokens = ['a', 'b', 'c', 'ab', 'bc', 'abc', 'aa', 'aaa', 'aaaa', 'ca', 'cab', 'bcab'];
    const ranks = buildRankMap(tokens);
    let seed = 7;
    for (let round = 0; round < 200; round++) {
      let text = '';
      const length = 129 + (round % 50); // above the linear limit of 128 bytes
      for (let i = 0; i < length; i++) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        text += 'abc'[seed % 3];
      }
      const long: number[] = [];
      const count = mergeBytes(ranks, buildPairTable(ranks), text, long);
      const expected = referenceMerge(tokens, text);
      expect(long.map((r) => tokens[r]).join('|'), text).toBe(expected.join('|'));
      expect(count).toBe(expected.length);
    }
  });
});

/** tiktoken's merge loop, written plainly: join the lowest-ranked adjacent pair (leftmost on ties) until none. */
function referenceMerge(tokens: readonly string[], text: string): string[] {
  const rank = (s: string): number => {
    const r = tokens.indexOf(s);
    return r < 0 ? Number.POSITIVE_INFINITY : r;
  };
  const parts = [...text];
  for (;;) {
    let best = Number.POSITIVE_INFINITY;
    let at = -1;
    for (let i = 0; i < parts.length - 1; i++) {
      const r = rank(parts[i]! + parts[i + 1]!);
      if (r < best) {
        best = r;
        at = i;
      }
    }
    if (at < 0) return parts;
    parts.splice(at, 2, parts[at]! + parts[at + 1]!);
  }
}
