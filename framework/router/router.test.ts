import { describe, expect, it } from 'vitest';
import { BufferedResponseWriter, createRequest, type Handler, type Middleware } from 'plumego/contract';
import { RouterError } from './errors.ts';
import { Router } from './router.ts';

const ok: Handler = (w) => w.end('ok');

function mark(label: string): Handler {
  return (w, r) => {
    w.setHeader('x-route', label);
    w.end(
      JSON.stringify({
        pattern: r.state.routePattern,
        name: r.state.routeName,
        params: Object.fromEntries(r.state.paramNames.map((n) => [n, r.param(n)])),
      }),
    );
  };
}

async function serve(router: Router, method: string, url: string) {
  const w = new BufferedResponseWriter();
  const r = createRequest({ method, url });
  await router.handler(w, r);
  const body = w.getBody().toString();
  return { status: w.status, route: w.getHeader('x-route'), allow: w.getHeader('allow'), body, r };
}

describe('matching precedence and params', () => {
  const router = new Router();
  router.get('/', mark('root'));
  router.get('/users/new', mark('static'));
  router.get('/users/:id', mark('param'));
  router.get('/users/:id/posts/:post', mark('nested'));
  router.get('/files/*path', mark('wildcard'));
  router.get('/a/b/c', mark('abc'));
  router.get('/a/:x/d', mark('axd'));
  router.get('/mix/:id', mark('mix-param'));
  router.get('/mix/*rest', mark('mix-wild'));

  it.each([
    { title: 'root', url: '/', route: 'root', params: {} },
    { title: 'static beats param', url: '/users/new', route: 'static', params: {} },
    { title: 'param', url: '/users/42', route: 'param', params: { id: '42' } },
    { title: 'two params', url: '/users/7/posts/9', route: 'nested', params: { id: '7', post: '9' } },
    { title: 'decoded param', url: '/users/a%20b', route: 'param', params: { id: 'a b' } },
    { title: 'unicode param', url: '/users/%C3%A9', route: 'param', params: { id: 'é' } },
    { title: 'wildcard keeps slashes', url: '/files/a/b.txt', route: 'wildcard', params: { path: 'a/b.txt' } },
    {
      title: 'encoded slash inside a wildcard decodes to a slash',
      url: '/files/a%2Fb',
      route: 'wildcard',
      params: { path: 'a/b' },
    },
    { title: 'encoded slash stays inside its param', url: '/users/a%2Fb', route: 'param', params: { id: 'a/b' } },
    { title: 'trailing slash trimmed', url: '/users/42/', route: 'param', params: { id: '42' } },
    { title: 'repeated leading slashes collapsed', url: '//users/42', route: 'param', params: { id: '42' } },
    { title: 'query ignored', url: '/users/42?x=1', route: 'param', params: { id: '42' } },
    { title: 'param beats wildcard for one segment', url: '/mix/1', route: 'mix-param', params: { id: '1' } },
    { title: 'wildcard takes longer paths', url: '/mix/1/2', route: 'mix-wild', params: { rest: '1/2' } },
    { title: 'backtracks from a dead static branch', url: '/a/b/d', route: 'axd', params: { x: 'b' } },
    { title: 'static branch still wins when it matches', url: '/a/b/c', route: 'abc', params: {} },
  ])('$title: $url', async ({ url, route, params }) => {
    const out = await serve(router, 'GET', url);
    expect(out.status).toBe(200);
    expect(out.route).toBe(route);
    expect(JSON.parse(out.body).params).toEqual(params);
  });

  it.each([
    { title: 'unknown path', url: '/nope' },
    { title: 'internal empty segment', url: '/users//42' },
    { title: 'wildcard needs a segment', url: '/files' },
  ])('404 for $title', async ({ url }) => {
    const out = await serve(router, 'GET', url);
    expect(out.status).toBe(404);
    expect(out.body).toBe('404 page not found\n');
  });

  it.each(['/users/%', '/users/%zz', '/users/%E0%A4%A', 'users/no-slash'])(
    '400 envelope for malformed path %s',
    async (url) => {
      const out = await serve(router, 'GET', url);
      expect(out.status).toBe(400);
      expect(JSON.parse(out.body).error.code).toBe('BAD_REQUEST');
    },
  );

  it('accepts an absolute-form target', async () => {
    expect((await serve(router, 'GET', 'http://example.com/users/5')).route).toBe('param');
  });

  it('exposes the match without serving', () => {
    expect(router.match('GET', '/users/9')).toEqual({
      route: expect.objectContaining({ path: '/users/:id' }),
      params: { id: '9' },
    });
    expect(router.match('GET', '/zzz')).toBeUndefined();
    expect(router.match('GET', '/%')).toBeUndefined();
  });
});

describe('method fallbacks and 405', () => {
  function build(methodNotAllowed: boolean): Router {
    const router = new Router({ methodNotAllowed });
    router.get('/r', mark('get'));
    router.post('/r', mark('post'));
    router.delete('/only-delete', mark('delete'));
    router.any('/any', mark('any'));
    router.put('/any', mark('put-any'));
    return router;
  }

  it('serves HEAD from GET', async () => {
    expect((await serve(build(false), 'HEAD', '/r')).route).toBe('get');
  });

  it('prefers the exact method, then ANY', async () => {
    const router = build(false);
    expect((await serve(router, 'PUT', '/any')).route).toBe('put-any');
    expect((await serve(router, 'PATCH', '/any')).route).toBe('any');
    expect((await serve(router, 'ANY', '/any')).route).toBe('any');
  });

  it('answers 404 for a known path with another method when 405 is off', async () => {
    expect((await serve(build(false), 'PUT', '/r')).status).toBe(404);
  });

  it('answers 405 with a sorted Allow header including implicit HEAD', async () => {
    const out = await serve(build(true), 'PUT', '/r');
    expect(out.status).toBe(405);
    expect(out.allow).toBe('GET, HEAD, POST');
    expect(JSON.parse(out.body).error).toMatchObject({ code: 'METHOD_NOT_ALLOWED', type: 'method_not_allowed' });
  });

  it('answers 405 without HEAD when there is no GET', async () => {
    expect((await serve(build(true), 'GET', '/only-delete')).allow).toBe('DELETE');
  });

  it('keeps 404 for unknown paths when 405 is on', async () => {
    expect((await serve(build(true), 'PUT', '/unknown')).status).toBe(404);
  });

  it('lists allowed methods for tools', () => {
    expect(build(false).allowedMethods('/r')).toEqual(['GET', 'HEAD', 'POST']);
  });
});

describe('registration errors', () => {
  it.each([
    { title: 'param name clash', first: '/user/:id', second: '/user/:name', code: 'ROUTER_PARAM_CONFLICT' },
    { title: 'wildcard name clash', first: '/f/*a', second: '/f/*b', code: 'ROUTER_PARAM_CONFLICT' },
    { title: 'duplicate static route', first: '/x', second: '/x/', code: 'ROUTER_DUPLICATE_ROUTE' },
    { title: 'duplicate param route', first: '/u/:id', second: '/u/:id', code: 'ROUTER_DUPLICATE_ROUTE' },
    { title: 'duplicate wildcard route', first: '/f/*a', second: '/f/*a', code: 'ROUTER_DUPLICATE_ROUTE' },
  ])('rejects $title', ({ first, second, code }) => {
    const router = new Router();
    router.get(first, ok);
    expect(() => router.get(second, ok)).toThrow(expect.objectContaining({ code }));
  });

  it.each([
    { title: 'relative path', path: 'x' },
    { title: 'empty internal segment', path: '/a//b' },
    { title: 'empty param name', path: '/a/:' },
    { title: 'non-identifier param', path: '/a/:1x' },
    { title: 'non-terminal wildcard', path: '/a/*rest/b' },
    { title: 'repeated param', path: '/a/:id/b/:id' },
  ])('rejects bad pattern: $title', ({ path }) => {
    expect(() => new Router().get(path, ok)).toThrow(expect.objectContaining({ code: 'ROUTER_INVALID_PATTERN' }));
  });

  it('rejects a bad method, a missing handler and a duplicate name', () => {
    const router = new Router();
    expect(() => router.addRoute('GE T', '/', ok)).toThrow(expect.objectContaining({ code: 'ROUTER_INVALID_METHOD' }));
    expect(() => router.get('/', undefined as unknown as Handler)).toThrow(
      expect.objectContaining({ code: 'ROUTER_INVALID_HANDLER' }),
    );
    router.get('/a', ok, { name: 'a' });
    expect(() => router.get('/b', ok, { name: 'a' })).toThrow(
      expect.objectContaining({ code: 'ROUTER_DUPLICATE_NAME' }),
    );
  });

  it('allows the same path under different methods and different param positions', () => {
    const router = new Router();
    router.get('/u/:id', ok);
    router.post('/u/:other', ok);
    expect(router.routes()).toHaveLength(2);
  });

  it('freezes: registration after freeze throws, serving freezes lazily', async () => {
    const router = new Router();
    router.get('/', ok);
    await serve(router, 'GET', '/');
    expect(router.frozen).toBe(true);
    expect(() => router.get('/late', ok)).toThrow(RouterError);
    expect(() => router.group('/g')).toThrow(expect.objectContaining({ code: 'ROUTER_FROZEN' }));
  });
});

describe('groups', () => {
  const trail: Middleware = (next) => (w, r) => {
    w.appendHeader('x-trail', 'outer');
    return next(w, r);
  };
  const inner: Middleware = (next) => (w, r) => {
    w.appendHeader('x-trail', 'inner');
    return next(w, r);
  };
  const route: Middleware = (next) => (w, r) => {
    w.appendHeader('x-trail', 'route');
    return next(w, r);
  };

  it('applies prefixes and group middleware outer to inner, then route middleware', async () => {
    const router = new Router();
    const api = router.group('/api', trail);
    api.get('/ping', ok);
    const v1 = api.group('/v1/');
    v1.get('/items/:id', ok, { middleware: [route] });
    v1.use(inner); // added after the route: still applies
    router.get('/plain', ok);
    const w = new BufferedResponseWriter();
    await router.handler(w, createRequest({ url: '/api/v1/items/3' }));
    expect(w.getHeaderList()).toEqual(['x-trail', 'outer', 'x-trail', 'inner', 'x-trail', 'route']);
    const plain = new BufferedResponseWriter();
    await router.handler(plain, createRequest({ url: '/plain' }));
    expect(plain.getHeader('x-trail')).toBeUndefined();
    expect(router.routes().map((x) => `${x.method} ${x.path}`)).toEqual([
      'GET /api/ping',
      'GET /api/v1/items/:id',
      'GET /plain',
    ]);
  });

  it('rejects a relative group prefix', () => {
    expect(() => new Router().group('api')).toThrow(expect.objectContaining({ code: 'ROUTER_INVALID_PATTERN' }));
  });

  it('registers the group root path as the prefix itself', () => {
    const router = new Router();
    router.group('/api').get('/', ok);
    expect(router.routes()[0]!.path).toBe('/api');
  });
});

describe('route middleware in the route list', () => {
  it("names group middleware outermost first, then the route's own, including middleware added to a group later", () => {
    const router = new Router();
    const auth: Middleware = (next) => next;
    const audit: Middleware = (next) => next;
    const api = router.group('/api', auth);
    api.get('/items', () => undefined, { middleware: [audit, (next) => next] });
    const v1 = api.group('/v1');
    v1.get('/x', () => undefined);
    v1.use(audit);
    const list = router.routes();
    expect(list.map((r) => [r.path, r.middleware])).toEqual([
      ['/api/items', ['auth', 'audit', 'anonymous']],
      ['/api/v1/x', ['auth', 'audit']],
    ]);
    expect(router.match('GET', '/api/items')?.route.middleware).toBeUndefined();
  });
});

describe('reverse routing', () => {
  const router = new Router();
  router.get('/users/:id', ok, { name: 'user', tags: ['users'] });
  router.get('/files/*path', ok, { name: 'file' });
  router.get('/', ok, { name: 'home' });

  it.each([
    { name: 'user', params: { id: '42' }, url: '/users/42' },
    { name: 'user', params: { id: 'a b/c?' }, url: '/users/a%20b%2Fc%3F' },
    { name: 'user', params: { id: 7 }, url: '/users/7' },
    { name: 'file', params: { path: 'dir/a b.txt' }, url: '/files/dir/a%20b.txt' },
    { name: 'home', params: {}, url: '/' },
  ])('$name $params → $url', ({ name, params, url }) => {
    expect(router.url(name, params)).toBe(url);
  });

  it('round-trips an escaped url through the matcher', () => {
    const url = router.url('user', { id: 'x/y z' });
    expect(url).toBe('/users/x%2Fy%20z');
    expect(router.match('GET', url)?.params).toEqual({ id: 'x/y z' });
  });

  it.each([
    { value: 'a//b', url: '/files/a%2F%2Fb' },
    { value: '/lead', url: '/files/%2Flead' },
    { value: 'trail/', url: '/files/trail%2F' },
    { value: 'a/../b', url: '/files/a%2F..%2Fb' },
  ])('encodes every slash of a wildcard value $value that has an empty or dot segment', ({ value, url }) => {
    expect(router.url('file', { path: value })).toBe(url);
    expect(router.match('GET', url)?.params).toEqual({ path: value });
  });

  it.each([
    { title: 'a dot param', name: 'user', params: { id: '.' } },
    { title: 'a dot-dot param', name: 'user', params: { id: '..' } },
    { title: 'a dot-dot wildcard', name: 'file', params: { path: '..' } },
    { title: 'an unpaired surrogate', name: 'user', params: { id: 'a\uD800' } },
    { title: 'an unpaired low surrogate in a wildcard', name: 'file', params: { path: 'x/\uDC00' } },
  ])('refuses $title that no request could carry', ({ name, params }) => {
    expect(() => router.url(name, params)).toThrow(expect.objectContaining({ code: 'ROUTER_MISSING_PARAM' }));
  });

  it('does not echo a refused parameter value in the error', () => {
    expect(() => router.url('user', { id: 'hunter2-secret\uD800' })).toThrow(
      expect.objectContaining({ code: 'ROUTER_MISSING_PARAM', message: expect.not.stringContaining('hunter2') }),
    );
  });

  it.each([
    { title: 'unknown route', name: 'nope', params: {}, code: 'ROUTER_UNKNOWN_ROUTE' },
    { title: 'missing param', name: 'user', params: {}, code: 'ROUTER_MISSING_PARAM' },
    { title: 'empty param', name: 'user', params: { id: '' }, code: 'ROUTER_MISSING_PARAM' },
    { title: 'unknown key', name: 'user', params: { id: '1', extra: 'x' }, code: 'ROUTER_UNKNOWN_PARAM' },
  ])('rejects $title', ({ name, params, code }) => {
    expect(() => router.url(name, params)).toThrow(expect.objectContaining({ code }));
  });

  it('lists routes with names, tags and params', () => {
    expect(router.routes()[0]).toEqual({
      method: 'GET',
      path: '/users/:id',
      name: 'user',
      tags: ['users'],
      paramNames: ['id'],
      middleware: [],
    });
    expect(router.hasRoute('file')).toBe(true);
  });
});

describe('route state for outer middleware', () => {
  it('is visible on the original request after next returns, including on misses', async () => {
    const router = new Router();
    router.get('/users/:id', ok, { name: 'user' });
    const r = createRequest({ url: '/users/5' });
    await router.handler(new BufferedResponseWriter(), r.withContext(r.ctx.withRequestId('x')));
    expect([r.state.routePattern, r.state.routeName, r.param('id')]).toEqual(['/users/:id', 'user', '5']);
    const miss = createRequest({ url: '/nope' });
    await router.handler(new BufferedResponseWriter(), miss);
    expect(miss.state.routePattern).toBe('');
  });

  it('uses a custom notFound handler', async () => {
    const router = new Router({ notFound: (w) => w.end('custom') });
    expect((await serve(router, 'GET', '/x')).body).toBe('custom');
  });
});
