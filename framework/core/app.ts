import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import {
  BufferedResponseWriter,
  CLIENT_CLOSED_REQUEST_STATUS,
  NodeResponseWriter,
  composeMiddleware,
  createRequest,
  createRequestFromNode,
  isClientDisconnect,
  isPromise,
  writeError,
  type APIError,
  type Handler,
  type Middleware,
  type Request,
  type RequestInit,
  type ResponseWriter,
} from 'plumego/contract';
import { createDiscardLogger, flushLogSinks, type StructuredLogger } from 'plumego/log';
import { RouteRegistrar, Router, type RouteGroup, type RouteInfo, type RouteOptions } from 'plumego/router';
import {
  resolveAppConfig,
  resolveConnectionSettings,
  type AppConfig,
  type ConnectionSettings,
  type AppDependencies,
  type ResolvedAppConfig,
} from './config.ts';
import { CoreError } from './errors.ts';
import { createTestResponse, type TestResponse } from './in-process.ts';
import {
  endSocketWith,
  expectationFailed,
  getClientErrorResponse,
  hasAmbiguousFraming,
  malformedRequest,
  routeNotFound,
  serializeErrorResponse,
  tooManyConnections,
} from './raw-errors.ts';

/**
 * - `mutable`: routes and middleware can be registered.
 * - `handler_prepared`: the handler chain is compiled and frozen (first request, `app.request`,
 *   `app.listener`, or `prepareHandler()`); registration throws.
 * - `server_prepared`: additionally the Node server exists (`prepare()`/`listen()`). It stays in
 *   this state after shutdown; serve again with a new app.
 */
export type PreparationState = 'mutable' | 'handler_prepared' | 'server_prepared';

export interface ShutdownOptions {
  /** Deadline in ms after which remaining connections are closed. Default `config.shutdownTimeoutMs`. */
  timeoutMs?: number;
}

/** What `shutdown` observed. */
export interface ShutdownResult {
  /** True when the deadline passed and open connections were closed forcibly. */
  readonly forced: boolean;
  /** Connections open when shutdown began. */
  readonly openConnections: number;
}

/**
 * The application kernel: explicit route and middleware registration, one compiled handler, and the
 * Node server lifecycle. Global middleware (`use`) wraps the router, so it runs before route
 * matching and sees the matched route on `r.state` after `next` returns.
 */
export class App extends RouteRegistrar {
  readonly config: ResolvedAppConfig;
  readonly logger: StructuredLogger;
  /**
   * Node `request` listener: `http.createServer(app.listener)`, or mount inside express with
   * `expressApp.use('/prefix', app.listener)`. Prepares the handler on first use.
   */
  readonly listener: (req: IncomingMessage, res: ServerResponse) => void;
  readonly #router: Router;
  readonly #middleware: Middleware[] = [];
  #state: PreparationState = 'mutable';
  #handler: Handler | undefined;
  #server: Server | undefined;
  readonly #connections = new Set<Socket>();
  /** Open connections per peer address, kept only when `maxConnectionsPerIp` is set. */
  readonly #perIp = new Map<string, number>();
  readonly #conn: ConnectionSettings;
  #shutdown: Promise<ShutdownResult> | undefined;

  constructor(config: AppConfig = {}, deps: AppDependencies = {}) {
    super();
    this.config = resolveAppConfig(config);
    this.#conn = resolveConnectionSettings(config, deps);
    this.logger = deps.logger ?? createDiscardLogger();
    // Unmatched routes answer the envelope (through the hook), like every other error.
    this.#router = new Router({
      methodNotAllowed: this.config.methodNotAllowed,
      notFound: (w, r) => void writeError(w, r, routeNotFound),
    });
    this.listener = (req, res) => this.#serveNode(req, res);
  }

  get preparationState(): PreparationState {
    return this.#state;
  }

  /** The Node server once prepared. */
  get server(): Server | undefined {
    return this.#server;
  }

  /** Adds global middleware, first registered outermost. Atomic: all are checked before any is added. */
  use(...middleware: Middleware[]): this {
    this.#assertMutable('use_middleware');
    middleware.forEach((mw, i) => {
      if (typeof mw !== 'function')
        throw new CoreError('use_middleware', 'CORE_INVALID_MIDDLEWARE', `index=${i}: middleware must be a function`);
    });
    this.#middleware.push(...middleware);
    return this;
  }

  addRoute(method: string, path: string, handler: Handler, options?: RouteOptions): void {
    this.#assertMutable('add_route', `method=${method} path=${path}`);
    this.#router.addRoute(method, path, handler, options);
  }

  /** A route group under `prefix` with optional group middleware (see `RouteGroup`). */
  group(prefix: string, ...middleware: Middleware[]): RouteGroup {
    this.#assertMutable('add_route', `prefix=${prefix}`);
    return this.#router.group(prefix, ...middleware);
  }

  routes(): RouteInfo[] {
    return this.#router.routes();
  }

  /** Reverse routing by route name (see `Router.url`). */
  url(name: string, params?: Readonly<Record<string, string | number>>): string {
    return this.#router.url(name, params);
  }

  /** Freezes registration and compiles the handler once. Idempotent. */
  prepareHandler(): Handler {
    if (this.#handler !== undefined) return this.#handler;
    this.#router.freeze();
    if (this.#router.routes().length === 0) this.logger.warn('no routes registered');
    this.#handler = composeMiddleware(this.#middleware, this.#router.handler);
    this.#state = 'handler_prepared';
    return this.#handler;
  }

  /** Builds the Node server with the configured limits (no socket yet). Idempotent. */
  prepare(): Server {
    if (this.#server !== undefined) return this.#server;
    this.prepareHandler();
    const c = this.config;
    const opts = {
      maxHeaderSize: c.maxHeaderBytes,
      requestTimeout: c.readTimeoutMs,
      headersTimeout: c.readHeaderTimeoutMs,
      keepAliveTimeout: c.idleTimeoutMs,
      connectionsCheckingInterval: this.#conn.connectionCheckIntervalMs,
      // Checked in #serveNode instead, so the refusal is the envelope (Node's has no body).
      requireHostHeader: false,
    };
    let server: Server;
    try {
      server = c.tls
        ? (createHttpsServer({ ...opts, cert: c.tls.cert, key: c.tls.key }, this.listener) as unknown as Server)
        : createHttpServer(opts, this.listener);
    } catch (cause) {
      throw new CoreError('prepare_server', 'CORE_SERVER_SETUP', 'cannot create the server', { cause });
    }
    server.timeout = c.writeTimeoutMs;
    // Before Node's own listener, so a refused connection never reaches the parser's handlers.
    server.prependListener('connection', (socket: Socket) => this.#accept(socket));
    server.on('clientError', (err: Error & { code?: string }, socket: Socket) => this.#onClientError(err, socket));
    server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => this.#serveNode(req, res, true));
    server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) =>
      this.#refuse(req, res, expectationFailed),
    );
    this.#server = server;
    this.#state = 'server_prepared';
    return server;
  }

  /** Prepares and starts listening on `config.addr` (or the given port/host). */
  listen(port?: number, host?: string): Promise<AddressInfo> {
    if (this.#shutdown !== undefined)
      return Promise.reject(
        new CoreError('listen', 'CORE_SHUT_DOWN', 'the app was shut down; create a new app to serve again'),
      );
    const server = this.prepare();
    if (server.listening) return Promise.resolve(server.address() as AddressInfo);
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void =>
        reject(
          new CoreError('listen', 'CORE_LISTEN_FAILED', `addr=${this.config.addr}: ${err.message}`, { cause: err }),
        );
      server.once('error', onError);
      server.listen(port ?? this.config.port, host ?? this.config.host, () => {
        server.off('error', onError);
        const addr = server.address() as AddressInfo;
        this.logger.info('server listening', { addr: `${addr.address}:${addr.port}` });
        resolve(addr);
      });
    });
  }

  /**
   * Stops accepting connections, lets in-flight requests finish, closes idle keep-alive sockets,
   * and at the deadline closes whatever is still open; then writes buffered log lines
   * (`flushLogSinks`). Safe to call more than once.
   */
  shutdown(options: ShutdownOptions = {}): Promise<ShutdownResult> {
    // Buffered log lines (the last requests' access log, "server stopped") are written before the
    // promise settles, not left for the flush timer of a process that may be about to exit.
    this.#shutdown ??= this.#drain(options.timeoutMs ?? this.config.shutdownTimeoutMs).finally(flushLogSinks);
    return this.#shutdown;
  }

  /** Runs one request through the full stack without a socket (tests, tools). */
  async request(input: string | RequestInit, init: Omit<RequestInit, 'url'> = {}): Promise<TestResponse> {
    const handler = this.prepareHandler();
    const r = createRequest(typeof input === 'string' ? { ...init, url: input } : input);
    if (this.#conn.formatErrorBody !== undefined) r.state.formatError = this.#conn.formatErrorBody;
    const w = new BufferedResponseWriter();
    const ended = new Promise<void>((resolve) => (w.onEnd = resolve));
    try {
      const p = handler(w, r);
      if (isPromise(p)) await p.then(undefined, (err: unknown) => this.#fail(w, r, err));
    } catch (err) {
      this.#fail(w, r, err);
    }
    if (!w.finished) await ended;
    const body = w.getBody();
    // Match what a socket client sees: Node adds content-length to a single-chunk response.
    if (!w.hasHeader('content-length') && !w.hasHeader('transfer-encoding') && w.status !== 204 && w.status !== 304) {
      return createTestResponse(
        w.status || 200,
        [...w.getHeaderList(), 'content-length', String(body.length)],
        r.method === 'HEAD' ? Buffer.alloc(0) : body,
      );
    }
    return createTestResponse(w.status || 200, w.getHeaderList(), r.method === 'HEAD' ? Buffer.alloc(0) : body);
  }

  #accept(socket: Socket): void {
    // Reading the address once per connection also caches it on the socket, so logs of a request
    // whose client went away still have client_ip.
    const ip = socket.remoteAddress ?? '';
    const max = this.#conn.maxConnectionsPerIp;
    if (max > 0) {
      const n = this.#perIp.get(ip) ?? 0;
      if (n >= max) {
        endSocketWith(socket, serializeErrorResponse(tooManyConnections, this.#conn.formatErrorBody));
        return;
      }
      this.#perIp.set(ip, n + 1);
      socket.once('close', () => {
        const left = (this.#perIp.get(ip) ?? 1) - 1;
        if (left <= 0) this.#perIp.delete(ip);
        else this.#perIp.set(ip, left);
      });
    }
    this.#connections.add(socket);
    socket.once('close', () => this.#connections.delete(socket));
  }

  /** Node's parser or timeout rejected a request: answer the envelope instead of a bare status. */
  #onClientError(err: Error & { code?: string }, socket: Socket): void {
    if (err.code === 'ECONNRESET' || err.code === 'EPIPE') {
      socket.destroy();
      return;
    }
    endSocketWith(socket, serializeErrorResponse(getClientErrorResponse(err.code), this.#conn.formatErrorBody));
  }

  #serveNode(req: IncomingMessage, res: ServerResponse, expectsContinue = false): void {
    const handler = this.#handler ?? this.prepareHandler();
    const r = createRequestFromNode(req, res);
    const w = new NodeResponseWriter(res);
    const format = this.#conn.formatErrorBody;
    if (format !== undefined) r.state.formatError = format;
    if (hasAmbiguousFraming(req)) {
      this.#refuse(req, res, malformedRequest(), r, w);
      return;
    }
    if (expectsContinue) this.#deferContinue(req, res, r);
    try {
      const p = handler(w, r);
      if (p !== undefined && isPromise(p)) p.then(undefined, (err: unknown) => this.#fail(w, r, err));
    } catch (err) {
      this.#fail(w, r, err);
    }
  }

  /** Answers an error before any middleware runs, and closes the connection after it. */
  #refuse(
    req: IncomingMessage,
    res: ServerResponse,
    err: APIError,
    r = createRequestFromNode(req, res),
    w: ResponseWriter = new NodeResponseWriter(res),
  ): void {
    res.shouldKeepAlive = false;
    const format = this.#conn.formatErrorBody;
    if (format !== undefined) r.state.formatError = format;
    writeError(w, r, err);
  }

  /**
   * `Expect: 100-continue`: the 100 goes out when the body is first read (`readBody` after its
   * size check, or any stream consumer), never before a response that refuses the body (413, 401).
   */
  #deferContinue(req: IncomingMessage, res: ServerResponse, r: Request): void {
    // Until the client is asked for the body, a response ends the connection: a client that sends
    // the body anyway must not have it parsed as the next request.
    const keepAlive = res.shouldKeepAlive;
    res.shouldKeepAlive = false;
    let sent = false;
    const send = (): void => {
      if (sent || res.headersSent || res.destroyed) return;
      sent = true;
      res.shouldKeepAlive = keepAlive;
      res.writeContinue();
    };
    r.state.sendContinue = send;
    req.once('resume', send);
  }

  /** Last resort when no recovery middleware caught an error: log, answer 500 or cut the response. */
  #fail(w: ResponseWriter, r: Request, err: unknown): void {
    if (isClientDisconnect(err)) {
      // Nobody is left to answer, and it is not a server failure: no error log, no 500.
      if (w.finished) return;
      if (w.raw !== undefined) w.raw.destroy();
      else {
        w.writeHead(CLIENT_CLOSED_REQUEST_STATUS);
        w.end();
      }
      return;
    }
    try {
      this.logger.error('unhandled handler error', {
        method: r.method,
        route: r.state.routePattern,
        request_id: r.ctx.requestId,
        error_type: err instanceof Error ? err.name : typeof err,
      });
      if (!writeError(w, r, err) && !w.finished) {
        if (w.raw !== undefined) w.raw.destroy();
        else w.end();
      }
    } catch {
      w.raw?.destroy();
    }
  }

  #assertMutable(operation: 'add_route' | 'use_middleware', detail = ''): void {
    if (this.#state !== 'mutable') {
      throw new CoreError(
        operation,
        'CORE_FROZEN',
        `${detail ? detail + ': ' : ''}cannot register after the app has been prepared`,
      );
    }
  }

  /**
   * Closes connections that never sent a byte. Clients such as undici open a spare connection ahead of
   * the next request (one appears right after an aborted fetch); Node's `closeIdleConnections` only
   * counts sockets that finished a request as idle, so without this a drain waited for the header
   * timeout (~4 s) on a socket with nothing to answer. Checked at shutdown only: no cost per request.
   */
  #closeUnused(): void {
    for (const socket of this.#connections) if (socket.bytesRead === 0 && !socket.destroyed) socket.destroy();
  }

  async #drain(timeoutMs: number): Promise<ShutdownResult> {
    const server = this.#server;
    const open = this.#connections.size;
    if (server === undefined || !server.listening) return { forced: false, openConnections: open };
    this.logger.info('shutting down', { open_connections: open, timeout_ms: timeoutMs });
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    this.#closeUnused();
    let forced = false;
    const tick = setInterval(
      () => {
        // Sockets that finished their last response are idle now; close them as they appear.
        server.closeIdleConnections();
        this.#closeUnused();
        if (this.#connections.size > 0)
          this.logger.info('draining open connections', { open_connections: this.#connections.size });
      },
      Math.max(10, this.config.drainIntervalMs),
    );
    const deadline = new Promise<void>((resolve) =>
      setTimeout(() => {
        forced = this.#connections.size > 0;
        if (forced)
          this.logger.warn('shutdown deadline passed; closing connections', {
            open_connections: this.#connections.size,
          });
        server.closeAllConnections();
        resolve();
      }, timeoutMs).unref(),
    );
    try {
      await Promise.race([closed, deadline]);
      await closed;
    } finally {
      clearInterval(tick);
    }
    this.logger.info('server stopped', { forced });
    return { forced, openConnections: open };
  }
}

/** Creates an app (`AppConfig` defaults are safe; `deps.logger` defaults to a discard logger). */
export function createApp(config: AppConfig = {}, deps: AppDependencies = {}): App {
  return new App(config, deps);
}
