import { describe, expect, it } from 'vitest';
import { CACHE_DIR, cacheKey, CACHES, hashText } from './index.ts';

describe('the cache registry', () => {
  it('names every cache once, under one directory, with the reason it exists', () => {
    for (const [id, cache] of Object.entries(CACHES)) {
      expect(cache.name).toBe(id);
      expect(cache.path.startsWith(`${CACHE_DIR}/`)).toBe(true);
      expect(Number.isInteger(cache.format) && cache.format > 0).toBe(true);
      expect(cache.why.length).toBeGreaterThan(40);
    }
    expect(new Set(Object.values(CACHES).map((c) => c.path)).size).toBe(Object.keys(CACHES).length);
  });

  it('keys change with the cache, its format and every input, and with the order of the inputs', () => {
    const key = cacheKey(CACHES.specs, ['a', Buffer.from('b')]);
    expect(cacheKey(CACHES.specs, ['a', Buffer.from('b')])).toBe(key);
    expect(cacheKey(CACHES.graph, ['a', 'b'])).not.toBe(cacheKey(CACHES.specs, ['a', 'b']));
    expect(cacheKey({ ...CACHES.specs, format: CACHES.specs.format + 1 }, ['a', 'b'])).not.toBe(
      cacheKey(CACHES.specs, ['a', 'b']),
    );
    expect(cacheKey(CACHES.specs, ['b', 'a'])).not.toBe(cacheKey(CACHES.specs, ['a', 'b']));
    // Inputs are separated: moving a character from one input to the next is another key.
    expect(cacheKey(CACHES.specs, ['ab', 'c'])).not.toBe(cacheKey(CACHES.specs, ['a', 'bc']));
    expect(cacheKey(CACHES.specs, [])).not.toBe(cacheKey(CACHES.specs, ['']));
  });

  it('hashes text and bytes alike', () => {
    expect(hashText('plumego')).toBe(hashText(Buffer.from('plumego')));
    expect(hashText('plumego')).not.toBe(hashText('plumeg0'));
  });
});
