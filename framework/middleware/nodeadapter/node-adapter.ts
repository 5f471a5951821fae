import type { IncomingMessage, OutgoingHttpHeader, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { APIError, NodeResponseWriter, isPromise, type Middleware, type ResponseWriter } from 'plumego/contract';

/** A connect/express-style middleware: `(req, res, next) => void`. */
export type NodeMiddleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

type Cb = (() => void) | undefined;

/**
 * A stand-in response for when Plumego's writer is not the Node response itself (the timeout
 * middleware's buffer, for example). It is a *new* object whose prototype is the real response, so
 * reads fall through to Node while writes go to Plumego's writer; Node's own objects and
 * prototypes are never modified.
 */
function createResponseShim(res: ServerResponse, w: ResponseWriter, onEnd: () => void): ServerResponse {
  const shim = Object.create(res) as ServerResponse & { statusCode: number };
  let status = 200;
  const setHeaders = (headers: OutgoingHttpHeaders | OutgoingHttpHeader[] | undefined): void => {
    if (headers === undefined) return;
    if (Array.isArray(headers)) {
      for (let i = 0; i + 1 < headers.length; i += 2) w.appendHeader(String(headers[i]), String(headers[i + 1]));
      return;
    }
    for (const [k, v] of Object.entries(headers))
      if (v !== undefined) w.setHeader(k, typeof v === 'object' ? v.map(String) : v);
  };
  Object.defineProperties(shim, {
    statusCode: {
      get: () => (w.headersSent ? w.status : status),
      set: (v: number) => (status = v),
      configurable: true,
    },
    headersSent: { get: () => w.headersSent, configurable: true },
    writableEnded: { get: () => w.finished, configurable: true },
    finished: { get: () => w.finished, configurable: true },
  });
  shim.setHeader = (name: string, value: number | string | readonly string[]) => {
    w.setHeader(name, value);
    return shim;
  };
  shim.appendHeader = (name: string, value: string | readonly string[]) => {
    for (const v of typeof value === 'string' ? [value] : value) w.appendHeader(name, v);
    return shim;
  };
  shim.getHeader = (name: string) => w.getHeader(name);
  shim.hasHeader = (name: string) => w.hasHeader(name);
  shim.removeHeader = (name: string) => w.removeHeader(name);
  shim.writeHead = ((code: number, a?: unknown, b?: unknown) => {
    setHeaders((typeof a === 'string' ? b : a) as OutgoingHttpHeaders | undefined);
    w.writeHead(code);
    return shim;
  }) as ServerResponse['writeHead'];
  shim.write = ((chunk: unknown, enc?: unknown, cb?: unknown) => {
    if (!w.headersSent) w.writeHead(status);
    const ok = w.write(typeof chunk === 'string' ? chunk : (chunk as Uint8Array));
    const done = (typeof enc === 'function' ? enc : cb) as Cb;
    if (done) queueMicrotask(done);
    return ok;
  }) as ServerResponse['write'];
  shim.end = ((chunk?: unknown, enc?: unknown, cb?: unknown) => {
    const done = (typeof chunk === 'function' ? chunk : typeof enc === 'function' ? enc : cb) as Cb;
    if (!w.headersSent) w.writeHead(status);
    if (chunk !== undefined && typeof chunk !== 'function')
      w.end(typeof chunk === 'string' ? chunk : (chunk as Uint8Array));
    else w.end();
    onEnd();
    if (done) queueMicrotask(done);
    return shim;
  }) as ServerResponse['end'];
  return shim;
}

/**
 * Runs a connect/express middleware (cors, helmet, morgan, cookie-parser, …) inside a Plumego
 * chain. `next()` continues the Plumego chain; `next(err)` rejects with `err` (so recovery answers);
 * a middleware that answers by itself ends the request. Headers it sets on `res` are kept. Under a
 * buffering middleware such as timeout it writes through a shim into the buffer, so timeouts still
 * apply. Needs a real Node request: in-process requests answer 500 `INTERNAL_ERROR`.
 * Only Node's types are used; express is never imported.
 */
export function fromNodeMiddleware(mw: NodeMiddleware): Middleware {
  if (typeof mw !== 'function') throw new TypeError('fromNodeMiddleware: middleware must be a function');
  return (next) => (w, r) => {
    const req = r.raw;
    const real = w.raw;
    if (req === undefined || real === undefined) {
      throw new APIError({ type: 'internal_error', message: 'node middleware needs a socket request' });
    }
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const finish = (): void => {
        if (settled) return;
        settled = true;
        resolve();
      };
      const direct = w instanceof NodeResponseWriter;
      const res = direct ? real : createResponseShim(real, w, finish);
      if (direct) {
        res.once('finish', finish);
        res.once('close', finish);
      }
      const done = (err?: unknown): void => {
        if (settled) return;
        settled = true;
        if (direct) {
          res.off('finish', finish);
          res.off('close', finish);
        }
        if (err !== undefined && err !== null && err !== 'route' && err !== 'router') {
          reject(err);
          return;
        }
        try {
          const p = next(w, r);
          if (isPromise(p)) p.then(() => resolve(), reject);
          else resolve();
        } catch (e) {
          reject(e);
        }
      };
      try {
        mw(req, res, done);
      } catch (e) {
        if (!settled) {
          settled = true;
          reject(e);
        }
      }
    });
  };
}
