import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The malformed-request corpus (issue 21): raw bytes a hostile or broken client can send, played
// over real sockets against the three reference services running as their own processes. For every case:
// no 5xx, every error response is the JSON envelope, no stack trace or internal detail in any
// byte sent back, and the process is alive and serving afterwards.

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dataDir = mkdtempSync(join(tmpdir(), 'plumego-corpus-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

interface Service {
  name: string;
  main: string;
  env: Record<string, string>;
  /** A JSON POST route that reads the body (guarded routes answer before reading, so one of each). */
  post: string;
  guardedPost: string;
  get: string;
  child?: ChildProcess;
  port?: number;
  lines: Record<string, unknown>[];
}

const services: Service[] = [
  {
    name: 'standard-service',
    main: 'reference/standard-service/main.ts',
    env: { APP_ENV_FILE: '', APP_MAX_BODY_BYTES: '4096' },
    post: '/api/v1/items',
    guardedPost: '/api/v1/items',
    get: '/api/v1/items/1',
    lines: [],
  },
  {
    name: 'production-service',
    main: 'reference/production-service/main.ts',
    env: {
      APP_DATA_DIR: join(dataDir, 'prod'),
      APP_RATE_LIMIT_RPS: '100000',
      APP_RATE_LIMIT_BURST: '100000',
      APP_MAX_BODY_BYTES: '4096',
    },
    post: '/api/v1/auth/token',
    guardedPost: '/api/v1/orders',
    get: '/api/v1/orders/1',
    lines: [],
  },
  {
    name: 'extensions-service',
    main: 'reference/extensions-service/main.ts',
    env: { APP_FILE_ROOT: join(dataDir, 'files'), APP_MAX_UPLOAD_BYTES: '4096' },
    post: '/api/v1/products',
    guardedPost: '/api/v1/products',
    get: '/api/v1/products/1',
    lines: [],
  },
];

async function startService(s: Service): Promise<void> {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', join(root, s.main)], {
    cwd: root,
    env: { ...process.env, APP_ADDR: '127.0.0.1:0', ...s.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  s.child = child;
  s.port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${s.name} did not start`)), 15_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      s.lines.push(entry);
      const m = entry['msg'] === 'server listening' ? /:(\d+)$/.exec(String(entry['addr'])) : null;
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => reject(new Error(`${s.name} exited with ${code}`)));
  });
}

interface Parsed {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Splits a byte stream into HTTP responses (content-length or chunked framing). */
function parseResponses(buf: Buffer): { responses: Parsed[]; rest: number } {
  const out: Parsed[] = [];
  let at = 0;
  while (at < buf.length) {
    const end = buf.indexOf('\r\n\r\n', at);
    if (end < 0) break;
    const [statusLine, ...lines] = buf.subarray(at, end).toString('latin1').split('\r\n');
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1] ?? -1);
    const headers: Record<string, string> = {};
    for (const l of lines) {
      const i = l.indexOf(':');
      if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
    }
    let bodyStart = end + 4;
    let body = '';
    if (status === 100) {
      at = bodyStart;
      continue;
    }
    if (headers['transfer-encoding'] === 'chunked') {
      const parts: Buffer[] = [];
      for (;;) {
        const lineEnd = buf.indexOf('\r\n', bodyStart);
        if (lineEnd < 0) break;
        const size = parseInt(buf.subarray(bodyStart, lineEnd).toString('latin1'), 16);
        bodyStart = lineEnd + 2;
        if (!(size > 0)) {
          bodyStart += 2;
          break;
        }
        parts.push(buf.subarray(bodyStart, bodyStart + size));
        bodyStart += size + 2;
      }
      body = Buffer.concat(parts).toString('utf8');
    } else {
      const len = Number(headers['content-length'] ?? 0);
      body = buf.subarray(bodyStart, bodyStart + len).toString('utf8');
      bodyStart += len;
    }
    out.push({ status, headers, body });
    at = bodyStart;
  }
  return { responses: out, rest: buf.length - at };
}

interface Case {
  title: string;
  /** Bytes to send; a function gets the service (for its routes). */
  send: (s: Service) => string | Buffer;
  /** Close abruptly (RST) right after sending instead of half-closing. */
  reset?: boolean;
  /** Statuses this case may legitimately get (checked in addition to the invariants). */
  expect?: number[];
}

function play(port: number, c: Case, s: Service): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const sock = connect(port, '127.0.0.1', () => {
      const data = c.send(s);
      if (c.reset) {
        sock.write(data, () => setTimeout(() => sock.resetAndDestroy(), 20));
      } else sock.end(data);
    });
    const timer = setTimeout(() => sock.destroy(), 3_000);
    sock.on('data', (d: Buffer) => chunks.push(d));
    sock.on('error', () => undefined);
    sock.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
  });
}

const H = 'Host: corpus\r\n';
const req = (line: string, headers = '', body = ''): string => `${line}\r\n${H}${headers}\r\n${body}`;
const json =
  (path: string, body: string, extra = ''): ((s: Service) => string) =>
  () =>
    `POST ${path} HTTP/1.1\r\n${H}Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}Connection: close\r\n\r\n${body}`;

const requestLines: Case[] = [
  { title: 'an empty request', send: () => '\r\n\r\n' },
  { title: 'only a method', send: () => 'GET\r\n\r\n', expect: [400] },
  { title: 'a method and path without version', send: () => 'GET /\r\n\r\n' },
  { title: 'a lowercase method', send: () => req('get / HTTP/1.1'), expect: [400] },
  { title: 'an unknown method', send: () => req('FOO / HTTP/1.1'), expect: [400, 404, 405] },
  { title: 'a double space in the request line', send: () => req('GET  / HTTP/1.1') },
  { title: 'a tab in the request line', send: () => req('GET\t/ HTTP/1.1'), expect: [400] },
  { title: 'HTTP/0.9', send: () => 'GET /\r\n', expect: [400] },
  { title: 'HTTP/2.0 in an HTTP/1 line', send: () => req('GET / HTTP/2.0') },
  { title: 'HTTP/1.2', send: () => req('GET / HTTP/1.2'), expect: [400, 505] },
  { title: 'HTTP/9.9', send: () => req('GET / HTTP/9.9'), expect: [400, 505] },
  { title: 'a lowercase version', send: () => req('GET / http/1.1'), expect: [400] },
  { title: 'an absolute-form target', send: (s) => req(`GET http://corpus${s.get} HTTP/1.1`, 'Connection: close\r\n') },
  { title: 'an authority-form CONNECT', send: () => req('CONNECT corpus:443 HTTP/1.1') },
  { title: 'an asterisk OPTIONS', send: () => req('OPTIONS * HTTP/1.1', 'Connection: close\r\n') },
  { title: 'a NUL in the target', send: () => req('GET /he\0llo HTTP/1.1'), expect: [400] },
  { title: 'a space in the target', send: () => req('GET /a b HTTP/1.1'), expect: [400] },
  { title: 'a DEL in the target', send: () => req('GET /a\x7fb HTTP/1.1'), expect: [400] },
  {
    title: 'raw non-ASCII bytes in the target',
    send: () =>
      Buffer.concat([Buffer.from('GET /\xff\xfe'), Buffer.from(` HTTP/1.1\r\n${H}Connection: close\r\n\r\n`)]),
  },
  { title: 'a fragment in the target', send: () => req('GET /healthz#frag HTTP/1.1', 'Connection: close\r\n') },
  { title: 'a 20 KB target', send: () => req(`GET /${'a'.repeat(20_000)} HTTP/1.1`), expect: [431, 414, 400] },
  { title: 'leading blank lines', send: () => `\r\n\r\nGET /healthz HTTP/1.1\r\n${H}Connection: close\r\n\r\n` },
  {
    title: 'binary garbage',
    send: () => Buffer.from(Array.from({ length: 256 }, (_, i) => (i * 37) & 0xff)),
    expect: [400],
  },
  {
    title: 'a TLS ClientHello',
    send: () => Buffer.from('160301006a010000660303' + '00'.repeat(40), 'hex'),
    expect: [400],
  },
  { title: 'the HTTP/2 preface', send: () => 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', expect: [400, 505] },
  { title: 'a bare LF request line', send: () => `GET /healthz HTTP/1.1\n${H}Connection: close\n\n` },
];

const headers: Case[] = [
  { title: 'no Host on HTTP/1.1', send: () => 'GET /healthz HTTP/1.1\r\n\r\n', expect: [400] },
  { title: 'two Host headers', send: () => req('GET /healthz HTTP/1.1', 'Host: other\r\n'), expect: [400] },
  { title: 'an empty Host', send: () => 'GET /healthz HTTP/1.1\r\nHost:\r\nConnection: close\r\n\r\n' },
  {
    title: 'a header line without a colon',
    send: () => req('GET /healthz HTTP/1.1', 'NoColonHere\r\n'),
    expect: [400],
  },
  { title: 'a space before the colon', send: () => req('GET /healthz HTTP/1.1', 'X-A : b\r\n'), expect: [400] },
  {
    title: 'an obs-fold continuation line',
    send: () => req('GET /healthz HTTP/1.1', 'X-A: b\r\n c\r\n'),
    expect: [400],
  },
  { title: 'a header name with a slash', send: () => req('GET /healthz HTTP/1.1', 'X/A: b\r\n'), expect: [400] },
  { title: 'a NUL in a header value', send: () => req('GET /healthz HTTP/1.1', 'X-A: b\0c\r\n'), expect: [400] },
  { title: 'a lone CR in a header value', send: () => req('GET /healthz HTTP/1.1', 'X-A: b\rc\r\n'), expect: [400] },
  {
    title: '500 small headers',
    send: () =>
      req(
        'GET /healthz HTTP/1.1',
        Array.from({ length: 500 }, (_, i) => `X-H${i}: v\r\n`).join('') + 'Connection: close\r\n',
      ),
  },
  {
    title: 'a 20 KB header value',
    send: () => req('GET /healthz HTTP/1.1', `X-Big: ${'b'.repeat(20_000)}\r\n`),
    expect: [431],
  },
  {
    title: 'a 20 KB cookie',
    send: () => req('GET /healthz HTTP/1.1', `Cookie: a=${'c'.repeat(20_000)}\r\n`),
    expect: [431],
  },
  {
    title: 'a non-numeric Content-Length',
    send: (s) => req(`POST ${s.post} HTTP/1.1`, 'Content-Length: abc\r\n'),
    expect: [400],
  },
  {
    title: 'a negative Content-Length',
    send: (s) => req(`POST ${s.post} HTTP/1.1`, 'Content-Length: -1\r\n'),
    expect: [400],
  },
  {
    title: 'a Content-Length with a plus sign',
    send: (s) => req(`POST ${s.post} HTTP/1.1`, 'Content-Length: +2\r\n', '{}'),
    expect: [400],
  },
  {
    title: 'two different Content-Lengths',
    send: (s) => req(`POST ${s.post} HTTP/1.1`, 'Content-Length: 2\r\nContent-Length: 3\r\n', '{}x'),
    expect: [400],
  },
  {
    title: 'a Content-Length list',
    send: (s) => req(`POST ${s.post} HTTP/1.1`, 'Content-Length: 2, 2\r\n', '{}'),
    expect: [400],
  },
  {
    title: 'a Content-Length of 10^20',
    send: (s) =>
      req(`POST ${s.post} HTTP/1.1`, 'Content-Type: application/json\r\nContent-Length: 100000000000000000000\r\n'),
    expect: [400, 413],
  },
  {
    title: 'an unknown Expect',
    send: (s) => req(`POST ${s.post} HTTP/1.1`, 'Expect: teapot\r\nContent-Length: 2\r\n', '{}'),
    expect: [417],
  },
  {
    title: 'Expect 100-continue with an over-limit body',
    send: (s) =>
      req(
        `POST ${s.post} HTTP/1.1`,
        'Content-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: 999999\r\n',
      ),
    expect: [401, 413],
  },
  {
    title: 'a websocket upgrade on a plain route',
    send: (s) =>
      req(
        `GET ${s.get} HTTP/1.1`,
        'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n',
      ),
  },
  {
    title: 'an h2c upgrade',
    send: (s) =>
      req(
        `GET ${s.get} HTTP/1.1`,
        'Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n',
      ),
  },
  {
    title: 'a request id with a quote and newline escape',
    send: () => req('GET /healthz HTTP/1.1', 'X-Request-ID: a"b\\\\n{}\r\nConnection: close\r\n'),
  },
  {
    title: 'a 1 KB request id',
    send: () => req('GET /healthz HTTP/1.1', `X-Request-ID: ${'r'.repeat(1024)}\r\nConnection: close\r\n`),
  },
  {
    title: 'a garbage Authorization',
    send: (s) => json(s.guardedPost, '{}', 'Authorization: Bearer \x01\x02garbage\r\n')(s),
    expect: [400, 401],
  },
  {
    title: 'a Basic Authorization where Bearer is expected',
    send: (s) => json(s.guardedPost, '{}', 'Authorization: Basic YWRtaW46YWRtaW4=\r\n')(s),
    expect: [400, 401],
  },
  {
    title: 'a forged JWT with alg none',
    send: (s) => json(s.guardedPost, '{}', 'Authorization: Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.\r\n')(s),
    expect: [400, 401],
  },
  {
    title: 'a garbage Accept-Encoding',
    send: () => req('GET /healthz HTTP/1.1', 'Accept-Encoding: gzip;q=xx, *;q=-1, br;q=1e9\r\nConnection: close\r\n'),
  },
  {
    title: 'a huge X-Forwarded-For',
    send: () => req('GET /healthz HTTP/1.1', `X-Forwarded-For: ${'1.2.3.4, '.repeat(1000)}\r\nConnection: close\r\n`),
  },
];

const smuggling: Case[] = [
  {
    title: 'Content-Length and Transfer-Encoding',
    send: (s) => req(`POST ${s.post} HTTP/1.1`, 'Content-Length: 4\r\nTransfer-Encoding: chunked\r\n', '0\r\n\r\n'),
    expect: [400],
  },
  {
    title: 'Transfer-Encoding before Content-Length',
    send: (s) => req(`POST ${s.post} HTTP/1.1`, 'Transfer-Encoding: chunked\r\nContent-Length: 4\r\n', '0\r\n\r\n'),
    expect: [400],
  },
  {
    title: 'Transfer-Encoding twice',
    send: (s) =>
      req(`POST ${s.post} HTTP/1.1`, 'Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n', '0\r\n\r\n'),
    expect: [400],
  },
  {
    title: 'Transfer-Encoding: xchunked',
    send: (s) => req(`POST ${s.post} HTTP/1.1`, 'Transfer-Encoding: xchunked\r\n'),
    expect: [400],
  },
  {
    title: 'Transfer-Encoding: identity',
    send: (s) => req(`POST ${s.post} HTTP/1.1`, 'Transfer-Encoding: identity\r\n'),
    expect: [400],
  },
  {
    title: 'Transfer-Encoding: chunked, identity',
    send: (s) => req(`POST ${s.post} HTTP/1.1`, 'Transfer-Encoding: chunked, identity\r\n', '0\r\n\r\n'),
    expect: [400],
  },
  {
    title: 'Transfer-Encoding: gzip, chunked',
    send: (s) => req(`POST ${s.post} HTTP/1.1`, 'Transfer-Encoding: gzip, chunked\r\n', '0\r\n\r\n'),
    expect: [400],
  },
  {
    title: 'Transfer-Encoding with a vertical tab',
    send: (s) => req(`POST ${s.post} HTTP/1.1`, 'Transfer-Encoding:\x0bchunked\r\n', '0\r\n\r\n'),
    expect: [400],
  },
  {
    title: 'a space before the Transfer-Encoding colon',
    send: (s) => req(`POST ${s.post} HTTP/1.1`, 'Transfer-Encoding : chunked\r\n', '0\r\n\r\n'),
    expect: [400],
  },
  {
    title: 'an invalid chunk size',
    send: (s) =>
      req(
        `POST ${s.post} HTTP/1.1`,
        'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n',
        'zz\r\n{}\r\n0\r\n\r\n',
      ),
    expect: [400, 401],
  },
  {
    title: 'an overflowing chunk size',
    send: (s) =>
      req(
        `POST ${s.post} HTTP/1.1`,
        'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n',
        'fffffffffffffffffff\r\n{}\r\n',
      ),
    expect: [400, 401, 413],
  },
  {
    title: 'a chunk without its CRLF',
    send: (s) =>
      req(
        `POST ${s.post} HTTP/1.1`,
        'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n',
        '2\r\n{}0\r\n\r\n',
      ),
    expect: [400, 401],
  },
  {
    title: 'a 20 KB chunk extension',
    send: (s) =>
      req(
        `POST ${s.post} HTTP/1.1`,
        'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n',
        `2;ext=${'e'.repeat(20_000)}\r\n{}\r\n0\r\n\r\n`,
      ),
    expect: [400, 401, 413],
  },
  {
    title: 'a chunked body that never ends',
    send: (s) =>
      req(`POST ${s.post} HTTP/1.1`, 'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n', '2\r\n{}\r\n'),
  },
  {
    title: 'a GET with a body smuggling a second request',
    send: () =>
      req(
        'GET /healthz HTTP/1.1',
        `Content-Length: ${`GET /admin HTTP/1.1\r\n${H}\r\n`.length}\r\n`,
        `GET /admin HTTP/1.1\r\n${H}\r\n`,
      ),
  },
  {
    title: 'a pipelined request after a body',
    send: (s) =>
      `${json(s.post, '{}')(s).replace('Connection: close\r\n', '')}GET /healthz HTTP/1.1\r\n${H}Connection: close\r\n\r\n`,
  },
  {
    title: 'a body shorter than its Content-Length, then EOF',
    send: (s) => req(`POST ${s.post} HTTP/1.1`, 'Content-Type: application/json\r\nContent-Length: 100\r\n', '{"a":'),
  },
  {
    title: '50 pipelined requests',
    send: () =>
      `GET /healthz HTTP/1.1\r\n${H}\r\n`.repeat(49) + `GET /healthz HTTP/1.1\r\n${H}Connection: close\r\n\r\n`,
  },
];

const paths: Case[] = [
  '/%',
  '/%zz',
  '/%0',
  '/%00',
  '/healthz%00',
  '/%2e%2e/%2e%2e/etc/passwd',
  '/../../etc/passwd',
  '/..%2f..%2fetc%2fpasswd',
  '/%c0%af',
  '/%ff%fe',
  '//healthz',
  '/healthz/../healthz',
  '/./healthz',
  '/api/v1/items/%2F',
  '/api/v1/items/..',
  '/api/v1/orders/%2e%2e',
  '/api/v1/items/' + '%41'.repeat(3000),
  '/healthz?%zz=1&a=%',
  '/healthz?' + 'p=1&'.repeat(3000),
  '/healthz;jsessionid=1',
  '/\\..\\..\\windows\\win.ini',
  '/%e0%80%af',
  '/api/v1/items/%ed%a0%80',
  '/api/v1/orders/\u00e9'.replace('\u00e9', '%C3%A9'),
].map((target) => ({
  title: `the target ${target.length > 40 ? target.slice(0, 40) + '…' : target}`,
  send: () => req(`GET ${target} HTTP/1.1`, 'Connection: close\r\n'),
}));

const bodies: Case[] = [
  { title: 'invalid JSON', send: (s) => json(s.post, '{"a":')(s), expect: [400, 401, 422] },
  { title: 'an empty JSON body', send: (s) => json(s.post, '')(s), expect: [400, 401, 422] },
  { title: 'JSON null', send: (s) => json(s.post, 'null')(s), expect: [400, 401, 422] },
  { title: 'a JSON string', send: (s) => json(s.post, '"x"')(s), expect: [400, 401, 422] },
  {
    title: '1500 nested arrays',
    send: (s) => json(s.post, '['.repeat(1500) + ']'.repeat(1500))(s),
    expect: [400, 401, 422],
  },
  {
    title: 'a 400-digit number',
    send: (s) => json(s.post, `{"quantity":${'9'.repeat(400)}}`)(s),
    expect: [400, 401, 422],
  },
  {
    title: 'a __proto__ key',
    send: (s) => json(s.post, '{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}')(s),
    expect: [400, 401, 422],
  },
  {
    title: 'a body over the limit (Content-Length)',
    send: (s) => json(s.post, 'x'.repeat(5000))(s),
    expect: [400, 401, 413],
  },
  {
    title: 'a chunked body over the limit',
    send: (s) =>
      req(
        `POST ${s.post} HTTP/1.1`,
        'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n',
        `${(6000).toString(16)}\r\n${'x'.repeat(6000)}\r\n0\r\n\r\n`,
      ),
    expect: [400, 401, 413],
  },
  {
    title: 'a non-JSON content type',
    send: (s) =>
      req(`POST ${s.post} HTTP/1.1`, 'Content-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n', '{}'),
    expect: [400, 401, 415],
  },
  {
    title: 'a form body',
    send: (s) =>
      req(
        `POST ${s.post} HTTP/1.1`,
        'Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 3\r\nConnection: close\r\n',
        'a=b',
      ),
    expect: [400, 401, 415],
  },
  {
    title: 'a multipart body',
    send: (s) =>
      req(
        `POST ${s.post} HTTP/1.1`,
        'Content-Type: multipart/form-data; boundary=x\r\nContent-Length: 10\r\nConnection: close\r\n',
        '--x--\r\n\r\n\r\n',
      ),
    expect: [400, 401, 415],
  },
  { title: 'a UTF-8 BOM before JSON', send: (s) => json(s.post, '\ufeff{}')(s), expect: [400, 401, 422] },
  {
    title: 'invalid UTF-8 in JSON',
    send: (s) =>
      Buffer.concat([
        Buffer.from(
          `POST ${s.post} HTTP/1.1\r\n${H}Content-Type: application/json\r\nContent-Length: 8\r\nConnection: close\r\n\r\n`,
        ),
        Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]),
      ]),
    expect: [400, 401, 422],
  },
  {
    title: 'a charset nobody knows',
    send: (s) => json(s.post, '{}', '')(s).replace('application/json', 'application/json; charset=klingon'),
    expect: [400, 401, 422],
  },
  {
    title: 'a body on GET',
    send: (s) => req(`GET ${s.get} HTTP/1.1`, 'Content-Length: 5\r\nConnection: close\r\n', 'hello'),
  },
  {
    title: 'a body on DELETE',
    send: (s) => req(`DELETE ${s.get} HTTP/1.1`, 'Content-Length: 5\r\nConnection: close\r\n', 'hello'),
  },
];

const disconnects: Case[] = [
  { title: 'a reset mid request line', send: () => 'GET /hea', reset: true },
  { title: 'a reset mid headers', send: () => `GET /healthz HTTP/1.1\r\n${H}X-A: b`, reset: true },
  {
    title: 'a reset right after the headers of a POST',
    send: (s) => req(`POST ${s.post} HTTP/1.1`, 'Content-Type: application/json\r\nContent-Length: 50\r\n'),
    reset: true,
  },
  {
    title: 'a reset mid body',
    send: (s) =>
      req(`POST ${s.post} HTTP/1.1`, 'Content-Type: application/json\r\nContent-Length: 50\r\n', '{"username":'),
    reset: true,
  },
  {
    title: 'a reset mid chunked body',
    send: (s) =>
      req(`POST ${s.post} HTTP/1.1`, 'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n', '5\r\n{"a":'),
    reset: true,
  },
  { title: 'a reset after a complete request', send: () => req('GET /healthz HTTP/1.1'), reset: true },
  { title: 'a half-close mid headers', send: () => `GET /healthz HTTP/1.1\r\n${H}` },
  {
    title: 'a reset after 20 pipelined requests',
    send: () => `GET /healthz HTTP/1.1\r\n${H}\r\n`.repeat(20),
    reset: true,
  },
];

const corpus: Case[] = [...requestLines, ...headers, ...smuggling, ...paths, ...bodies, ...disconnects];

// Anything that looks like a stack frame, a file path, a Node internal or a raw exception name.
const INTERNAL =
  /\n\s+at |node:internal|\/work\/|node_modules|\.ts:\d+|TypeError|RangeError|ReferenceError|SyntaxError|ECONNRESET|ENOENT|SQLITE/;

describe.each(services)('malformed-request corpus against $name', (s) => {
  beforeAll(() => startService(s), 20_000);
  afterAll(() => {
    s.child?.kill('SIGKILL');
  });

  it('has at least 100 cases', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(100);
    expect(new Set(corpus.map((c) => c.title)).size).toBe(corpus.length);
  });

  it('answers every case without a 5xx, with the envelope on every error, and leaks nothing', async () => {
    const failures: string[] = [];
    for (const c of corpus) {
      const raw = await play(s.port!, c, s);
      const text = raw.toString('latin1');
      if (INTERNAL.test(text)) failures.push(`${c.title}: internal detail in ${JSON.stringify(text.slice(0, 300))}`);
      const { responses } = parseResponses(raw);
      for (const res of responses) {
        if (res.status >= 500 || res.status < 100) failures.push(`${c.title}: status ${res.status}`);
        if (res.status >= 400) {
          let ok = res.headers['content-type'] === 'application/json';
          try {
            const e = (JSON.parse(res.body) as { error?: Record<string, unknown> }).error;
            ok &&=
              typeof e?.['code'] === 'string' && typeof e['message'] === 'string' && typeof e['category'] === 'string';
          } catch {
            ok = false;
          }
          if (!ok)
            failures.push(`${c.title}: ${res.status} not an envelope: ${JSON.stringify(res.body.slice(0, 200))}`);
        }
      }
      const first = responses[0]?.status;
      if (c.expect !== undefined && first !== undefined && !c.expect.includes(first))
        failures.push(`${c.title}: status ${first}, expected one of ${c.expect.join('/')}`);
      if (c.expect !== undefined && first === undefined)
        failures.push(`${c.title}: no response, expected one of ${c.expect.join('/')}`);
    }
    expect(failures).toEqual([]);
  }, 60_000);

  it('is alive and serving afterwards, with no server error logged', async () => {
    expect(s.child!.exitCode).toBeNull();
    const res = await fetch(`http://127.0.0.1:${s.port}/healthz`);
    expect(res.status).toBe(200);
    const serverErrors = s.lines.filter((l) => l['level'] === 'ERROR');
    expect(serverErrors).toEqual([]);
    const statuses = s.lines.filter((l) => l['msg'] === 'request completed').map((l) => Number(l['status']));
    expect(statuses.filter((n) => n >= 500)).toEqual([]);
  });
});
