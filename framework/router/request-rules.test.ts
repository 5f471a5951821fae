import { describe, expect, it } from 'vitest';
import { normalizeRequestPath } from './path.ts';
import { Router } from './router.ts';
import { mark, serve } from './testing/serve.ts';

describe('an encoded slash is not a path separator (#24)', () => {
  const router = new Router();
  router.get('/files/:name', mark('/files/:name'));
  router.get('/files/:name/meta', mark('/files/:name/meta'));
  router.get('/public/*rest', mark('/public/*rest'));
  router.get('/admin/secret', mark('/admin/secret'));

  it.each([
    { url: '/files/a%2Fb', route: '/files/:name', params: { name: 'a/b' } },
    { url: '/files/x%2Fmeta', route: '/files/:name', params: { name: 'x/meta' } },
    { url: '/files/x/meta', route: '/files/:name/meta', params: { name: 'x' } },
    { url: '/public/..%2Fadmin%2Fsecret', route: '/public/*rest', params: { rest: '../admin/secret' } },
    { url: '/public/a%2Fb/c', route: '/public/*rest', params: { rest: 'a/b/c' } },
    { url: '/files/%2F', route: '/files/:name', params: { name: '/' } },
    { url: '/files/a%2F', route: '/files/:name', params: { name: 'a/' } },
    { url: '/files/%2e%2e%2Fx', route: '/files/:name', params: { name: '../x' } },
    { url: '/%61dmin/secret', route: '/admin/secret', params: {} },
  ])('$url → $route $params', async ({ url, route, params }) => {
    const out = await serve(router, 'GET', url);
    expect(out.status).toBe(200);
    expect(out.route).toBe(route);
    expect(JSON.parse(out.body)).toEqual(params);
  });

  it.each(['/admin%2Fsecret', '/admin%2fsecret', '/files%2Fa', '/public%2Fx'])(
    '404 for %s: one segment, not two',
    async (url) => {
      expect((await serve(router, 'GET', url)).status).toBe(404);
    },
  );

  it.each(['/files/%', '/files/%2', '/files/%G0', '/files/a/%C3', '/files/%ED%A0%80', '/public/ok/%FF'])(
    '400 for malformed encoding in any segment: %s',
    async (url) => {
      const out = await serve(router, 'GET', url);
      expect(out.status).toBe(400);
      expect(JSON.parse(out.body).error.code).toBe('BAD_REQUEST');
    },
  );

  it('400 for malformed encoding in a segment the matcher never reaches', async () => {
    expect((await serve(router, 'GET', '/nothing/here/%zz')).status).toBe(400);
  });
});

describe('dot segments are refused with 400', () => {
  const router = new Router();
  router.get('/admin/secret', mark('admin'));
  router.get('/public/*rest', mark('public'));
  router.get('/p/:x', mark('param'));

  it.each([
    '/public/../admin/secret',
    '/public/./x',
    '/public/x/..',
    '/public/x/.',
    '/.',
    '/..',
    '/public/%2e%2e/admin/secret',
    '/public/%2E%2E/admin/secret',
    '/public/.%2e/admin/secret',
    '/public/%2e./admin/secret',
    '/public/%2e/x',
    '/p/..',
    '/p/%2e',
    '/public/x/..?q=1',
    '/public/x/..#frag',
  ])('%s', async (url) => {
    const out = await serve(router, 'GET', url);
    expect(out.status).toBe(400);
    expect(out.route).toBeUndefined();
    expect(JSON.parse(out.body).error.code).toBe('BAD_REQUEST');
  });

  it.each([
    { url: '/public/.well-known/x', params: { rest: '.well-known/x' } },
    { url: '/public/...', params: { rest: '...' } },
    { url: '/public/a..b', params: { rest: 'a..b' } },
    { url: '/public/.x./%2e%2e%2e', params: { rest: '.x./...' } },
  ])('keeps segments that only contain dots among other text: $url', async ({ url, params }) => {
    const out = await serve(router, 'GET', url);
    expect(out.status).toBe(200);
    expect(JSON.parse(out.body)).toEqual(params);
  });

  it('refuses patterns with dot segments, escapes, ? or # at registration', () => {
    for (const p of ['/a/../b', '/a/.', '/caf%C3%A9', '/a?b', '/a#b', '/%2e%2e']) {
      expect(() => new Router().get(p, mark('x')), p).toThrow(
        expect.objectContaining({ code: 'ROUTER_INVALID_PATTERN' }),
      );
    }
    const ok = new Router();
    ok.get('/100%', mark('pct'));
    ok.get('/café', mark('cafe'));
    expect(ok.match('GET', '/100%25')?.route.path).toBe('/100%');
    expect(ok.match('GET', '/caf%C3%A9')?.route.path).toBe('/café');
  });
});

describe('fragments and the query are not part of the path (#26)', () => {
  const router = new Router();
  router.get('/test', mark('test'));
  router.get('/u/:id', mark('param'));

  it.each([
    { url: '/test#hello', route: 'test', params: {} },
    { url: '/test?x=1#hello', route: 'test', params: {} },
    { url: '/test#hello?x=1', route: 'test', params: {} },
    { url: '/test/#', route: 'test', params: {} },
    { url: '/u/1#x', route: 'param', params: { id: '1' } },
    { url: '/u/%23#x', route: 'param', params: { id: '#' } },
    { url: '/u/%3F?x', route: 'param', params: { id: '?' } },
  ])('$url', async ({ url, route, params }) => {
    const out = await serve(router, 'GET', url);
    expect(out.route).toBe(route);
    expect(JSON.parse(out.body)).toEqual(params);
    expect(router.match('GET', url)?.params).toEqual(params);
  });

  it('404 when the fragment leaves an empty param', async () => {
    expect((await serve(router, 'GET', '/u/#x')).status).toBe(404);
  });
});

describe('normalizeRequestPath', () => {
  it.each([
    { raw: '/', out: '/' },
    { raw: '/a/b/', out: '/a/b' },
    { raw: '/a/b///', out: '/a/b' },
    { raw: '///a', out: '/a' },
    { raw: '//', out: '/' },
    { raw: '/a//b', out: '/a//b' },
    { raw: '/a%2Fb', out: '/a%2Fb' },
    { raw: '/a%2F', out: '/a%2F' },
    { raw: '/a?b#c', out: '/a' },
    { raw: '/a#b?c', out: '/a' },
    { raw: 'http://h.example/x/y?z', out: '/x/y' },
    { raw: 'HTTPS://h.example', out: '/' },
    { raw: 'http://h.example?x', out: '/' },
    // Only the path before the fragment counts, and only the path of an absolute-form target:
    // a dot segment, `%` or bad escape after `#` or in the host does not refuse it.
    { raw: '/a#/../b', out: '/a' },
    { raw: '/a#%zz', out: '/a' },
    { raw: '/a/b.c/.d./..e', out: '/a/b.c/.d./..e' },
    { raw: 'http://.h.example/x', out: '/x' },
    { raw: 'http://h%zz/x', out: '/x' },
  ])('$raw → $out', ({ raw, out }) => {
    expect(normalizeRequestPath(raw)).toBe(out);
  });

  it.each([
    '',
    'a',
    '*',
    'ftp://h/x',
    'http:///x',
    '/%',
    '/%zz',
    '/a/..',
    '/./a',
    '/%2E',
    'http://h.example/a/../b',
    'http://h.example/%2e%2e',
    'http://h.example/a/.',
    'http://h.example/%zz',
    '//../a',
    '/a/..#x',
    '/%2e/a#x',
  ])('refuses %j', (raw) => {
    expect(normalizeRequestPath(raw)).toBeUndefined();
  });
});

describe('the more specific path wins before the method fallback (#26)', () => {
  it('an exact ANY route beats a GET wildcard', async () => {
    const router = new Router();
    router.any('/x', mark('any /x'));
    router.get('/*wild', mark('get /*wild'));
    expect((await serve(router, 'GET', '/x')).route).toBe('any /x');
    expect((await serve(router, 'GET', '/y')).route).toBe('get /*wild');
    expect(router.match('GET', '/x')?.route.path).toBe('/x');
  });

  it.each([
    ['any first', true],
    ['get first', false],
  ])('an ANY static route beats a GET param, %s', async (_title, anyFirst) => {
    const router = new Router();
    if (anyFirst) router.any('/users/me', mark('any me'));
    router.get('/users/:id', mark('get id'));
    if (!anyFirst) router.any('/users/me', mark('any me'));
    for (const m of ['GET', 'HEAD', 'POST']) expect((await serve(router, m, '/users/me')).route, m).toBe('any me');
    expect((await serve(router, 'GET', '/users/7')).route).toBe('get id');
    expect((await serve(router, 'POST', '/users/7')).status).toBe(404);
  });

  it('long ANY prefixes beat a short GET wildcard', async () => {
    const router = new Router();
    router.any('/long/prefix/*a', mark('any long prefix'));
    router.any('/long/*b', mark('any long'));
    router.get('/*c', mark('get root'));
    expect((await serve(router, 'GET', '/long/prefix/test')).route).toBe('any long prefix');
    expect((await serve(router, 'GET', '/long/other')).route).toBe('any long');
    expect((await serve(router, 'GET', '/short')).route).toBe('get root');
    expect((await serve(router, 'POST', '/short')).status).toBe(404);
  });

  it('between routes of one pattern: exact method, then GET for HEAD, then ANY', async () => {
    const router = new Router({ methodNotAllowed: true });
    router.get('/r', mark('get'));
    router.any('/r', mark('any'));
    router.head('/h', mark('head'));
    router.get('/h', mark('get h'));
    expect((await serve(router, 'GET', '/r')).route).toBe('get');
    expect((await serve(router, 'HEAD', '/r')).route).toBe('get');
    expect((await serve(router, 'DELETE', '/r')).route).toBe('any');
    expect((await serve(router, 'HEAD', '/h')).route).toBe('head');
  });

  it('a more specific route for another method does not hide a less specific one for this method', async () => {
    const router = new Router({ methodNotAllowed: true });
    router.post('/users/me', mark('post me'));
    router.get('/users/:id', mark('get id'));
    expect((await serve(router, 'GET', '/users/me')).route).toBe('get id');
    expect((await serve(router, 'POST', '/users/me')).route).toBe('post me');
    const out = await serve(router, 'PUT', '/users/me');
    expect([out.status, out.allow]).toEqual([405, 'GET, HEAD, POST']);
    expect(router.allowedMethods('/users/me')).toEqual(['GET', 'HEAD', 'POST']);
    expect(router.allowedMethods('/users/9')).toEqual(['GET', 'HEAD']);
  });

  it('no 405 where an ANY route matches; Allow lists explicit methods only', async () => {
    const router = new Router({ methodNotAllowed: true });
    router.any('/a/:x', mark('any'));
    router.put('/a/b', mark('put'));
    expect((await serve(router, 'DELETE', '/a/b')).route).toBe('any');
    expect(router.allowedMethods('/a/b')).toEqual(['PUT']);
  });
});

describe('method case (#26)', () => {
  it('normalises a lowercase method at registration', async () => {
    const router = new Router();
    router.addRoute('get', '/x', mark('x'));
    router.addRoute('Any', '/y', mark('y'));
    expect(router.routes().map((r) => r.method)).toEqual(['GET', 'ANY']);
    expect((await serve(router, 'GET', '/x')).route).toBe('x');
    expect((await serve(router, 'PATCH', '/y')).route).toBe('y');
    expect(router.match('get', '/x')?.route.method).toBe('GET');
    expect(router.match('GET', '/x')?.route.method).toBe('GET');
  });

  it('treats get and GET as one method for duplicates', () => {
    const router = new Router();
    router.get('/x', mark('x'));
    expect(() => router.addRoute('get', '/x', mark('x'))).toThrow(
      expect.objectContaining({ code: 'ROUTER_DUPLICATE_ROUTE' }),
    );
  });
});

describe('prototype-free params (#26)', () => {
  const router = new Router();
  router.get('/p/:__proto__', mark('proto'));
  router.get('/q/:constructor/:toString', mark('ctor'));

  it('returns __proto__ as an own parameter', () => {
    const m = router.match('GET', '/p/x');
    expect(m).toBeDefined();
    expect(Object.keys(m!.params)).toEqual(['__proto__']);
    expect(m!.params['__proto__']).toBe('x');
    expect(Object.getPrototypeOf(m!.params)).toBeNull();
  });

  it('does not let inherited names shadow or leak', () => {
    const m = router.match('GET', '/q/a/b')!;
    expect([m.params['constructor'], m.params['toString']]).toEqual(['a', 'b']);
    expect(router.match('GET', '/p/y')!.params['constructor']).toBeUndefined();
  });

  it('dispatch exposes the same values through param()', async () => {
    expect(JSON.parse((await serve(router, 'GET', '/q/a/b')).body)).toEqual({ constructor: 'a', toString: 'b' });
  });
});
