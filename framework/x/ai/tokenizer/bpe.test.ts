import { describe, expect, it } from 'vitest';
import { CountCache, buildPairTable, buildRankMap, mergeBytes } from './bpe.ts';

describe('bpe', () => {
  it('keeps the count cache within its capacity, evicting the oldest entry first', () => {
    const cache = new CountCache(3);
    for (let i = 0; i < 1000; i++) cache.set(`piece ${i}`, i);
    expect(cache.size).toBe(3);
    expect(cache.get('piece 996')).toBeUndefined();
    expect([cache.get('piece 997'), cache.get('piece 998'), cache.get('piece 999')]).toEqual([997, 998, 999]);
  });

  it('stores nothing with capacity 0 and never stores pieces longer than MAX_KEY', () => {
    const none = new CountCache(0);
    none.set('a', 1);
    expect(none.size).toBe(0);
    const cache = new CountCache(10);
    cache.set('x'.repeat(CountCache.MAX_KEY + 1), 5);
    cache.set('x'.repeat(CountCache.MAX_KEY), 4);
    expect(cache.size).toBe(1);
    expect(cache.get('x'.repeat(CountCache.MAX_KEY))).toBe(4);
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
