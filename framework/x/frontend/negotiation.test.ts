import { describe, expect, it } from 'vitest';
import { selectEncoding, type Encoding } from './encoding.ts';
import { isNotModified, isRangeFresh, matchesIfNoneMatch, parseRange } from './http-cache.ts';
import { isHashedAssetName } from './options.ts';

const ALL = new Set<Encoding>(['br', 'gzip', 'identity']);
const NONE = new Set<Encoding>(['identity']);

describe('selectEncoding', () => {
  it.each([
    { title: 'no header', header: undefined, available: ALL, expected: 'identity' },
    { title: 'gzip only', header: 'gzip', available: ALL, expected: 'gzip' },
    { title: 'both, equal weight', header: 'gzip, br', available: ALL, expected: 'br' },
    { title: 'q-values favour gzip', header: 'br;q=0.5, gzip;q=0.8', available: ALL, expected: 'gzip' },
    { title: 'wildcard', header: '*', available: ALL, expected: 'br' },
    { title: 'legacy x-gzip', header: 'x-gzip', available: ALL, expected: 'gzip' },
    { title: 'gzip refused', header: 'gzip;q=0', available: ALL, expected: 'identity' },
    { title: 'variant missing', header: 'br', available: NONE, expected: 'identity' },
    { title: 'identity refused, variant present', header: 'gzip, identity;q=0', available: ALL, expected: 'gzip' },
    { title: 'identity refused, no variant', header: 'br, identity;q=0', available: NONE, expected: undefined },
    { title: 'everything refused by *;q=0', header: '*;q=0', available: ALL, expected: undefined },
    { title: 'garbage q-value', header: 'br;q=abc, gzip', available: ALL, expected: 'gzip' },
  ])('$title → $expected', ({ header, available, expected }) => {
    expect(selectEncoding(header, available)).toBe(expected);
  });
});

describe('parseRange', () => {
  it.each([
    { header: undefined, size: 10, expected: undefined },
    { header: 'bytes=0-4', size: 10, expected: { start: 0, end: 4 } },
    { header: 'bytes=5-', size: 10, expected: { start: 5, end: 9 } },
    { header: 'bytes=-3', size: 10, expected: { start: 7, end: 9 } },
    { header: 'bytes=-30', size: 10, expected: { start: 0, end: 9 } },
    { header: 'bytes=8-100', size: 10, expected: { start: 8, end: 9 } },
    { header: 'bytes=10-', size: 10, expected: 'unsatisfiable' },
    { header: 'bytes=-0', size: 10, expected: 'unsatisfiable' },
    { header: 'bytes=0-0', size: 0, expected: 'unsatisfiable' },
    { header: 'bytes=5-2', size: 10, expected: undefined },
    { header: 'bytes=0-1,4-5', size: 10, expected: undefined },
    { header: 'items=0-1', size: 10, expected: undefined },
    { header: 'bytes=-', size: 10, expected: undefined },
    { header: 'bytes=a-b', size: 10, expected: undefined },
  ])('$header of $size bytes', ({ header, size, expected }) => {
    expect(parseRange(header, size)).toEqual(expected);
  });
});

describe('validators', () => {
  it('compares If-None-Match weakly, including lists and *', () => {
    expect(matchesIfNoneMatch('W/"a"', '"a"')).toBe(true);
    expect(matchesIfNoneMatch('"x", W/"a"', 'W/"a"')).toBe(true);
    expect(matchesIfNoneMatch('*', '"a"')).toBe(true);
    expect(matchesIfNoneMatch('"b"', '"a"')).toBe(false);
  });

  it('lets If-None-Match override If-Modified-Since', () => {
    const mtime = Date.UTC(2026, 0, 1);
    const date = new Date(mtime).toUTCString();
    expect(isNotModified({ ifModifiedSince: date }, '"a"', mtime)).toBe(true);
    expect(isNotModified({ ifNoneMatch: '"b"', ifModifiedSince: date }, '"a"', mtime)).toBe(false);
    expect(isNotModified({ ifModifiedSince: 'not a date' }, '"a"', mtime)).toBe(false);
    expect(isNotModified({ ifModifiedSince: date }, '"a"', undefined)).toBe(false);
  });

  it('honours If-Range only for a strong ETag match or the exact date', () => {
    expect(isRangeFresh(undefined, 'W/"a"', undefined)).toBe(true);
    expect(isRangeFresh('"a"', '"a"', undefined)).toBe(true);
    expect(isRangeFresh('W/"a"', 'W/"a"', undefined)).toBe(false);
    expect(isRangeFresh('"a"', 'W/"a"', undefined)).toBe(false);
    expect(isRangeFresh('Thu, 01 Jan 2026 00:00:00 GMT', '"a"', 'Thu, 01 Jan 2026 00:00:00 GMT')).toBe(true);
    expect(isRangeFresh('Fri, 02 Jan 2026 00:00:00 GMT', '"a"', 'Thu, 01 Jan 2026 00:00:00 GMT')).toBe(false);
  });
});

describe('isHashedAssetName', () => {
  it.each([
    ['assets/app-3f9a1c2b.js', true],
    ['assets/index-DiwrgTda.css', true],
    ['assets/chunk.A1B2C3D4.mjs', true],
    ['my-component.js', false],
    ['my-component-v2.js', false],
    ['robots.txt', false],
    ['favicon.ico', false],
  ])('%s → %s', (path, expected) => {
    expect(isHashedAssetName(path)).toBe(expected);
  });
});
