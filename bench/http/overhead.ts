// Framework overhead per request without sockets: drives app.listener with stub Node objects and
// reports CPU ns/request for Plumego bare and with the canonical stack. Complements run.mjs, whose
// numbers include Node's HTTP parsing and the load generator.
// Usage: node --conditions=source --import tsx bench/http/overhead.ts
import { Readable } from 'node:stream';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createApp, param } from 'plumego';
import { writeResponse } from 'plumego/contract';
import { createLogger } from 'plumego/log';
import { BaseMetricsCollector } from 'plumego/metrics';
import { createCanonicalStack } from 'plumego/middleware';

function stubReq(url: string): IncomingMessage {
  const req = new Readable({ read() {} }) as unknown as IncomingMessage;
  Object.assign(req, { method: 'GET', url, headers: { host: 'x', 'user-agent': 'bench' }, socket: { remoteAddress: '127.0.0.1' } });
  return req;
}

class StubRes {
  headersSent = false;
  writableEnded = false;
  statusCode = 200;
  bytes = 0;
  writeHead(status: number, _h: unknown) {
    this.statusCode = status;
    this.headersSent = true;
    return this;
  }
  getHeader() {
    return undefined;
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

function build(stack: boolean) {
  const app = createApp();
  if (stack) {
    // A no-op sink: this measures the framework's CPU, not the disk or a stream's buffering.
    const logger = createLogger({ format: 'json', output: { write() {} } });
    app.use(...createCanonicalStack({ logger, cors: { allowedOrigins: ['*'] }, metrics: new BaseMetricsCollector(), timeoutMs: 30_000 }));
  }
  app.get('/', (w, r) => writeResponse(w, r, 200, { hello: 'world' }));
  app.get('/users/:id', (w, r) => writeResponse(w, r, 200, { id: param(r, 'id') }));
  return app.listener;
}

function measure(label: string, listener: (req: IncomingMessage, res: ServerResponse) => void, url: string, n: number) {
  const reqs = Array.from({ length: 1000 }, () => stubReq(url));
  for (let i = 0; i < 20_000; i++) listener(reqs[i % 1000]!, new StubRes() as unknown as ServerResponse);
  const before = process.cpuUsage();
  for (let i = 0; i < n; i++) listener(reqs[i % 1000]!, new StubRes() as unknown as ServerResponse);
  const used = process.cpuUsage(before);
  const ns = ((used.user + used.system) * 1000) / n;
  console.log(`${label.padEnd(28)} ${url.padEnd(10)} ${ns.toFixed(0)} ns/request`);
  return ns;
}

const N = Number(process.env.N ?? 200_000);
const results: Record<string, number> = {};
for (const stack of [false, true]) {
  const listener = build(stack);
  for (const url of ['/', '/users/42']) results[`${stack ? 'stack' : 'bare'} ${url}`] = measure(stack ? 'plumego canonical stack' : 'plumego bare', listener, url, N);
}
await new Promise((r) => setTimeout(r, 50));
console.log(JSON.stringify(results));
