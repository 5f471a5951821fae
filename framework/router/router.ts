import {
  APIError,
  composeMiddleware,
  writeError,
  writeNotFound,
  type Handler,
  type Middleware,
  type Request,
  type ResponseWriter,
} from 'plumego/contract';
import { RouterError } from './errors.ts';
import { joinPaths, parsePattern, type ParsedPattern } from './pattern.ts';
import { normalizePath, normalizeRequestPath } from './path.ts';
import { buildPath } from './reverse.ts';
import { ANY, TrieNode, insertRoute, matchRoute, pickMethod } from './trie.ts';

/** Method name of `any()` routes: they serve every method not registered explicitly for their pattern. */
export const METHOD_ANY = ANY;

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const NO_VALUES: readonly string[] = Object.freeze([]);

export interface RouterOptions {
  /** Answer 405 with a sorted `Allow` header when the path exists for other methods. Default false (404). */
  methodNotAllowed?: boolean;
  /** Handler for unmatched requests. Default: the plain-text `404 page not found`. */
  notFound?: Handler;
}

export interface RouteOptions {
  /** Unique name for reverse routing with `url(name, params)`. */
  name?: string;
  /** Free-form tags, listed by `routes()` (x/openapi groups by them). */
  tags?: readonly string[];
  /** Middleware for this route only, inside any group middleware (first is outermost). */
  middleware?: readonly Middleware[];
}

/** A registered route, as listed by `routes()`. */
export interface RouteInfo {
  readonly method: string;
  /** Normalised pattern, e.g. `/users/:id`. */
  readonly path: string;
  readonly name: string;
  readonly tags: readonly string[];
  readonly paramNames: readonly string[];
  /**
   * Names of the middleware that wrap the route, outermost first (group chains, then the route's own;
   * an anonymous function is `anonymous`). Listed by `routes()` only: group middleware can still be
   * added after a route is registered, so it is read when the list is asked for.
   */
  readonly middleware?: readonly string[];
}

/** A match found by `Router.match` (tools and tests; dispatch does not allocate this). */
export interface RouteMatch {
  readonly route: RouteInfo;
  readonly params: Readonly<Record<string, string>>;
}

interface GroupLike {
  readonly parent: GroupLike | undefined;
  readonly middleware: readonly Middleware[];
}

class RouteEntry {
  compiled: Handler;
  constructor(
    readonly info: RouteInfo,
    readonly pattern: ParsedPattern,
    readonly handler: Handler,
    readonly routeMiddleware: readonly Middleware[],
    readonly group: GroupLike | undefined,
  ) {
    this.compiled = handler;
  }
}

/** Registration methods shared by the router and its groups. */
export abstract class RouteRegistrar {
  /** Registers `handler` for `method` and `path` (relative to this group's prefix). Throws `RouterError`. */
  abstract addRoute(method: string, path: string, handler: Handler, options?: RouteOptions): void;
  get(path: string, handler: Handler, options?: RouteOptions): void {
    this.addRoute('GET', path, handler, options);
  }
  head(path: string, handler: Handler, options?: RouteOptions): void {
    this.addRoute('HEAD', path, handler, options);
  }
  post(path: string, handler: Handler, options?: RouteOptions): void {
    this.addRoute('POST', path, handler, options);
  }
  put(path: string, handler: Handler, options?: RouteOptions): void {
    this.addRoute('PUT', path, handler, options);
  }
  patch(path: string, handler: Handler, options?: RouteOptions): void {
    this.addRoute('PATCH', path, handler, options);
  }
  delete(path: string, handler: Handler, options?: RouteOptions): void {
    this.addRoute('DELETE', path, handler, options);
  }
  options(path: string, handler: Handler, options?: RouteOptions): void {
    this.addRoute('OPTIONS', path, handler, options);
  }
  /** Registers for every method not registered explicitly at this path. */
  any(path: string, handler: Handler, options?: RouteOptions): void {
    this.addRoute(METHOD_ANY, path, handler, options);
  }
}

/**
 * A set of routes under a common prefix with their own middleware. Group middleware runs after
 * routing (only for the group's routes), inside the app's global middleware; a nested group's
 * middleware runs inside its parent's. Middleware added with `use` applies to every route of the
 * group, including routes registered before the call (chains are compiled when the router freezes).
 */
export class RouteGroup extends RouteRegistrar implements GroupLike {
  readonly middleware: Middleware[] = [];
  constructor(
    private readonly router: Router,
    readonly prefix: string,
    readonly parent: RouteGroup | undefined,
  ) {
    super();
  }
  addRoute(method: string, path: string, handler: Handler, options?: RouteOptions): void {
    this.router.register(this, method, joinPaths(this.prefix, path), handler, options);
  }
  /** Adds group middleware (first registered is outermost). */
  use(...middleware: Middleware[]): this {
    this.router.assertMutable('use');
    for (const mw of middleware) {
      if (typeof mw !== 'function')
        throw new RouterError('ROUTER_INVALID_HANDLER', 'group middleware must be functions');
    }
    this.middleware.push(...middleware);
    return this;
  }
  /** A nested group; its prefix is appended to this one's. */
  group(prefix: string, ...middleware: Middleware[]): RouteGroup {
    const g = new RouteGroup(this.router, joinPaths(this.prefix, checkPrefix(prefix)), this);
    return g.use(...middleware);
  }
}

/** A group prefix is validated like a pattern and kept in its normalised form (`//api/` → `/api`). */
function checkPrefix(prefix: string): string {
  return parsePattern(prefix).path;
}

/**
 * Segment-trie router. Static segments beat `:params`, which beat a terminal `*wildcard`; a
 * static-path map answers parameterless routes before the trie. The most specific pattern wins
 * first; between routes of the same pattern the method decides: the exact method, then GET for
 * HEAD, then ANY. Requests are split on raw `/` and each segment is decoded afterwards, so `%2F`
 * stays inside its parameter; malformed encoding and dot segments answer 400 `BAD_REQUEST`. The
 * matched pattern, name and params are written to `r.state`, where outer middleware can read them
 * after `next` returns.
 */
export class Router extends RouteRegistrar {
  /** The dispatching handler; pass it to `composeMiddleware` or a server. */
  readonly handler: Handler;
  readonly #root = new TrieNode<RouteEntry>();
  /** Parameterless patterns by normalised path, then method: one map lookup for the common case. */
  readonly #statics = new Map<string, Map<string, RouteEntry>>();
  readonly #methods = new Set<string>();
  readonly #entries: RouteEntry[] = [];
  readonly #named = new Map<string, RouteEntry>();
  #methodNotAllowed: boolean;
  readonly #notFound: Handler | undefined;
  #frozen = false;

  constructor(options: RouterOptions = {}) {
    super();
    this.#methodNotAllowed = options.methodNotAllowed ?? false;
    this.#notFound = options.notFound;
    this.handler = (w, r) => this.#dispatch(w, r);
  }

  get frozen(): boolean {
    return this.#frozen;
  }

  get methodNotAllowed(): boolean {
    return this.#methodNotAllowed;
  }

  setMethodNotAllowed(enabled: boolean): void {
    this.assertMutable('setMethodNotAllowed');
    this.#methodNotAllowed = enabled;
  }

  addRoute(method: string, path: string, handler: Handler, options?: RouteOptions): void {
    this.register(undefined, method, path, handler, options);
  }

  /** A group of routes under `prefix`, optionally with group middleware. */
  group(prefix: string, ...middleware: Middleware[]): RouteGroup {
    return new RouteGroup(this, checkPrefix(prefix), undefined).use(...middleware);
  }

  /** @internal Registration entry for the router and its groups. */
  register(group: GroupLike | undefined, method: string, path: string, handler: Handler, options?: RouteOptions): void {
    this.assertMutable('addRoute');
    if (typeof method !== 'string' || !TOKEN.test(method)) {
      throw new RouterError('ROUTER_INVALID_METHOD', `method ${JSON.stringify(method)} is not an HTTP token`);
    }
    // Requests carry upper-case methods (Node's parser accepts no others), so `get` means GET.
    method = method.toUpperCase();
    if (typeof handler !== 'function') {
      throw new RouterError('ROUTER_INVALID_HANDLER', `${method} ${path}: handler must be a function`);
    }
    const pattern = parsePattern(path);
    const name = options?.name ?? '';
    if (name !== '' && this.#named.has(name)) {
      throw new RouterError('ROUTER_DUPLICATE_NAME', `route name "${name}" is already used`);
    }
    const mws = options?.middleware ?? [];
    for (const mw of mws) {
      if (typeof mw !== 'function')
        throw new RouterError('ROUTER_INVALID_HANDLER', `${method} ${path}: middleware must be functions`);
    }
    const info: RouteInfo = Object.freeze({
      method,
      path: pattern.path,
      name,
      tags: Object.freeze([...(options?.tags ?? [])]),
      paramNames: pattern.paramNames,
    });
    const entry = new RouteEntry(info, pattern, handler, [...mws], group);
    insertRoute(this.#root, method, pattern, entry, `${method} ${pattern.path}`);
    if (pattern.isStatic) {
      let slot = this.#statics.get(pattern.path);
      if (slot === undefined) this.#statics.set(pattern.path, (slot = new Map()));
      slot.set(method, entry);
    }
    this.#methods.add(method);
    this.#entries.push(entry);
    if (name !== '') this.#named.set(name, entry);
  }

  /** @internal */
  assertMutable(operation: string): void {
    if (this.#frozen) throw new RouterError('ROUTER_FROZEN', `cannot ${operation} after the router is frozen`);
  }

  /** Compiles every route's middleware chain once; afterwards registration throws. Idempotent. */
  freeze(): void {
    if (this.#frozen) return;
    for (const e of this.#entries) {
      const chain: Middleware[] = [];
      for (let g = e.group; g !== undefined; g = g.parent) chain.unshift(...g.middleware);
      chain.push(...e.routeMiddleware);
      e.compiled = chain.length === 0 ? e.handler : composeMiddleware(chain, e.handler);
    }
    this.#frozen = true;
  }

  /** Registered routes in registration order (implicit HEAD is not listed). */
  routes(): RouteInfo[] {
    return this.#entries.map((e) => {
      const chain: Middleware[] = [];
      for (let g = e.group; g !== undefined; g = g.parent) chain.unshift(...g.middleware);
      chain.push(...e.routeMiddleware);
      return Object.freeze({ ...e.info, middleware: Object.freeze(chain.map((m) => m.name || 'anonymous')) });
    });
  }

  hasRoute(name: string): boolean {
    return this.#named.has(name);
  }

  /** Reverse routing: the escaped path of the route named `name`. Throws `RouterError`. */
  url(name: string, params: Readonly<Record<string, string | number>> = {}): string {
    const e = this.#named.get(name);
    if (e === undefined) throw new RouterError('ROUTER_UNKNOWN_ROUTE', `no route named "${name}"`);
    return buildPath(name, e.pattern, params);
  }

  /**
   * Resolves a request target `rawPath` (optionally with query and fragment) like dispatch does,
   * without serving it; undefined when dispatch would answer 400, 404 or 405. The method is
   * compared in upper case. `params` has no prototype, so any parameter name is an own key.
   */
  match(method: string, rawPath: string): RouteMatch | undefined {
    const path = normalizeRequestPath(rawPath);
    if (path === undefined) return undefined;
    const values: string[] = [];
    const e = this.#find(method.toUpperCase(), path, values, false);
    if (e === undefined) return undefined;
    const params: Record<string, string> = Object.create(null) as Record<string, string>;
    const names = e.pattern.paramNames;
    for (let i = 0; i < names.length; i++) params[names[i]!] = values[i]!;
    return { route: e.info, params };
  }

  /**
   * Methods (sorted, with implicit HEAD for GET) registered explicitly by some route that matches
   * `rawPath` — the `Allow` header of a 405. `ANY` routes are not listed: a path one of them
   * matches never answers 405.
   */
  allowedMethods(rawPath: string): string[] {
    const path = normalizeRequestPath(rawPath);
    return path === undefined ? [] : this.#allowed(path);
  }

  #find(method: string, path: string, values: string[], exact: boolean): RouteEntry | undefined {
    const slot = this.#statics.get(path);
    if (slot !== undefined) {
      const hit = pickMethod(slot, method, exact);
      if (hit !== undefined) return hit;
    }
    // Segments holding a `%` are decoded before they are compared (the static map holds decoded paths).
    return matchRoute(this.#root, path, 1, values, method, exact);
  }

  #allowed(path: string): string[] {
    const out = new Set<string>();
    // Only whether a route matches counts here; the parameter values collected are never read.
    const scratch: string[] = [];
    for (const m of this.#methods) {
      if (m === METHOD_ANY) continue;
      if (this.#find(m, path, scratch, true) !== undefined) {
        out.add(m);
        if (m === 'GET') out.add('HEAD');
      }
    }
    return [...out].sort();
  }

  #dispatch(w: ResponseWriter, r: Request): void | Promise<void> {
    if (!this.#frozen) this.freeze();
    const path = normalizePath(r.path);
    if (path === undefined) {
      writeError(w, r, new APIError({ type: 'bad_request', message: 'malformed request path' }));
      return;
    }
    const values: string[] = [];
    const e = this.#find(r.method, path, values, false);
    if (e === undefined) return this.#miss(w, r, path);
    const st = r.state;
    st.routePattern = e.info.path;
    st.routeName = e.info.name;
    st.paramNames = e.pattern.paramNames;
    st.paramValues = values.length === 0 ? NO_VALUES : values;
    return e.compiled(w, r);
  }

  #miss(w: ResponseWriter, r: Request, path: string): void | Promise<void> {
    if (this.#methodNotAllowed) {
      const allowed = this.#allowed(path);
      if (allowed.length > 0) {
        w.setHeader('allow', allowed.join(', '));
        writeError(w, r, new APIError({ type: 'method_not_allowed', message: 'method not allowed' }));
        return;
      }
    }
    if (this.#notFound !== undefined) return this.#notFound(w, r);
    writeNotFound(w);
  }
}
