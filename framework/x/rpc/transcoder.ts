import type { MethodDefinition } from '@grpc/grpc-js';
import {
  formatErrorBody,
  readJson,
  writeError,
  writeResponse,
  type Handler,
  type Request,
  type ResponseWriter,
} from 'plumego/contract';
import type { RpcClientPool } from './client-pool.ts';
import { assertRpcOption, toHttpError } from './errors.ts';

export interface TranscoderOptions {
  pool: RpcClientPool;
  /** gRPC target the method is called on. */
  target: string;
  /** A unary or server-streaming method (from `loadProtos(...).getMethod`). */
  method: MethodDefinition<unknown, unknown>;
  /**
   * Builds the request message. Default: the JSON body when there is one, else the query parameters,
   * with route parameters laid over either.
   */
  toMessage?: (r: Request, body: unknown) => unknown | Promise<unknown>;
  /** Largest JSON body read. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Budget for the call; the request context's deadline still applies when earlier. Default none. */
  timeoutMs?: number;
}

function getDefaultMessage(r: Request, body: unknown): unknown {
  const base: Record<string, unknown> =
    typeof body === 'object' && body !== null && !Array.isArray(body) ? { ...(body as Record<string, unknown>) } : {};
  if (body === undefined) for (const [k, v] of r.query) base[k] = v;
  const names = r.state.paramNames;
  for (let i = 0; i < names.length; i++) base[names[i]!] = r.state.paramValues[i];
  return base;
}

function waitForDrain(w: ResponseWriter): Promise<void> {
  const res = w.raw;
  if (res === undefined || !res.writableNeedDrain) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}

/**
 * Server streaming as NDJSON: one JSON line per message, relayed as it arrives and paced by the
 * client socket. A failure before the first message is an ordinary envelope error; after it, the
 * status is gone, so the last line is the error envelope and the stream ends.
 */
async function relayStream(w: ResponseWriter, r: Request, options: TranscoderOptions, message: unknown): Promise<void> {
  const { pool, target, method, timeoutMs } = options;
  const stream = pool.serverStream(target, method, message, {
    ctx: r.ctx,
    signal: r.signal,
    ...(timeoutMs === undefined ? {} : { deadline: Date.now() + timeoutMs }),
  });
  try {
    for await (const item of stream) {
      if (!w.headersSent) {
        w.setHeader('content-type', 'application/x-ndjson');
        w.writeHead(200);
      }
      w.write(JSON.stringify(item) + '\n');
      await waitForDrain(w);
    }
    if (!w.headersSent) {
      w.setHeader('content-type', 'application/x-ndjson');
      w.writeHead(200);
    }
    w.end();
  } catch (error) {
    if (r.signal.aborted) return;
    if (!w.headersSent) {
      writeError(w, r, toHttpError(error));
      return;
    }
    w.end(formatErrorBody(toHttpError(error), r.ctx.requestId));
  }
}

/**
 * An HTTP handler that calls one unary (or server-streaming, as NDJSON) gRPC method: JSON in, the canonical success envelope out; a
 * gRPC failure becomes the envelope error of its status (INVALID_ARGUMENT → 400, NOT_FOUND → 404,
 * DEADLINE_EXCEEDED → 504, UNAVAILABLE → 503, …). The HTTP request's signal cancels the call and
 * its trace context and deadline travel with it.
 */
export function createTranscoder(options: TranscoderOptions): Handler {
  const { pool, target, method } = options;
  assertRpcOption(!method.requestStream, 'method', 'the transcoder calls unary and server-streaming methods only');
  const maxBytes = options.maxBodyBytes ?? 1024 * 1024;
  assertRpcOption(Number.isInteger(maxBytes) && maxBytes > 0, 'maxBodyBytes', 'a positive integer');
  const timeoutMs = options.timeoutMs;
  assertRpcOption(
    timeoutMs === undefined || (Number.isFinite(timeoutMs) && timeoutMs > 0),
    'timeoutMs',
    'a positive number',
  );
  const toMessage = options.toMessage ?? getDefaultMessage;
  return async (w, r) => {
    let body: unknown;
    try {
      const hasBody =
        r.headers['content-length'] !== undefined
          ? r.headers['content-length'] !== '0'
          : r.headers['transfer-encoding'] !== undefined;
      if (hasBody) body = await readJson(r, { maxBytes });
    } catch (error) {
      writeError(w, r, error);
      return;
    }
    if (method.responseStream) {
      await relayStream(w, r, options, await toMessage(r, body));
      return;
    }
    try {
      const message = await toMessage(r, body);
      const result = await pool.unary(target, method, message, {
        ctx: r.ctx,
        signal: r.signal,
        ...(timeoutMs === undefined ? {} : { deadline: Date.now() + timeoutMs }),
      });
      writeResponse(w, r, 200, result);
    } catch (error) {
      if (r.signal.aborted) return;
      writeError(w, r, toHttpError(error));
    }
  };
}
