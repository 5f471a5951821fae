import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from 'plumego/core';
import { createFrontend } from './frontend.ts';

/*
 * Differential test against `send` (via express.static), the library a Node developer would reach for:
 * for the same files and the same conditional/partial requests, x/frontend must give the same status and
 * the same bytes. Each server's own validators are used for its conditional requests.
 */

// express.static runs in a plain child Node process: inside vitest, the resolution conditions of the
// config make express's router load the ESM build of `is-promise` and fail every request.
const SEND_SERVER = `
import express from 'express';
const app = express();
app.use(express.static(process.argv[1], { fallthrough: false }));
const server = app.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

function call(port: number, method: string, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ port, host: '127.0.0.1', method, path, headers }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

let dir: string;
let plumegoPort: number;
let sendPort: number;
let sendChild: ChildProcess | undefined;
const app = createApp();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'plumego-send-parity-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'robots.txt'), 'User-agent: *\nDisallow: /private\n');
  writeFileSync(join(dir, 'assets', 'data.json'), JSON.stringify({ items: Array.from({ length: 50 }, (_, i) => i) }));
  writeFileSync(join(dir, '.env'), 'SECRET=1');
  createFrontend({ dir, fallback: false, precompressed: false }).register(app);
  plumegoPort = ((await app.listen(0, '127.0.0.1')) as AddressInfo).port;
  const child = spawn(process.execPath, ['--input-type=module', '-e', SEND_SERVER, dir], {
    cwd: process.cwd(),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  sendChild = child;
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  sendPort = Number(line.toString().trim());
});

afterAll(async () => {
  await app.shutdown();
  sendChild?.kill();
  rmSync(dir, { recursive: true, force: true });
});

type Case = { title: string; method?: string; path: string; headers?: (v: Reply) => Record<string, string> };
const CASES: Case[] = [
  { title: 'a plain GET', path: '/robots.txt' },
  { title: 'HEAD', method: 'HEAD', path: '/robots.txt' },
  { title: 'a byte range', path: '/robots.txt', headers: () => ({ range: 'bytes=0-9' }) },
  { title: 'an open-ended range', path: '/assets/data.json', headers: () => ({ range: 'bytes=100-' }) },
  { title: 'a suffix range', path: '/assets/data.json', headers: () => ({ range: 'bytes=-12' }) },
  { title: 'a range past the end', path: '/robots.txt', headers: () => ({ range: 'bytes=5000-' }) },
  { title: 'a range ending past the end', path: '/robots.txt', headers: () => ({ range: 'bytes=30-9999' }) },
  { title: 'a malformed range', path: '/robots.txt', headers: () => ({ range: 'lines=1-2' }) },
  {
    title: 'If-None-Match with the current ETag',
    path: '/robots.txt',
    headers: (v) => ({ 'if-none-match': String(v.headers['etag']) }),
  },
  { title: 'If-None-Match with another ETag', path: '/robots.txt', headers: () => ({ 'if-none-match': '"nope"' }) },
  {
    title: 'If-Modified-Since at Last-Modified',
    path: '/robots.txt',
    headers: (v) => ({ 'if-modified-since': String(v.headers['last-modified']) }),
  },
  {
    title: 'If-Modified-Since in the past',
    path: '/robots.txt',
    headers: () => ({ 'if-modified-since': 'Mon, 01 Jan 2001 00:00:00 GMT' }),
  },
  {
    title: 'If-Range with a stale date',
    path: '/robots.txt',
    headers: () => ({ range: 'bytes=0-3', 'if-range': 'Mon, 01 Jan 2001 00:00:00 GMT' }),
  },
  {
    title: 'If-Range with the current date',
    path: '/robots.txt',
    headers: (v) => ({ range: 'bytes=0-3', 'if-range': String(v.headers['last-modified']) }),
  },
  { title: 'a missing file', path: '/missing.txt' },
  { title: 'a dotfile', path: '/.env' },
];

describe('x/frontend matches send (express.static) on conditional and partial GET', () => {
  it.each(CASES)('$title', async ({ method = 'GET', path, headers }) => {
    const [pFirst, sFirst] = await Promise.all([call(plumegoPort, 'GET', path), call(sendPort, 'GET', path)]);
    const [p, s] = await Promise.all([
      call(plumegoPort, method, path, headers?.(pFirst) ?? {}),
      call(sendPort, method, path, headers?.(sFirst) ?? {}),
    ]);
    expect(p.status).toBe(s.status);
    if (s.status < 400) {
      expect(p.body).toBe(s.body);
      // On 304 send drops Content-Length; x/frontend keeps the 200's value, which RFC 9110 §8.6 allows.
      if (s.status !== 304) expect(p.headers['content-length']).toBe(s.headers['content-length']);
      expect(p.headers['content-range']).toBe(s.headers['content-range']);
    }
  });

  it('uses the same weak ETag and Last-Modified as send', async () => {
    const [p, s] = await Promise.all([call(plumegoPort, 'GET', '/robots.txt'), call(sendPort, 'GET', '/robots.txt')]);
    expect(p.headers['etag']).toBe(s.headers['etag']);
    expect(p.headers['last-modified']).toBe(s.headers['last-modified']);
    expect(p.headers['accept-ranges']).toBe(s.headers['accept-ranges']);
  });
});
