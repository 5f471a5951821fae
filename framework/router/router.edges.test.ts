// Edge cases the mutation run showed no test pinned down (#25): method precedence, Allow lists, the
// default 404, group prefixes, registration checks, encoding limits and absolute-form targets.
import { describe, expect, it } from 'vitest';
import { BufferedResponseWriter, createRequest, type Handler, type Middleware } from 'plumego/contract';
import { param } from './param.ts';
import { isWellEncoded, normalizeRequestPath } from './path.ts';
import { joinPaths, normalizePatternPath, parsePattern } from './pattern.ts';
import { Router } from './router.ts';
import { mark, serve } from './testing/serve.ts';

const ok: Handler = (w) => w.end('ok');

describe('HEAD, GET and ANY between routes of one pattern', () => {
  it.each([
    { title: 'static', path: '/doc', url: '/doc' },
    { title: 'param', path: '/doc/:id', url: '/doc/7' },
    { title: 'wildcard', path: '/doc/*rest', url: '/doc/a/b' },
  ])('an explicit HEAD route wins over GET ($title)', async ({ path, url }) => {
    for (const order of ['head-first', 'get-first']) {
      const router = new Router();
      if (order === 'head-first') router.head(path, mark('head'));
      router.get(path, mark('get'));
      if (order === 'get-first') router.head(path, mark('head'));
      expect((await serve(router, 'HEAD', url)).route, order).toBe('head');
      expect((await serve(router, 'GET', url)).route, order).toBe('get');
    }
  });

  it('serves HEAD from GET before ANY, and from ANY when there is no GET', async () => {
    const router = new Router();
    router.get('/g/:id', mark('get'));
    router.any('/g/:id', mark('any'));
    router.any('/a/:id', mark('any-only'));
    expect((await serve(router, 'HEAD', '/g/1')).route).toBe('get');
    expect((await serve(router, 'HEAD', '/a/1')).route).toBe('any-only');
    expect((await serve(router, 'POST', '/g/1')).route).toBe('any');
  });

  it('does not serve GET from a HEAD route', async () => {
    const router = new Router();
    router.head('/h', mark('head'));
    router.head('/h/:id', mark('head-param'));
    expect((await serve(router, 'GET', '/h')).status).toBe(404);
    expect((await serve(router, 'GET', '/h/1')).status).toBe(404);
  });

  it('registers PATCH and OPTIONS through their shorthands', async () => {
    const router = new Router();
    router.patch('/p', mark('patch'));
    router.options('/p', mark('options'));
    expect((await serve(router, 'PATCH', '/p')).route).toBe('patch');
    expect((await serve(router, 'OPTIONS', '/p')).route).toBe('options');
    expect(router.routes().map((r) => r.method)).toEqual(['PATCH', 'OPTIONS']);
  });
});

describe('Allow and the default miss', () => {
  it('sorts Allow whatever the registration order, for static and param paths', async () => {
    const router = new Router({ methodNotAllowed: true });
    for (const m of ['PUT', 'DELETE', 'GET', 'OPTIONS']) {
      router.addRoute(m, '/s', ok);
      router.addRoute(m, '/p/:id', ok);
    }
    for (const url of ['/s', '/p/1']) {
      const out = await serve(router, 'POST', url);
      expect([out.status, out.allow]).toEqual([405, 'DELETE, GET, HEAD, OPTIONS, PUT']);
    }
    expect(router.allowedMethods('/p/1?x=1')).toEqual(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PUT']);
  });

  it('lists neither ANY nor methods that only an ANY route would serve', () => {
    const router = new Router();
    router.post('/elsewhere', ok);
    router.get('/x', ok);
    router.any('/x', ok);
    expect(router.allowedMethods('/x')).toEqual(['GET', 'HEAD']);
    expect(router.allowedMethods('/nowhere')).toEqual([]);
  });

  it('lists nothing for a target that would be refused with 400', () => {
    const router = new Router();
    router.get('/a', ok);
    router.get('/:x', ok);
    expect(router.allowedMethods('/a/../a')).toEqual([]);
    expect(router.allowedMethods('/%zz')).toEqual([]);
    expect(router.allowedMethods('a')).toEqual([]);
  });

  it('answers the plain 404 for a known path with the wrong method by default', async () => {
    const router = new Router();
    router.get('/known', ok);
    router.get('/known/:id', ok);
    for (const url of ['/known', '/known/1']) {
      const out = await serve(router, 'DELETE', url);
      expect([out.status, out.body, out.allow, out.type]).toEqual([
        404,
        '404 page not found\n',
        undefined,
        'text/plain; charset=utf-8',
      ]);
    }
    expect(router.methodNotAllowed).toBe(false);
  });

  it('uses the custom notFound for a wrong method when 405 is off, and 405 wins when on', async () => {
    const router = new Router({ notFound: (w) => w.end('custom') });
    router.get('/k', ok);
    expect((await serve(router, 'PUT', '/k')).body).toBe('custom');
    const strict = new Router({ methodNotAllowed: true, notFound: (w) => w.end('custom') });
    strict.get('/k', ok);
    expect((await serve(strict, 'PUT', '/k')).status).toBe(405);
    expect((await serve(strict, 'PUT', '/other')).body).toBe('custom');
  });

  it('switches 405 on with setMethodNotAllowed before freezing, and refuses it after', async () => {
    const router = new Router();
    router.get('/k', ok);
    router.setMethodNotAllowed(true);
    expect(router.methodNotAllowed).toBe(true);
    expect((await serve(router, 'PUT', '/k')).status).toBe(405);
    expect(() => router.setMethodNotAllowed(false)).toThrow(expect.objectContaining({ code: 'ROUTER_FROZEN' }));
  });
});

describe('segments the trie must not bind', () => {
  const router = new Router();
  router.get('/users/:id/posts/:post', mark('nested'));
  router.get('/users/:id', mark('user'));
  router.get('/files/*path', mark('files'));

  it.each(['/users//posts/9', '/users/1//posts/9', '/users//9', '/files//x'])(
    '404 for an empty segment in %s',
    async (url) => {
      expect((await serve(router, 'GET', url)).status).toBe(404);
    },
  );

  it('matches a literal percent sign in a static segment through %25', async () => {
    const pct = new Router();
    pct.get('/100%', mark('pct'));
    pct.get('/a%2z', mark('a2z'));
    expect((await serve(pct, 'GET', '/100%25')).route).toBe('pct');
    expect((await serve(pct, 'GET', '/a%252z')).route).toBe('a2z');
    expect((await serve(pct, 'GET', '/100%')).status).toBe(400);
  });

  it('leaves no parameter values in the request state for a static route', async () => {
    const r = createRequest({ url: '/users' });
    const flat = new Router();
    flat.get('/users', ok);
    await flat.handler(new BufferedResponseWriter(), r);
    expect([r.state.routePattern, [...r.state.paramNames], [...r.state.paramValues]]).toEqual(['/users', [], []]);
  });

  it('binds a literal ":id" request segment as a value, not as the pattern', async () => {
    const out = await serve(router, 'GET', '/users/:id');
    expect([out.route, JSON.parse(out.body)]).toEqual(['user', { id: ':id' }]);
  });
});

describe('registration checks', () => {
  it.each([':id-x', ':id.x', ':9', ':', '*a-b', '*'])('refuses the parameter segment %j', (seg) => {
    expect(() => new Router().get(`/a/${seg}`, ok)).toThrow(
      expect.objectContaining({ code: 'ROUTER_INVALID_PATTERN' }),
    );
  });

  it('accepts identifier names of any length, with digits and underscores after the first character', () => {
    const router = new Router();
    router.get('/a/:a/:_b9/:Long_Name_2', ok);
    expect(router.routes()[0]!.paramNames).toEqual(['a', '_b9', 'Long_Name_2']);
  });

  it.each([
    { title: 'a query mark', path: '/a?b' },
    { title: 'a fragment mark', path: '/a#b' },
    { title: 'an escape', path: '/a%2Fb' },
    { title: 'a lowercase escape', path: '/a%c3%a9' },
    { title: 'a dot segment', path: '/a/./b' },
    { title: 'a dot-dot segment', path: '/a/..' },
    { title: 'a wildcard before the end', path: '/*rest/x' },
    { title: 'no leading slash', path: 'a/b' },
    { title: 'no slash at all', path: 'users' },
  ])('refuses a pattern with $title', ({ path }) => {
    expect(() => new Router().get(path, ok)).toThrow(expect.objectContaining({ code: 'ROUTER_INVALID_PATTERN' }));
  });

  it('refuses a non-string pattern or prefix', () => {
    expect(() => new Router().get(42 as unknown as string, ok)).toThrow(
      expect.objectContaining({ code: 'ROUTER_INVALID_PATTERN' }),
    );
    expect(() => new Router().group(undefined as unknown as string)).toThrow(
      expect.objectContaining({ code: 'ROUTER_INVALID_PATTERN' }),
    );
  });

  it('normalises leading and trailing slashes of patterns', () => {
    const router = new Router();
    router.get('///a//', ok);
    router.get('//b/c/', ok);
    router.get('/', ok);
    expect(router.routes().map((r) => [r.path, r.paramNames])).toEqual([
      ['/a', []],
      ['/b/c', []],
      ['/', []],
    ]);
    expect(() => router.get('/a', ok)).toThrow(expect.objectContaining({ code: 'ROUTER_DUPLICATE_ROUTE' }));
    expect(() => router.get('//', ok)).toThrow(expect.objectContaining({ code: 'ROUTER_DUPLICATE_ROUTE' }));
  });

  it.each([
    { title: 'a non-token method', method: 'GE T' },
    { title: 'an empty method', method: '' },
    { title: 'a non-string method', method: 7 as unknown as string },
  ])('refuses a method that is $title', ({ method }) => {
    expect(() => new Router().addRoute(method, '/', ok)).toThrow(
      expect.objectContaining({ code: 'ROUTER_INVALID_METHOD' }),
    );
  });

  it('refuses non-function route and group middleware', () => {
    const router = new Router();
    expect(() => router.get('/a', ok, { middleware: ['x' as unknown as Middleware] })).toThrow(
      expect.objectContaining({ code: 'ROUTER_INVALID_HANDLER' }),
    );
    expect(() => router.group('/g').use(null as unknown as Middleware)).toThrow(
      expect.objectContaining({ code: 'ROUTER_INVALID_HANDLER' }),
    );
    expect(() => router.group('/h', (next) => next, 1 as unknown as Middleware)).toThrow(
      expect.objectContaining({ code: 'ROUTER_INVALID_HANDLER' }),
    );
    expect(router.routes()).toEqual([]);
  });

  it('allows any number of unnamed routes and gives them empty tags and no name', () => {
    const router = new Router();
    router.get('/a', ok);
    router.get('/b', ok, {});
    expect(router.routes().map((r) => [r.name, r.tags])).toEqual([
      ['', []],
      ['', []],
    ]);
    expect(router.hasRoute('')).toBe(false);
    expect(() => router.url('')).toThrow(expect.objectContaining({ code: 'ROUTER_UNKNOWN_ROUTE' }));
  });

  it('compiles each middleware chain once, however often freeze runs', async () => {
    let built = 0;
    const counted: Middleware = (next) => {
      built++;
      return next;
    };
    const router = new Router();
    router.get('/a', ok, { middleware: [counted] });
    router.freeze();
    router.freeze();
    await serve(router, 'GET', '/a');
    await serve(router, 'GET', '/a');
    expect(built).toBe(1);
  });

  it('refuses group middleware added after freezing', () => {
    const router = new Router();
    const g = router.group('/g');
    router.freeze();
    expect(() => g.use((next) => next)).toThrow(expect.objectContaining({ code: 'ROUTER_FROZEN' }));
    expect(() => router.addRoute('GET', '/x', ok)).toThrow(expect.objectContaining({ code: 'ROUTER_FROZEN' }));
  });
});

describe('group prefixes', () => {
  it.each([
    { prefix: '/api/', path: '/x', want: '/api/x' },
    { prefix: '/api//', path: '/x', want: '/api/x' },
    { prefix: '/', path: '/x', want: '/x' },
    { prefix: '/api', path: '', want: '/api' },
    { prefix: '/', path: '/', want: '/' },
  ])('$prefix + $path → $want', async ({ prefix, path, want }) => {
    const router = new Router();
    router.group(prefix).get(path, mark('g'));
    expect(router.routes()[0]!.path).toBe(want);
    expect((await serve(router, 'GET', want)).route).toBe('g');
  });

  it('keeps a group prefix in its normalised form', () => {
    const router = new Router();
    expect([
      router.group('//api/').prefix,
      router.group('/').prefix,
      router.group('/a/:id').group('/b//').prefix,
    ]).toEqual(['/api', '/', '/a/:id/b']);
  });

  it('nests a root sub-group and a trailing-slash sub-group', () => {
    const router = new Router();
    const api = router.group('/api');
    api.group('/').get('/a', ok);
    api.group('/v2/').get('/b', ok);
    api.group('/v3').group('/x/').get('/', ok);
    expect(router.routes().map((r) => r.path)).toEqual(['/api/a', '/api/v2/b', '/api/v3/x']);
  });

  it('refuses a group prefix that is not a valid pattern', () => {
    expect(() => new Router().group('/a//b')).toThrow(expect.objectContaining({ code: 'ROUTER_INVALID_PATTERN' }));
    expect(() => new Router().group('/a/*x/b')).toThrow(expect.objectContaining({ code: 'ROUTER_INVALID_PATTERN' }));
  });
});

describe('percent-encoding limits', () => {
  const router = new Router();
  router.get('/p/:v', mark('p'));

  it.each([
    '/p/%1g',
    '/p/%1:',
    '/p/%g1',
    '/p/%:1',
    '/p/%1/',
    '/p/a%',
    '/p/%E0%80%80',
    '/p/%E0%9F%BF',
    '/p/%F0%80%80%80',
    '/p/%F0%8F%BF%BF',
    '/p/%F4%90%80%80',
    '/p/%C1%BF',
    '/p/%80',
    '/p/%F5%80%80%80',
    '/p/%C3',
  ])('400 for %s', async (url) => {
    const out = await serve(router, 'GET', url);
    expect(out.status).toBe(400);
    expect(router.match('GET', url)).toBeUndefined();
  });

  it.each([
    { url: '/p/%E2%82%AC', v: '€' },
    { url: '/p/%e2%82%ac', v: '€' },
    { url: '/p/%E0%A0%80', v: '\u0800' },
    { url: '/p/%ED%9F%BF', v: '\uD7FF' },
    { url: '/p/%EE%80%80', v: '\uE000' },
    { url: '/p/%F0%90%80%80', v: '\u{10000}' },
    { url: '/p/%F4%8F%BF%BF', v: '\u{10FFFF}' },
    { url: '/p/%C2%80', v: '\u0080' },
    { url: '/p/%7F%41', v: '\u007FA' },
    { url: '/p/%2e%2e.', v: '...' },
  ])('binds $url as $v', async ({ url, v }) => {
    const out = await serve(router, 'GET', url);
    expect([out.status, JSON.parse(out.body).v]).toEqual([200, v]);
  });
});

describe('absolute-form request targets', () => {
  it.each([
    { raw: 'http://h.example/a/b', want: '/a/b' },
    { raw: 'HTTPS://h.example:8443/a?x=1', want: '/a' },
    { raw: 'http://h.example', want: '/' },
    { raw: 'http://h.example?x', want: '/' },
    { raw: 'http://h.example/a/', want: '/a' },
    { raw: 'http://h.example//a', want: '/a' },
  ])('$raw → $want', ({ raw, want }) => {
    expect(normalizeRequestPath(raw)).toBe(want);
  });

  it.each(['xhttp://h.example/a', 'https:/h.example/a', 'http//h.example/a', 'mailto:http://h/a', 'http:///a'])(
    'refuses the non-path target %j',
    (raw) => {
      expect(normalizeRequestPath(raw)).toBeUndefined();
    },
  );

  it('matches and serves an absolute-form target like its path', async () => {
    const router = new Router();
    router.get('/a/:id', mark('a'));
    router.get('/', mark('root'));
    expect(router.match('get', 'http://h.example/a/1?q')?.params).toEqual({ id: '1' });
    expect(router.match('GET', 'https://h.example')?.route.path).toBe('/');
    expect((await serve(router, 'GET', 'http://h.example/a/2')).route).toBe('a');
    expect((await serve(router, 'GET', 'ftp://h.example/a/2')).status).toBe(400);
  });
});

describe('pattern helpers of the public surface', () => {
  it.each([
    { prefix: '', path: '/x', want: '/x' },
    { prefix: '', path: '/', want: '/' },
    { prefix: '/', path: '/', want: '/' },
    { prefix: '/', path: '/x', want: '/x' },
    { prefix: '/api/', path: '/x', want: '/api/x' },
    { prefix: '/api', path: '/x', want: '/api/x' },
    { prefix: '/api', path: '/', want: '/api' },
    { prefix: '/api/', path: '', want: '/api' },
  ])('joinPaths($prefix, $path) → $want', ({ prefix, path, want }) => {
    expect(joinPaths(prefix, path)).toBe(want);
  });

  it.each([
    { raw: '/', want: '/' },
    { raw: '//', want: '/' },
    { raw: '///a//b//', want: '/a//b' },
    { raw: '/a/', want: '/a' },
    { raw: '/a', want: '/a' },
    { raw: '//a/b', want: '/a/b' },
    { raw: 'a/', want: 'a' },
  ])('normalizePatternPath($raw) → $want', ({ raw, want }) => {
    expect(normalizePatternPath(raw)).toBe(want);
  });

  it('parses the root and a mixed pattern into segments', () => {
    expect(parsePattern('//')).toEqual({ path: '/', segments: [], paramNames: [], isStatic: true });
    expect(parsePattern('/a/:b/*c/')).toEqual({
      path: '/a/:b/*c',
      segments: [
        { kind: 'static', value: 'a' },
        { kind: 'param', name: 'b' },
        { kind: 'wildcard', name: 'c' },
      ],
      paramNames: ['b', 'c'],
      isStatic: false,
    });
    expect(parsePattern('/a/b').isStatic).toBe(true);
  });

  it('param() reads the bound value, or an empty string', async () => {
    const router = new Router();
    const seen: string[] = [];
    router.get('/u/:id', (w, r) => {
      seen.push(param(r, 'id'), param(r, 'nope'));
      w.end();
    });
    await serve(router, 'GET', '/u/42');
    expect(seen).toEqual(['42', '']);
  });
});

describe('percent escapes with a character next to the hex digits', () => {
  // '@' and '`' sit just below 'a'/'A' once lower-cased, 'g'..'z' just above 'f': none is a hex digit,
  // though each would yield a small value if the digit ranges were off by one bound.
  it.each(['%0@', '%0`', '%0g', '%7Z', '%2z', '%@0'])('answers 400 for a parameter holding %s', async (escape) => {
    const router = new Router();
    router.get('/:p', mark('p'));
    expect((await serve(router, 'GET', `/a${escape}`)).status).toBe(400);
    expect(isWellEncoded(escape)).toBe(false);
  });

  it('decodes escapes written with upper- or lower-case hex digits', async () => {
    const router = new Router();
    router.get('/:p', mark('p'));
    for (const url of ['/caf%C3%A9', '/caf%c3%a9', '/%7E%7e']) {
      const out = await serve(router, 'GET', url);
      expect(out.status, url).toBe(200);
      expect(JSON.parse(out.body), url).toEqual({ p: decodeURIComponent(url.slice(1)) });
    }
  });
});
