import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { BufferedResponseWriter, createRequestFromNode, type Handler } from 'plumego/contract';
import { Router, type RouterOptions } from './router.ts';

type Case = [request: string, expected: string | 404 | 400 | 405, extra?: Record<string, string> | string];
interface Group {
  name: string;
  note?: string;
  options?: RouterOptions;
  routes: string[];
  refuse?: [registration: string, code: string][];
  cases: Case[];
}

const { groups } = JSON.parse(readFileSync(new URL('./conformance-cases.json', import.meta.url), 'utf8')) as {
  groups: Group[];
};

function split(line: string): [string, string] {
  const i = line.indexOf(' ');
  return [line.slice(0, i), line.slice(i + 1)];
}

function build(group: Group): Router {
  const router = new Router(group.options ?? {});
  for (const line of group.routes) {
    const [method, pattern] = split(line);
    const label = `${method.toUpperCase()} ${pattern}`;
    const h: Handler = (w, r) => {
      w.setHeader('x-route', label);
      w.end(JSON.stringify(Object.fromEntries(r.state.paramNames.map((n) => [n, r.param(n)]))));
    };
    router.addRoute(method, pattern, h);
  }
  return router;
}

/** Dispatches the target verbatim, as Node hands it over (no URL parsing on the way). */
async function dispatch(router: Router, method: string, target: string) {
  const raw = Object.assign(Readable.from([]), { method, url: target, headers: {} }) as unknown as IncomingMessage;
  const w = new BufferedResponseWriter();
  await router.handler(w, createRequestFromNode(raw, undefined));
  return { status: w.status, route: w.getHeader('x-route'), allow: w.getHeader('allow'), body: w.getBody().toString() };
}

describe('router conformance table', () => {
  it('has several hundred cases', () => {
    expect(groups.reduce((n, g) => n + g.cases.length + (g.refuse?.length ?? 0), 0)).toBeGreaterThanOrEqual(300);
  });

  for (const group of groups) {
    describe(group.name, () => {
      const router = build(group);
      router.freeze();

      it.each(group.cases.map((c) => ({ req: c[0], want: c[1], extra: c[2] })))(
        '$req → $want',
        async ({ req, want, extra }) => {
          const [method, target] = split(req);
          const out = await dispatch(router, method, target);
          const m = router.match(method, target);
          if (typeof want === 'string') {
            expect(out.status).toBe(200);
            expect(out.route).toBe(want);
            expect(JSON.parse(out.body)).toEqual(extra);
            expect(`${m?.route.method} ${m?.route.path}`).toBe(want);
            expect({ ...m?.params }).toEqual(extra);
            return;
          }
          expect(out.status).toBe(want);
          expect(out.route).toBeUndefined();
          expect(m).toBeUndefined();
          if (want === 405) {
            expect(out.allow).toBe(extra);
            expect(router.allowedMethods(target).join(', ')).toBe(extra);
          }
          if (want === 400) expect(JSON.parse(out.body).error.code).toBe('BAD_REQUEST');
        },
      );

      if (group.refuse !== undefined) {
        it.each(group.refuse.map(([reg, code]) => ({ reg, code })))('refuses $reg with $code', ({ reg, code }) => {
          const fresh = build({ ...group, refuse: [], cases: [] });
          const [method, pattern] = split(reg);
          expect(() => fresh.addRoute(method, pattern, (w) => w.end())).toThrow(expect.objectContaining({ code }));
        });
      }
    });
  }
});
