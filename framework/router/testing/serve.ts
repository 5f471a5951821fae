// Test harness shared by the router's test files: a handler that echoes its route and params, and
// one request through a router into a buffered writer.
import { BufferedResponseWriter, createRequest, type Handler } from 'plumego/contract';
import type { Router } from '../router.ts';

export function mark(label: string): Handler {
  return (w, r) => {
    w.setHeader('x-route', label);
    w.end(JSON.stringify(Object.fromEntries(r.state.paramNames.map((n) => [n, r.param(n)]))));
  };
}

export async function serve(router: Router, method: string, url: string) {
  const w = new BufferedResponseWriter();
  await router.handler(w, createRequest({ method, url }));
  const body = w.getBody().toString();
  return {
    status: w.status,
    route: w.getHeader('x-route'),
    allow: w.getHeader('allow'),
    type: w.getHeader('content-type'),
    body,
  };
}
