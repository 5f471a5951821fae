import { describe, it, expect } from 'vitest';
import { createRequest } from './request.ts';

describe('createRequest', () => {
  it.each([
    { url: '/users/42?full=1#top', path: '/users/42', query: 'full=1', target: '/users/42?full=1' },
    { url: '/users/42#top?x=1', path: '/users/42', query: '', target: '/users/42' },
    { url: 'http://example.test/a/b?q=%20x#frag', path: '/a/b', query: 'q=%20x', target: '/a/b?q=%20x' },
    { url: '/plain', path: '/plain', query: '', target: '/plain' },
  ])('splits $url into path, query and target without the fragment', ({ url, path, query, target }) => {
    const r = createRequest({ url });
    expect({ path: r.path, query: r.rawQuery, target: r.url }).toEqual({ path, query, target });
  });

  it('keeps a query value that merely contains an encoded hash', () => {
    const r = createRequest({ url: '/s?tag=%23a' });
    expect(r.query.get('tag')).toBe('#a');
  });

  it('sets content-length for a body and upper-cases the method', () => {
    const r = createRequest({ method: 'post', url: '/x', body: 'héllo' });
    expect(r.method).toBe('POST');
    expect(r.header('content-length')).toBe(String(Buffer.byteLength('héllo')));
  });
});
