import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BufferedResponseWriter, createRequest, type Handler } from 'plumego/contract';
import { hasDotSegment, isWellEncoded, normalizeRequestPath } from './path.ts';
import { Router } from './router.ts';

// A reference model written independently of the trie: it enumerates every route, so it shares no
// code (and no bugs) with the matcher. The router must agree with it on every request.

type Kind = 0 | 1 | 2; // static, param, wildcard: the precedence order
interface ModelRoute {
  method: string;
  pattern: string;
  segs: string[];
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'ANY'] as const;
const REQUEST_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'] as const;
const STATICS = ['a', 'b', 'é', 'a b'];

/** True unless `s` holds an unpaired surrogate (String#isWellFormed is ES2024, beyond our lib). */
function wellFormed(s: string): boolean {
  try {
    encodeURIComponent(s);
    return true;
  } catch {
    return false;
  }
}

/** Percent-decodes with a fatal UTF-8 decoder; undefined when malformed. */
function refDecode(s: string): string | undefined {
  const bytes: number[] = [];
  for (let i = 0; i < s.length;) {
    if (s[i] === '%') {
      const hex = s.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return undefined;
      bytes.push(parseInt(hex, 16));
      i += 3;
    } else {
      const cp = s.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      bytes.push(...new TextEncoder().encode(ch));
      i += ch.length;
    }
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(new Uint8Array(bytes));
  } catch {
    return undefined;
  }
}

/** The request's decoded segments, or 'bad' (400). Mirrors the README's request-side rules. */
function refSegments(target: string): string[] | 'bad' {
  let p = target.split(/[?#]/)[0]!;
  if (!p.startsWith('/')) return 'bad';
  p = p.replace(/^\/+/, '/').replace(/(.)\/+$/, '$1');
  if (p === '/') return [];
  const raw = p.slice(1).split('/');
  const out: string[] = [];
  for (const r of raw) {
    const d = refDecode(r);
    if (d === undefined) return 'bad';
    if (/^(\.|%2e){1,2}$/i.test(r)) return 'bad';
    out.push(d);
  }
  return out;
}

function refMatch(route: ModelRoute, segs: string[]): { kinds: Kind[]; params: Record<string, string> } | undefined {
  const kinds: Kind[] = [];
  const params: Record<string, string> = {};
  for (let i = 0; i < route.segs.length; i++) {
    const s = route.segs[i]!;
    if (s.startsWith('*')) {
      if (i >= segs.length || segs[i] === '') return undefined;
      params[s.slice(1)] = segs.slice(i).join('/');
      kinds.push(2);
      return { kinds, params };
    }
    if (i >= segs.length) return undefined;
    if (s.startsWith(':')) {
      if (segs[i] === '') return undefined;
      params[s.slice(1)] = segs[i]!;
      kinds.push(1);
    } else {
      if (segs[i] !== s) return undefined;
      kinds.push(0);
    }
  }
  return route.segs.length === segs.length ? { kinds, params } : undefined;
}

function methodRank(routeMethod: string, method: string): number {
  if (routeMethod === method) return 0;
  if (method === 'HEAD' && routeMethod === 'GET') return 1;
  if (routeMethod === 'ANY') return 2;
  return -1;
}

function compareKinds(a: Kind[], b: Kind[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function refFind(routes: ModelRoute[], method: string, segs: string[]) {
  let best: { route: ModelRoute; kinds: Kind[]; rank: number; params: Record<string, string> } | undefined;
  for (const route of routes) {
    const rank = methodRank(route.method, method);
    if (rank < 0) continue;
    const m = refMatch(route, segs);
    if (m === undefined) continue;
    const c = best === undefined ? -1 : compareKinds(m.kinds, best.kinds) || rank - best.rank;
    if (c < 0) best = { route, kinds: m.kinds, rank, params: m.params };
  }
  return best;
}

function refAllowed(routes: ModelRoute[], segs: string[]): string[] {
  const out = new Set<string>();
  for (const r of routes) {
    if (r.method === 'ANY' || refMatch(r, segs) === undefined) continue;
    out.add(r.method);
    if (r.method === 'GET') out.add('HEAD');
  }
  return [...out].sort();
}

// Patterns: statics from a small alphabet so that requests collide with them often; parameter
// names depend on the position only, so no two patterns clash on a name.
const segmentArb = (i: number) => fc.constantFrom<string>(...STATICS, `:p${i}`, '*w');
const patternArb = fc.integer({ min: 0, max: 3 }).chain((n) =>
  fc.tuple(...Array.from({ length: n }, (_, i) => segmentArb(i))).map((segs) => {
    const cut = segs.findIndex((s) => s.startsWith('*'));
    return cut < 0 ? segs : segs.slice(0, cut + 1);
  }),
);
const routesArb = fc.uniqueArray(fc.tuple(fc.constantFrom(...METHODS), patternArb), {
  maxLength: 12,
  selector: ([m, segs]) => `${m} /${segs.join('/')}`,
});
// Mostly routable segments (raw and encoded spellings of the statics), some that must be refused.
const requestSegmentArb = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.constantFrom('a', 'b', 'é', '%C3%A9', 'a%20b', 'a b', '%61', 'x', 'a%2Fb', '%2F', '', '.a'),
  },
  { weight: 1, arbitrary: fc.constantFrom('%', '..', '%2e', '%zz', '%C3') },
);
const targetArb = fc
  .tuple(
    fc.array(requestSegmentArb, { maxLength: 5 }),
    fc.constantFrom('', '/', '//'),
    fc.constantFrom('/', '//', '///'),
    fc.constantFrom('', '?q=1', '#frag', '?q#f'),
  )
  .map(([segs, trail, lead, tail]) => (segs.length === 0 ? lead : lead + segs.join('/') + trail) + tail);

function build(routes: [string, string[]][]): { router: Router; model: ModelRoute[] } {
  const router = new Router({ methodNotAllowed: true });
  const model: ModelRoute[] = [];
  for (const [method, segs] of routes) {
    const pattern = '/' + segs.join('/');
    const h: Handler = (w) => w.end(`${method} ${pattern}`);
    router.addRoute(method, pattern, h);
    model.push({ method, pattern, segs });
  }
  return { router, model };
}

describe('router against a reference model (property)', () => {
  it('match(), allowedMethods() and dispatch agree with the model on every request', async () => {
    await fc.assert(
      fc.asyncProperty(routesArb, fc.constantFrom(...REQUEST_METHODS), targetArb, async (routes, method, target) => {
        const { router, model } = build(routes);
        const segs = refSegments(target);
        const got = router.match(method, target);
        const w = new BufferedResponseWriter();
        await router.handler(w, createRequest({ method, url: target }));
        if (segs === 'bad') {
          expect(got).toBeUndefined();
          expect(w.status).toBe(400);
          return;
        }
        const want = refFind(model, method, segs);
        if (want === undefined) {
          expect(got).toBeUndefined();
          const allowed = refAllowed(model, segs);
          expect(router.allowedMethods(target)).toEqual(allowed);
          expect(w.status).toBe(allowed.length > 0 ? 405 : 404);
          if (allowed.length > 0) expect(w.getHeader('allow')).toBe(allowed.join(', '));
          return;
        }
        expect(got?.route.method).toBe(want.route.method);
        expect(got?.route.path).toBe(want.route.pattern);
        expect({ ...got?.params }).toEqual(want.params);
        expect(w.status).toBe(200);
        expect(w.getBody().toString()).toBe(`${want.route.method} ${want.route.pattern}`);
      }),
      { numRuns: 600 },
    );
  });

  it('every listed route is reachable through its own example path', () => {
    fc.assert(
      fc.property(routesArb, (routes) => {
        const { router } = build(routes);
        for (const info of router.routes()) {
          const path = info.path.replace(/:p\d/g, 'zz').replace(/\*w/, 'zz/yy');
          const method = info.method === 'ANY' ? 'DELETE' : info.method;
          // The example can only be shadowed by a route of equal or higher precedence that also serves the method.
          const hit = router.match(method, path);
          expect(hit).toBeDefined();
          if (info.method !== 'ANY') expect(router.allowedMethods(path)).toContain(info.method);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('no input makes the router throw (property)', () => {
  const router = new Router({ methodNotAllowed: true });
  router.get('/', (w) => w.end('root'));
  router.get('/users/:id', (w) => w.end('user'));
  router.post('/users/:id/posts/:post', (w) => w.end('post'));
  router.any('/files/*path', (w) => w.end('files'));
  const urlish = fc.string({
    unit: fc.constantFrom('/', '%', '2', 'F', 'e', 'E', '.', 'a', '?', '#', 'é', 'C', '3', 'A', '9', ':', '*'),
    maxLength: 24,
  });
  const anything = fc.oneof(
    urlish,
    fc.string({ unit: 'binary', maxLength: 24 }),
    urlish.map((s) => '/' + s),
  );

  it('normalizeRequestPath, match and allowedMethods never throw', () => {
    fc.assert(
      fc.property(anything, fc.string({ maxLength: 8 }), (target, method) => {
        normalizeRequestPath(target);
        router.match(method, target);
        router.allowedMethods(target);
      }),
      { numRuns: 2000 },
    );
  });

  it('dispatch answers 200, 400, 404 or 405 for any path', async () => {
    await fc.assert(
      fc.asyncProperty(
        urlish.map((s) => '/' + s),
        fc.constantFrom('GET', 'HEAD', 'PUT', 'DELETE'),
        async (target, method) => {
          const w = new BufferedResponseWriter();
          const r = createRequest({ method, url: 'http://h' });
          // createRequest resolves dot segments of absolute URLs; set the target verbatim instead.
          Object.defineProperty(r, 'path', { value: target });
          await router.handler(w, r);
          expect([200, 400, 404, 405]).toContain(w.status);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('the percent-decoder (property)', () => {
  const segmentText = fc.string({ unit: 'binary', minLength: 1, maxLength: 8 });

  it('accepts exactly the paths whose escapes are valid UTF-8 and that have no dot segment', () => {
    const raw = fc.string({
      unit: fc.constantFrom('%', 'C', '3', 'A', '9', 'F', 'f', 'E', 'e', '2', '8', '0', 'x', '.', '/'),
      maxLength: 16,
    });
    fc.assert(
      fc.property(raw, (s) => {
        const target = '/' + s;
        const out = normalizeRequestPath(target);
        expect(out === undefined).toBe(refSegments(target) === 'bad');
        if (out !== undefined) expect(normalizeRequestPath(out)).toBe(out); // idempotent
      }),
      { numRuns: 2000 },
    );
  });

  // Escapes of any byte in either hex case, beside raw characters: well-formed and malformed UTF-8 alike.
  const escaped = fc
    .array(
      fc.oneof(
        fc
          .integer({ min: 0, max: 255 })
          .chain((b) =>
            fc.constantFrom('%' + b.toString(16).padStart(2, '0'), '%' + b.toString(16).toUpperCase().padStart(2, '0')),
          ),
        fc.constantFrom('a', '/', '.', '%', '%2', '%g1', 'é', '%e2%82', '%AC'),
      ),
      { maxLength: 10 },
    )
    .map((parts) => '/' + parts.join(''));

  it('isWellEncoded accepts exactly what decodeURIComponent decodes', () => {
    fc.assert(
      fc.property(escaped, (p) => {
        let decodes = true;
        try {
          decodeURIComponent(p);
        } catch {
          decodes = false;
        }
        expect(isWellEncoded(p)).toBe(decodes);
      }),
      { numRuns: 5000 },
    );
  });

  it('hasDotSegment finds exactly the segments that decode to . or ..', () => {
    const seg = fc.string({ unit: fc.constantFrom('.', '%2e', '%2E', '%2f', 'a', '%', '2', 'e'), maxLength: 4 });
    fc.assert(
      fc.property(fc.array(seg, { minLength: 1, maxLength: 4 }), (segs) => {
        const want = segs.some((s) => /^(\.|%2e){1,2}$/i.test(s));
        expect(hasDotSegment('/' + segs.join('/'))).toBe(want);
      }),
      { numRuns: 3000 },
    );
  });

  it('a segment encoded with encodeURIComponent decodes back to itself, slashes included', () => {
    const router = new Router();
    router.get('/s/:v', (w) => w.end());
    fc.assert(
      fc.property(
        segmentText.filter((v) => v !== '.' && v !== '..' && wellFormed(v)),
        (v) => {
          expect(router.match('GET', '/s/' + encodeURIComponent(v))?.params['v']).toBe(v);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('url() then match() round-trips (property)', () => {
  const router = new Router();
  router.get('/users/:id', (w) => w.end(), { name: 'user' });
  router.get('/users/:id/files/*path', (w) => w.end(), { name: 'file' });
  router.get('/users/me', (w) => w.end(), { name: 'me' });
  const value = fc.oneof(
    fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }),
    fc.string({
      unit: fc.constantFrom('/', '%', '.', '..', 'a', 'é', '?', '#', ' ', '%2F', '\u0000'),
      minLength: 1,
      maxLength: 8,
    }),
  );
  const unroutable = (v: string) => v === '.' || v === '..' || !wellFormed(v);

  it('for any parameter value, or refuses it with ROUTER_MISSING_PARAM', () => {
    fc.assert(
      fc.property(value, value, (id, path) => {
        for (const [name, params] of [
          ['user', { id }],
          ['file', { id, path }],
        ] as const) {
          if (Object.values(params).some(unroutable)) {
            expect(() => router.url(name, params)).toThrow(expect.objectContaining({ code: 'ROUTER_MISSING_PARAM' }));
            continue;
          }
          const url = router.url(name, params);
          const m = router.match('GET', url);
          // `/users/me` is a more specific static route: the only value that may route elsewhere.
          if (name === 'user' && id === 'me') {
            expect(m?.route.name).toBe('me');
            continue;
          }
          expect(m?.route.name).toBe(name);
          expect({ ...m?.params }).toEqual(params);
        }
      }),
      { numRuns: 1500 },
    );
  });
});
