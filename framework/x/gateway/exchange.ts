import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { ClientDisconnectedError, isPromise, type Request, type ResponseWriter } from 'plumego/contract';
import type { Dispatcher } from 'undici';
import { copyResponseHeaders } from './headers.ts';
import type { ResolvedProxyOptions, UpstreamRequest, UpstreamResponse } from './options.ts';

const DIGITS = /^[0-9]+$/;

/**
 * One upstream exchange as an undici dispatch handler. Writing straight from the parser callbacks to
 * the client skips the Readable that `request()` would build per response; backpressure is the
 * controller's pause/resume, driven by the client socket's drain.
 */
class RelayHandler implements Dispatcher.DispatchHandler {
  readonly #w: ResponseWriter;
  readonly #r: Request;
  readonly #res: ServerResponse | undefined;
  readonly #upstream: UpstreamRequest;
  readonly #options: ResolvedProxyOptions;
  readonly #resolve: () => void;
  readonly #reject: (error: Error) => void;
  #pending: Buffer[] | undefined;
  /** Body bytes still due by the upstream's Content-Length; -1 when it sent none (chunked, close-delimited). */
  #remaining = -1;
  #ended = false;
  #settled = false;
  #onAbort: (() => void) | undefined;
  #onClose: (() => void) | undefined;

  constructor(
    w: ResponseWriter,
    r: Request,
    upstream: UpstreamRequest,
    options: ResolvedProxyOptions,
    resolve: () => void,
    reject: (e: Error) => void,
  ) {
    this.#w = w;
    this.#r = r;
    this.#res = w.raw;
    this.#upstream = upstream;
    this.#options = options;
    this.#resolve = resolve;
    this.#reject = reject;
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    const res = this.#res;
    if (res === undefined) {
      const signal = this.#r.signal;
      if (signal.aborted) {
        controller.abort(signal.reason as Error);
        return;
      }
      this.#onAbort = () => controller.abort(signal.reason as Error);
      signal.addEventListener('abort', this.#onAbort, { once: true });
      return;
    }
    // Over a Node response, its 'close' covers both ways the relay loses its reader: the client went
    // away, or someone else (the timeout middleware's 504) finished the response. Listening there
    // skips the AbortController + EventTarget that `r.signal` would build for every request.
    const reason = this.#r.state.abortReason;
    if (reason !== undefined || res.destroyed || res.writableEnded) {
      controller.abort(reason instanceof Error ? reason : new ClientDisconnectedError());
      return;
    }
    this.#onClose = () => {
      if (this.#settled) return;
      const why = this.#r.state.abortReason;
      controller.abort(why instanceof Error ? why : new ClientDisconnectedError());
    };
    // `on`, not `once`: 'close' fires at most once and #settle removes the listener, so the wrapper
    // closure `once` allocates per request buys nothing.
    res.on('close', this.#onClose);
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    if (statusCode < 200) return;
    const length = headers['content-length'];
    if (typeof length === 'string' && DIGITS.test(length)) this.#remaining = Number(length);
    const answer: UpstreamResponse = {
      status: statusCode,
      headers: copyResponseHeaders(headers),
      backend: this.#upstream.backend,
    };
    const modify = this.#options.modifyResponse;
    const result = modify === undefined ? undefined : modify(answer, this.#r);
    if (!isPromise(result)) {
      this.#writeHead(answer);
      return;
    }
    // Hold the body until the modifier settles; chunks the parser already had are queued.
    this.#pending = [];
    controller.pause();
    result.then(
      () => {
        const queued = this.#pending!;
        this.#pending = undefined;
        this.#writeHead(answer);
        for (const chunk of queued) this.#write(controller, chunk);
        if (this.#ended) this.#finish();
        else controller.resume();
      },
      (error: unknown) => controller.abort(error instanceof Error ? error : new Error('modifyResponse failed')),
    );
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#pending !== undefined) this.#pending.push(chunk);
    else this.#write(controller, chunk);
  }

  onResponseEnd(): void {
    this.#ended = true;
    if (this.#pending === undefined) this.#finish();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.#settle(error);
  }

  #writeHead(answer: UpstreamResponse): void {
    const w = this.#w;
    for (const name in answer.headers) w.setHeader(name, answer.headers[name]!);
    w.writeHead(answer.status);
    // A streamed answer (SSE, chunked) must show its head at once, not with its first event.
    if (answer.headers['content-length'] === undefined) w.write('');
  }

  #write(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    const w = this.#w;
    if (this.#remaining > 0 && (this.#remaining -= chunk.length) === 0 && !w.finished) {
      // The declared length is complete, so this is the last chunk (undici's end follows): ending
      // with it skips a separate write, its cork/uncork tick and a later end. (Handing Node a latin1
      // string instead, so it joins head and body into one string, measured 6.5 k instructions per
      // request worse in callgrind: the UTF-8 re-encode and length scans cost more than the writev
      // entry they save.)
      w.end(chunk);
      return;
    }
    if (!w.write(chunk)) {
      controller.abort(new Error('response writer closed'));
      return;
    }
    const res = this.#res;
    if (res !== undefined && res.writableNeedDrain && !controller.paused) {
      controller.pause();
      res.once('drain', () => controller.resume());
    }
  }

  #finish(): void {
    this.#w.end();
    this.#settle(undefined);
  }

  #settle(error: Error | undefined): void {
    if (this.#settled) return;
    this.#settled = true;
    if (this.#onAbort !== undefined) this.#r.signal.removeEventListener('abort', this.#onAbort);
    if (this.#onClose !== undefined) this.#res!.removeListener('close', this.#onClose);
    if (error === undefined) this.#resolve();
    else this.#reject(error);
  }
}

/** Sends `upstream` to its backend and relays the answer to `w`; rejects with undici's error on failure. */
export function relayExchange(
  w: ResponseWriter,
  r: Request,
  upstream: UpstreamRequest,
  body: Readable | Buffer | null,
  options: ResolvedProxyOptions,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const handler = new RelayHandler(w, r, upstream, options, resolve, reject);
    upstream.backend.dispatcher.dispatch(
      {
        origin: upstream.backend.origin,
        method: upstream.method as Dispatcher.HttpMethod,
        path: upstream.path,
        headers: upstream.headers,
        body,
        headersTimeout: options.headersTimeoutMs,
        bodyTimeout: options.bodyTimeoutMs,
      },
      handler,
    );
  });
}
