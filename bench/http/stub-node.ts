// Stand-ins for Node's IncomingMessage and ServerResponse, so a bench can drive app.listener without
// sockets: Node's header validation, HTTP parsing and socket writes are then not in the numbers, only
// the framework's own per-request work. Shared by overhead.ts, observability-overhead.ts and
// inproc-driver.ts so that all three drive the framework through the same surface.
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';

/** A GET for `url` carrying `headers` (raw names, in order); lower-cased into `headers` as Node does. */
export function stubReq(url: string, headers: readonly (readonly [string, string])[]): IncomingMessage {
  const req = new Readable({ read() {} }) as unknown as IncomingMessage;
  Object.assign(req, {
    method: 'GET',
    url,
    headers: Object.fromEntries(headers.map(([name, value]) => [name.toLowerCase(), value])),
    rawHeaders: headers.flat(),
    httpVersionMajor: 1,
    httpVersionMinor: 1,
    socket: { remoteAddress: '127.0.0.1' },
  });
  return req;
}

/** The part of ServerResponse the framework touches; counts body bytes so a bench can check it answered. */
export class StubRes {
  headersSent = false;
  writableEnded = false;
  statusCode = 200;
  bytes = 0;
  writeHead(status: number) {
    this.statusCode = status;
    this.headersSent = true;
    return this;
  }
  getHeader() {
    return undefined;
  }
  getHeaderNames(): string[] {
    return [];
  }
  hasHeader() {
    return false;
  }
  removeHeader() {}
  write(c: string) {
    this.bytes += c.length;
    return true;
  }
  end(c?: string) {
    if (c) this.bytes += c.length;
    this.writableEnded = true;
    return this;
  }
  once() {
    return this;
  }
}
