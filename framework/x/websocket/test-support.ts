// Test-only helpers for this module's tests (not exported from index.ts).
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import type { Middleware } from 'plumego/contract';
import { createApp, type App } from 'plumego/core';
import { SecurityError } from 'plumego/security';
import { WebSocketEndpoint } from './endpoint.ts';
import type { WebSocketEndpointOptions } from './options.ts';
import { attachUpgrades } from './upgrade.ts';

export const ORIGIN = 'http://app.test';

/** Accepts 'good' (and 'good-<name>'), refuses 'expired…' as expired and anything else as invalid. */
export function testAuthenticate(token: string): { sub: string } {
  if (token === 'good' || token.startsWith('good-')) return { sub: token };
  if (token.startsWith('expired')) throw new SecurityError('PLUMEGO_ERR_AUTH_EXPIRED_TOKEN');
  throw new SecurityError('PLUMEGO_ERR_AUTH_INVALID_TOKEN');
}

export interface TestServer {
  app: App;
  endpoint: WebSocketEndpoint;
  port: number;
  url: string;
  close(): Promise<void>;
}

export async function startServer(
  options: Partial<WebSocketEndpointOptions> = {},
  middleware: Middleware[] = [],
  path = '/ws',
): Promise<TestServer> {
  const app = createApp();
  if (middleware.length > 0) app.use(...middleware);
  const endpoint = new WebSocketEndpoint({ authenticate: testAuthenticate, allowedOrigins: [ORIGIN], ...options });
  app.get(path, endpoint.handler);
  attachUpgrades(app);
  const addr = await app.listen(0, '127.0.0.1');
  const base = `ws://127.0.0.1:${addr.port}`;
  return {
    app,
    endpoint,
    port: addr.port,
    url: base + path.replace(/\/:.*$/, ''),
    close: async () => {
      await endpoint.shutdown({ timeoutMs: 500 });
      await app.shutdown({ timeoutMs: 500 });
    },
  };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  socket: Socket;
  /** Bytes after the response head (frames, for a 101). */
  rest: Buffer;
}

/** Sends a hand-made handshake and reads the response head (and body for refusals). */
export function rawHandshake(
  port: number,
  path: string,
  headers: Record<string, string | undefined>,
): Promise<RawResponse> {
  const h: Record<string, string | undefined> = {
    host: `127.0.0.1:${port}`,
    upgrade: 'websocket',
    connection: 'Upgrade',
    'sec-websocket-version': '13',
    'sec-websocket-key': randomBytes(16).toString('base64'),
    origin: ORIGIN,
    ...headers,
  };
  let req = `GET ${path} HTTP/1.1\r\n`;
  for (const [k, v] of Object.entries(h)) if (v !== undefined) req += `${k}: ${v}\r\n`;
  req += '\r\n';
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(req));
    let buf = Buffer.alloc(0);
    let done = false;
    const finish = (): void => {
      const end = buf.indexOf('\r\n\r\n');
      if (done || end < 0) return;
      const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
      const status = Number(lines[0]!.split(' ')[1]);
      const hs: Record<string, string> = {};
      for (const l of lines.slice(1)) {
        const i = l.indexOf(':');
        hs[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
      }
      const rest = buf.subarray(end + 4);
      if (status !== 101 && rest.byteLength < Number(hs['content-length'] ?? 0)) return;
      done = true;
      socket.removeAllListeners('data');
      resolve({ status, headers: hs, body: status === 101 ? '' : rest.toString(), socket, rest });
    };
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      finish();
    });
    socket.on('error', reject);
    socket.on('close', () => {
      if (!done) reject(new Error(`socket closed before a response: ${buf.toString('latin1')}`));
    });
  });
}

/**
 * One client frame, built by hand only to send frames a correct client never would (bad input
 * tests). Payloads up to 65,535 bytes.
 */
export function clientFrame(
  opcode: number,
  payload: Buffer,
  opts: { mask?: boolean; fin?: boolean; rsv?: number } = {},
): Buffer {
  const mask = opts.mask ?? true;
  const first = ((opts.fin ?? true) ? 0x80 : 0) | ((opts.rsv ?? 0) << 4) | opcode;
  const len = payload.byteLength;
  const head =
    len < 126
      ? Buffer.from([first, (mask ? 0x80 : 0) | len])
      : Buffer.from([first, (mask ? 0x80 : 0) | 126, len >> 8, len & 0xff]);
  if (!mask) return Buffer.concat([head, payload]);
  const key = randomBytes(4);
  const masked = Buffer.from(payload);
  for (let i = 0; i < masked.length; i++) masked[i]! ^= key[i % 4]!;
  return Buffer.concat([head, key, masked]);
}

/** Reads the close code the server sends on a raw socket (first close frame), or 0 when it just drops. */
export function readCloseCode(
  socket: Socket,
  initial: Buffer = Buffer.alloc(0),
): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => {
    let buf = initial;
    const scan = (): boolean => {
      // Server frames are unmasked; skip everything until the close frame (opcode 8).
      let i = 0;
      while (i + 2 <= buf.length) {
        const op = buf[i]! & 0x0f;
        let len = buf[i + 1]! & 0x7f;
        let off = i + 2;
        if (len === 126) {
          if (off + 2 > buf.length) return false;
          len = buf.readUInt16BE(off);
          off += 2;
        } else if (len === 127) {
          if (off + 8 > buf.length) return false;
          len = Number(buf.readBigUInt64BE(off));
          off += 8;
        }
        if (off + len > buf.length) return false;
        if (op === 8) {
          resolve({
            code: len >= 2 ? buf.readUInt16BE(off) : 1005,
            reason: buf.subarray(off + 2, off + len).toString(),
          });
          return true;
        }
        i = off + len;
      }
      return false;
    };
    if (scan()) return;
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      scan();
    });
    socket.on('close', () => resolve({ code: 0, reason: '' }));
  });
}

/** Resolves on the next event of `emitter`, with its arguments. */
export function nextEvent<T extends unknown[]>(emitter: NodeJS.EventEmitter, event: string): Promise<T> {
  return new Promise((resolve) => emitter.once(event, (...args: unknown[]) => resolve(args as T)));
}

/** Waits until `check()` is true, polling every 5 ms, failing after `timeoutMs`. */
export async function waitFor(check: () => boolean, timeoutMs = 3_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
