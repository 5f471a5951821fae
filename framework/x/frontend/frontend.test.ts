import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeResponse } from 'plumego/contract';
import { createApp } from 'plumego/core';
import { isFrontendError } from './errors.ts';
import { createFrontend, type Frontend } from './frontend.ts';
import type { FrontendOptions } from './options.ts';

const INDEX = '<!doctype html><title>app</title>';
const APP_JS = 'console.log("hello from the app bundle");'.repeat(20);
let base: string;
let root: string;

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'plumego-frontend-'));
  root = join(base, 'dist');
  mkdirSync(join(root, 'assets'), { recursive: true });
  mkdirSync(join(root, 'docs'));
  writeFileSync(join(root, 'index.html'), INDEX);
  writeFileSync(join(root, 'assets', 'app-3f9a1c2b.js'), APP_JS);
  writeFileSync(join(root, 'assets', 'app-3f9a1c2b.js.br'), brotliCompressSync(APP_JS));
  writeFileSync(join(root, 'assets', 'app-3f9a1c2b.js.gz'), gzipSync(APP_JS));
  writeFileSync(join(root, 'robots.txt'), 'User-agent: *\n');
  writeFileSync(join(root, 'model.glb'), 'glTF');
  writeFileSync(join(root, 'docs', 'index.html'), '<h1>docs</h1>');
  writeFileSync(join(root, '404.html'), '<h1>missing</h1>');
  writeFileSync(join(root, '.env'), 'SECRET=1');
  writeFileSync(join(base, 'secret.txt'), 'outside the root');
  symlinkSync(join(base, 'secret.txt'), join(root, 'leak.txt'));
});

afterAll(() => rmSync(base, { recursive: true, force: true }));

function mount(options: Partial<FrontendOptions> = {}): { app: ReturnType<typeof createApp>; frontend: Frontend } {
  const app = createApp();
  app.get('/api/ping', (w, r) => writeResponse(w, r, 200, { pong: true }));
  const frontend = createFrontend({ dir: root, ...options });
  frontend.register(app);
  return { app, frontend };
}

const html = { accept: 'text/html,application/xhtml+xml' };

describe('x/frontend directory mount', () => {
  it('serves the index at / with the short index cache policy', async () => {
    const res = await mount().app.request('/', { headers: html });
    expect(res.status).toBe(200);
    expect(res.text()).toBe(INDEX);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('gives hashed assets the long immutable policy and plain ones a revalidating one', async () => {
    const { app } = mount();
    expect((await app.request('/assets/app-3f9a1c2b.js')).headers['cache-control']).toBe(
      'public, max-age=31536000, immutable',
    );
    expect((await app.request('/robots.txt')).headers['cache-control']).toBe('public, max-age=0, must-revalidate');
  });

  it('falls back to the index for client-side navigations only', async () => {
    const { app } = mount();
    const nav = await app.request('/settings/profile', { headers: html });
    expect(nav.status).toBe(200);
    expect(nav.text()).toBe(INDEX);
    expect(nav.headers['cache-control']).toBe('no-cache');
    // A missing asset (it has an extension) stays 404 even for a browser.
    expect((await app.request('/assets/missing-0a1b2c3d.js', { headers: html })).status).toBe(404);
    // An API-style request that accepts JSON only is not a navigation.
    expect((await app.request('/settings/profile', { headers: { accept: 'application/json' } })).status).toBe(404);
    // API routes registered on the app still win.
    expect((await app.request('/api/ping', { headers: html })).json()).toEqual({ data: { pong: true } });
  });

  it('can turn the fallback off', async () => {
    expect((await mount({ fallback: false }).app.request('/settings', { headers: html })).status).toBe(404);
  });

  it('serves a directory index and a custom 404 page', async () => {
    const { app } = mount({ notFoundPage: '404.html' });
    expect((await app.request('/docs/')).text()).toBe('<h1>docs</h1>');
    const bare = await app.request('/docs?tab=1');
    expect(bare.status).toBe(301);
    expect(bare.headers['location']).toBe('/docs/?tab=1');
    const miss = await app.request('/nope.css');
    expect(miss.status).toBe(404);
    expect(miss.text()).toBe('<h1>missing</h1>');
  });

  it('negotiates precompressed variants with Vary and per-variant ETags', async () => {
    const { app } = mount();
    const br = await app.request('/assets/app-3f9a1c2b.js', { headers: { 'accept-encoding': 'gzip, br' } });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['vary']).toBe('Accept-Encoding');
    expect(br.headers['content-type']).toBe('text/javascript; charset=utf-8');
    const gz = await app.request('/assets/app-3f9a1c2b.js', { headers: { 'accept-encoding': 'gzip, br;q=0' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toBe(APP_JS);
    const plain = await app.request('/assets/app-3f9a1c2b.js');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.text()).toBe(APP_JS);
    expect(new Set([br.headers['etag'], gz.headers['etag'], plain.headers['etag']]).size).toBe(3);
  });

  it('answers 406 when identity is refused and no variant exists', async () => {
    const res = await mount().app.request('/robots.txt', { headers: { 'accept-encoding': 'identity;q=0, br;q=0' } });
    expect(res.status).toBe(406);
    expect(res.json<{ error: { code: string } }>().error.code).toBe('NOT_ACCEPTABLE');
  });

  it('answers conditional GETs with 304 by ETag and by date', async () => {
    const { app } = mount();
    const first = await app.request('/robots.txt');
    const etag = String(first.headers['etag']);
    const byTag = await app.request('/robots.txt', { headers: { 'if-none-match': etag } });
    expect(byTag.status).toBe(304);
    expect(byTag.body.length).toBe(0);
    expect(byTag.headers['content-length']).toBe('14');
    expect(byTag.headers['content-type']).toBeUndefined();
    const byDate = await app.request('/robots.txt', {
      headers: { 'if-modified-since': String(first.headers['last-modified']) },
    });
    expect(byDate.status).toBe(304);
    const stale = await app.request('/robots.txt', {
      headers: { 'if-none-match': '"other"', 'if-modified-since': String(first.headers['last-modified']) },
    });
    expect(stale.status).toBe(200);
  });

  it('serves byte ranges, suffix ranges and 416 for unsatisfiable ones', async () => {
    const { app } = mount();
    const part = await app.request('/assets/app-3f9a1c2b.js', { headers: { range: 'bytes=0-6' } });
    expect(part.status).toBe(206);
    expect(part.text()).toBe('console');
    expect(part.headers['content-range']).toBe(`bytes 0-6/${APP_JS.length}`);
    expect(part.headers['content-length']).toBe('7');
    const tail = await app.request('/assets/app-3f9a1c2b.js', { headers: { range: 'bytes=-3' } });
    expect(tail.text()).toBe(APP_JS.slice(-3));
    const bad = await app.request('/robots.txt', { headers: { range: 'bytes=999-' } });
    expect(bad.status).toBe(416);
    expect(bad.headers['content-range']).toBe('bytes */14');
    // Multiple ranges are allowed to be ignored: the whole body comes back.
    expect((await app.request('/robots.txt', { headers: { range: 'bytes=0-1,3-4' } })).status).toBe(200);
  });

  it('ignores Range when If-Range no longer matches', async () => {
    const res = await mount().app.request('/robots.txt', { headers: { range: 'bytes=0-3', 'if-range': '"stale"' } });
    expect(res.status).toBe(200);
  });

  it('answers HEAD with headers and no body', async () => {
    const res = await mount().app.request('/robots.txt', { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers['content-length']).toBe('14');
    expect(res.body.length).toBe(0);
  });

  it('applies MIME overrides and extra headers', async () => {
    const { app } = mount({ mimeTypes: { '.glb': 'model/gltf-binary' }, headers: { 'X-Frame-Options': 'DENY' } });
    const res = await app.request('/model.glb');
    expect(res.headers['content-type']).toBe('model/gltf-binary');
    expect(res.headers['x-frame-options']).toBe('DENY');
  });

  it.each([
    ['/../secret.txt'],
    ['/%2e%2e/secret.txt'],
    ['/assets/%2e%2e/%2e%2e/secret.txt'],
    ['/..%5csecret.txt'],
    ['/%00index.html'],
    ['/%E0%A4%A'],
  ])('refuses traversal or malformed path %s', async (path) => {
    const res = await mount().app.request(path, { headers: html });
    expect([400, 404]).toContain(res.status);
    expect(res.text()).not.toContain('outside the root');
  });

  it('never issues a protocol-relative redirect', async () => {
    const res = await mount().app.request('//evil.example/../docs');
    expect(String(res.headers['location'] ?? '')).not.toMatch(/^\/\//);
    const direct = await createFrontend({ dir: root }).handler;
    const app = createApp();
    app.get('/*p', direct);
    const res2 = await app.request('//docs');
    // The router collapses the leading slashes, so this is the directory redirect for /docs.
    expect(res2.status).toBe(301);
    expect(res2.headers['location']).toBe('/docs/');
  });

  it('does not follow a symlink out of the root, nor serve dotfiles', async () => {
    const { app } = mount({ fallback: false });
    const leak = await app.request('/leak.txt');
    expect(leak.status).toBe(404);
    expect(leak.json<{ error: { code: string } }>().error.code).toBe('RESOURCE_NOT_FOUND');
    expect((await app.request('/.env')).status).toBe(404);
  });

  it('refuses traversal sent raw over a real socket', async () => {
    const { app } = mount();
    const { port } = (await app.listen(0, '127.0.0.1')) as AddressInfo;
    try {
      const raw = await new Promise<string>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () =>
          socket.end('GET /../secret.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
        );
        let out = '';
        socket.on('data', (d) => (out += d.toString()));
        socket.on('end', () => resolve(out));
        socket.on('error', reject);
      });
      expect(raw).toMatch(/^HTTP\/1\.1 (400|404)/);
      expect(raw).not.toContain('outside the root');
      const range = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        httpRequest(
          { port, host: '127.0.0.1', path: '/assets/app-3f9a1c2b.js', headers: { range: 'bytes=8-10' } },
          (res) => {
            let body = '';
            res.on('data', (d) => (body += d.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          },
        )
          .on('error', reject)
          .end();
      });
      expect(range).toEqual({ status: 206, body: 'log' });
    } finally {
      await app.shutdown();
    }
  });

  it('answers 405 with Allow to other methods when used as a plain handler', async () => {
    const app = createApp();
    app.any('/*filepath', createFrontend({ dir: root }).handler);
    const res = await app.request('/index.html', { method: 'POST' });
    expect(res.status).toBe(405);
    expect(res.headers['allow']).toBe('GET, HEAD');
  });
});

describe('x/frontend embedded assets and prefix', () => {
  it('serves an in-memory map under a prefix with strong ETags and SPA fallback', async () => {
    const app = createApp();
    createFrontend({
      prefix: '/app/',
      assets: {
        'index.html': INDEX,
        'assets/main-A1b2C3d4.css': 'body{}',
        'assets/main-A1b2C3d4.css.gz': gzipSync('body{}'),
      },
    }).register(app);
    const css = await app.request('/app/assets/main-A1b2C3d4.css');
    expect(css.text()).toBe('body{}');
    expect(css.headers['etag']).toMatch(/^"[\w-]+"$/);
    expect(css.headers['cache-control']).toContain('immutable');
    expect(
      (await app.request('/app/assets/main-A1b2C3d4.css', { headers: { 'accept-encoding': 'gzip' } })).headers[
        'content-encoding'
      ],
    ).toBe('gzip');
    expect((await app.request('/app', { headers: html })).text()).toBe(INDEX);
    expect((await app.request('/app/deep/link', { headers: html })).text()).toBe(INDEX);
    expect((await app.request('/app/assets/main-A1b2C3d4.css', { headers: { range: 'bytes=1-3' } })).text()).toBe(
      'ody',
    );
    expect((await app.request('/other', { headers: html })).status).toBe(404);
  });
});

describe('x/frontend options', () => {
  it.each([
    { title: 'neither dir nor assets', options: {} },
    { title: 'both dir and assets', options: { dir: '/tmp', assets: {} } },
    { title: 'a missing root', options: { dir: '/definitely/not/here' } },
    { title: 'a header value with CRLF', options: { assets: {}, headers: { 'x-a': 'ok\r\nSet-Cookie: evil=1' } } },
    { title: 'an invalid header name', options: { assets: {}, headers: { 'bad name': 'x' } } },
    { title: 'a relative prefix', options: { assets: {}, prefix: 'app' } },
    { title: 'a wildcard prefix', options: { assets: {}, prefix: '/app/*x' } },
    { title: 'an index outside the root', options: { assets: {}, index: '../index.html' } },
    { title: 'an embedded asset path with ..', options: { assets: { '../x.js': 'x' } } },
    { title: 'a MIME override with a line break', options: { assets: {}, mimeTypes: { '.x': 'text/plain\r\nx: y' } } },
  ])('refuses $title at construction', ({ options }) => {
    let error: unknown;
    try {
      createFrontend(options as FrontendOptions);
    } catch (e) {
      error = e;
    }
    expect(isFrontendError(error)).toBe(true);
  });
});
