import { describe, expect, it } from 'vitest';
import {
  BufferedResponseWriter,
  ClientDisconnectedError,
  composeMiddleware,
  createRequest,
  type Handler,
} from 'plumego/contract';
import type { HTTPObserver } from 'plumego/metrics';
import { httpMetrics } from './http-metrics.ts';

function recorder() {
  const seen: unknown[][] = [];
  const observer: HTTPObserver = { observeHTTP: (...args) => void seen.push(args) };
  return { seen, observer };
}

const routed =
  (h: Handler): Handler =>
  (w, r) => {
    r.state.routePattern = '/users/:id';
    return h(w, r);
  };

describe('httpMetrics', () => {
  it('observes method, route pattern (not the raw path), status and bytes', async () => {
    const { seen, observer } = recorder();
    await composeMiddleware(
      [httpMetrics(observer)],
      routed((w) => w.end('abc')),
    )(new BufferedResponseWriter(), createRequest({ url: '/users/123' }));
    expect(seen).toHaveLength(1);
    expect(seen[0]!.slice(0, 4)).toEqual(['GET', '/users/:id', 200, 3]);
    expect(typeof seen[0]![4]).toBe('number');
  });

  it('observes a failing handler as 500 and re-throws', async () => {
    const { seen, observer } = recorder();
    const h = composeMiddleware([httpMetrics(observer)], async () => {
      throw new Error('x');
    });
    await expect(h(new BufferedResponseWriter(), createRequest({ url: '/' }))).rejects.toThrow('x');
    expect(seen[0]!.slice(0, 3)).toEqual(['GET', '', 500]);
  });

  it('counts a client that went away before the answer as 499, not 500', async () => {
    const { seen, observer } = recorder();
    const h = composeMiddleware([httpMetrics(observer)], async () => {
      throw new ClientDisconnectedError();
    });
    await expect(h(new BufferedResponseWriter(), createRequest({ url: '/' }))).rejects.toThrow(ClientDisconnectedError);
    expect(seen[0]!.slice(0, 3)).toEqual(['GET', '', 499]);
  });

  it('survives a throwing observer', async () => {
    const w = new BufferedResponseWriter();
    const broken: HTTPObserver = {
      observeHTTP: () => {
        throw new Error('metrics down');
      },
    };
    await composeMiddleware([httpMetrics(broken)], (w2) => w2.end('ok'))(w, createRequest({ url: '/' }));
    expect(w.getBody().toString()).toBe('ok');
  });
});
