import { describe, expect, it } from 'vitest';
import { isAllowedContentType } from './names.ts';
import { parseByteRange } from './range.ts';

describe('isAllowedContentType', () => {
  it.each([
    { type: 'image/png', allowed: undefined, expected: true },
    { type: 'image/png', allowed: ['image/*'], expected: true },
    { type: 'IMAGE/PNG; charset=x', allowed: ['image/png'], expected: true },
    { type: 'imagery/png', allowed: ['image/*'], expected: false },
    { type: 'text/html', allowed: ['text/plain'], expected: false },
    { type: 'application/pdf', allowed: ['image/*', 'application/pdf'], expected: true },
  ])('$type against $allowed → $expected', ({ type, allowed, expected }) => {
    expect(isAllowedContentType(type, allowed)).toBe(expected);
  });
});

describe('parseByteRange', () => {
  it.each([
    { header: 'bytes=0-0', size: 5, expected: { start: 0, end: 0 } },
    { header: 'bytes=2-', size: 5, expected: { start: 2, end: 4 } },
    { header: 'bytes=-2', size: 5, expected: { start: 3, end: 4 } },
    { header: 'bytes=1-999', size: 5, expected: { start: 1, end: 4 } },
    { header: 'bytes=5-', size: 5, expected: 'unsatisfiable' },
    { header: 'bytes=-1', size: 0, expected: 'unsatisfiable' },
    { header: 'bytes=3-1', size: 5, expected: undefined },
    { header: 'bytes=0-1, 2-3', size: 5, expected: undefined },
    { header: 'pages=1-2', size: 5, expected: undefined },
  ])('$header of $size bytes', ({ header, size, expected }) => {
    expect(parseByteRange(header, size)).toEqual(expected);
  });
});
