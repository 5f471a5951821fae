import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { writeResponse } from 'plumego/contract';
import { fromNodeMiddleware, recovery, timeout } from 'plumego/middleware';
import { createApp, type App } from './app.ts';

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

async function listenExpress(ex: express.Express): Promise<number> {
  const server: Server = await new Promise((resolve) => {
    const s = ex.listen(0, '127.0.0.1', () => resolve(s));
  });
  closers.push(() => new Promise((r) => server.close(r)));
  return (server.address() as AddressInfo).port;
}

async function listenApp(app: App): Promise<number> {
  const { port } = await app.listen(0, '127.0.0.1');
  closers.push(() => app.shutdown({ timeoutMs: 100 }));
  return port;
}

describe('a Plumego app mounted inside express 5', () => {
  it('serves Plumego routes under the mount path next to express routes', async () => {
    const app = createApp();
    app.get('/users/:id', (w, r) => writeResponse(w, r, 200, { id: r.param('id'), path: r.path }));
    const ex = express();
    ex.get('/native', (_req, res) => {
      res.json({ from: 'express' });
    });
    ex.use('/api', app.listener);
    const port = await listenExpress(ex);
    const mounted = await fetch(`http://127.0.0.1:${port}/api/users/7`);
    expect(mounted.status).toBe(200);
    expect(await mounted.json()).toEqual({ data: { id: '7', path: '/users/7' } });
    expect(await (await fetch(`http://127.0.0.1:${port}/native`)).json()).toEqual({ from: 'express' });
    const miss = await fetch(`http://127.0.0.1:${port}/api/nope`);
    expect(miss.status).toBe(404);
    expect(((await miss.json()) as { error: { code: string } }).error.code).toBe('ROUTE_NOT_FOUND');
  });
});

describe('express/connect middleware inside Plumego', () => {
  it('runs express.json() and lets the handler read what it parsed', async () => {
    const app = createApp();
    app.use(fromNodeMiddleware(express.json()));
    app.post('/echo', (w, r) => writeResponse(w, r, 200, (r.raw as unknown as { body: unknown }).body));
    const port = await listenApp(app);
    const res = await fetch(`http://127.0.0.1:${port}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":[1,2]}',
    });
    expect(await res.json()).toEqual({ data: { a: [1, 2] } });
  });

  it('keeps headers set on res, lets a middleware answer by itself, and maps next(err) to the envelope', async () => {
    const app = createApp();
    app.use(recovery());
    app.use(
      fromNodeMiddleware((_req, res, next) => {
        res.setHeader('x-powered-by-connect', 'yes');
        next();
      }),
    );
    app.use(
      fromNodeMiddleware((req, res, next) => {
        if (req.url === '/deny') {
          res.statusCode = 401;
          res.end('denied');
          return;
        }
        if (req.url === '/fail') {
          next(new Error('connect failure'));
          return;
        }
        next();
      }),
    );
    app.get('/ok', (w, r) => writeResponse(w, r, 200, 'fine'));
    app.get('/deny', (w, r) => writeResponse(w, r, 200, 'unreachable'));
    app.get('/fail', (w, r) => writeResponse(w, r, 200, 'unreachable'));
    const port = await listenApp(app);
    const ok = await fetch(`http://127.0.0.1:${port}/ok`);
    expect([ok.status, ok.headers.get('x-powered-by-connect'), await ok.text()]).toEqual([
      200,
      'yes',
      '{"data":"fine"}\n',
    ]);
    const deny = await fetch(`http://127.0.0.1:${port}/deny`);
    expect([deny.status, await deny.text()]).toEqual([401, 'denied']);
    const fail = await fetch(`http://127.0.0.1:${port}/fail`);
    expect(fail.status).toBe(500);
    expect(((await fail.json()) as { error: { code: string } }).error.code).toBe('INTERNAL_ERROR');
  });

  it('still times out when the express middleware sits under the buffering timeout middleware', async () => {
    const app = createApp();
    app.use(recovery(), timeout({ timeoutMs: 40 }));
    let lateEnded = false;
    app.use(
      fromNodeMiddleware((req, res, next) => {
        res.setHeader('x-from-connect', '1');
        if (req.url === '/slow') {
          setTimeout(() => {
            res.end('too late');
            lateEnded = true;
          }, 120);
          return;
        }
        next();
      }),
    );
    app.get('/fast', (w, r) => writeResponse(w, r, 200, 'fast'));
    app.get('/slow', (w, r) => writeResponse(w, r, 200, 'unreachable'));
    const port = await listenApp(app);
    const fast = await fetch(`http://127.0.0.1:${port}/fast`);
    expect([fast.status, fast.headers.get('x-from-connect')]).toEqual([200, '1']);
    const slow = await fetch(`http://127.0.0.1:${port}/slow`);
    expect(slow.status).toBe(504);
    expect(await slow.text()).toContain('GATEWAY_TIMEOUT');
    await new Promise((r) => setTimeout(r, 150));
    expect(lateEnded).toBe(true); // the late end went into the abandoned buffer, not the socket
  });

  it('refuses to run without a socket request', async () => {
    const app = createApp();
    app.use(
      recovery(),
      fromNodeMiddleware((_req, _res, next) => next()),
    );
    app.get('/', (w, r) => writeResponse(w, r, 200, 'x'));
    expect((await app.request('/')).status).toBe(500);
  });
});
