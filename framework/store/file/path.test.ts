import { describe, expect, it } from 'vitest';
import { assertStoragePath } from './path.ts';

const reasonOf = (path: unknown): string | undefined => {
  try {
    assertStoragePath(path);
    return undefined;
  } catch (e) {
    expect(e).toMatchObject({ code: 'PLUMEGO_ERR_FILE_INVALID_PATH' });
    return (e as { reason?: string }).reason;
  }
};

// 255 + 255 + 255 + 254 characters in four segments, then `/e`: 1024 in all.
const LONGEST = `${['a'.repeat(255), 'b'.repeat(255), 'c'.repeat(255), 'd'.repeat(254)].join('/')}/e`;

describe('assertStoragePath', () => {
  it('accepts relative paths up to 1024 characters with segments up to 255', () => {
    for (const ok of ['a', 'docs/C:notes.txt', 'x/y/z.bin', LONGEST, 's'.repeat(255), 'a..b/.c/d.']) {
      expect(assertStoragePath(ok)).toBe(ok);
    }
    expect(LONGEST.length).toBe(1024);
  });

  it.each([
    ['', 'length'],
    [42, 'length'],
    [undefined, 'length'],
    [`${LONGEST}f`, 'length'],
    ['a\u0000b', 'characters'],
    ['a\\b', 'characters'],
    ['tab\there', 'characters'],
    ['del\u007f', 'characters'],
    ['/etc/passwd', 'absolute'],
    ['C:/x', 'absolute'],
    ['z:x', 'absolute'],
    ['a/', 'segment'],
    ['a//b', 'segment'],
    ['./a', 'segment'],
    ['a/../b', 'segment'],
    ['s'.repeat(256), 'segment'],
  ])('refuses %j (%s)', (path, reason) => {
    expect(reasonOf(path)).toBe(reason);
  });
});
