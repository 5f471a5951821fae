import {
  readJson,
  writeResponse,
  type Context,
  type Handler,
  type Middleware,
  type Request,
  type ResponseWriter,
} from 'plumego/contract';
import { createValidator, type JsonSchema, type Schema, type Validator } from 'plumego/x/validate';
import { assertOption, isRestError, REST_ERROR_CODES, type RestError } from './errors.ts';
import {
  encodeCursor,
  listQueryOf,
  QueryProblem,
  resolveListOptions,
  type ListOptions,
  type ResolvedListOptions,
} from './query.ts';
import { QueryParams, type QueryTemplate } from './query-params.ts';
import type { Repository, Row } from './repository.ts';
import { fail } from './respond.ts';

export interface ResourceHooks {
  /** Runs after validation, before the repository; return the data to store (add server-owned fields). */
  beforeCreate?(data: Row, r: Request): Row | Promise<Row>;
  beforeUpdate?(id: string | number, data: Row, r: Request): Row | Promise<Row>;
}

export interface ResourceDefinition<T extends Row> {
  /** Collection name: the path segment (`/projects`), the tag and the route-name prefix. */
  name: string;
  /** Body of POST and PUT (and, made all-optional, of PATCH unless `patch` is given). */
  create: Schema<unknown>;
  patch?: Schema<unknown>;
  /** Output row, for the API document (default: undocumented object). */
  schema?: Schema<unknown>;
  /** `integer` (default) or `string` ids; a malformed id is a 404. */
  idType?: 'integer' | 'string';
  /** Fields no request body may set (default `['id']`, plus the version field). */
  immutable?: readonly string[];
  /** Integer field bumped on every write: enables `ETag` and `If-Match` (412 on a stale write). */
  versionField?: string;
  list?: ListOptions;
  hooks?: ResourceHooks;
  /** Shapes a stored row for the client (hide internal fields). Default: the row as stored. */
  transform?: (row: T, r: Request) => unknown;
  /** Middleware for every route of the resource (auth, tenant checks, body limits). */
  middleware?: readonly Middleware[];
  /**
   * Optional all-or-nothing batch routes: `POST /name/batch` (`{ items: [...] }` → 201 with the rows)
   * and `POST /name/batch-delete` (`{ ids: [...] }` → 204). Any failing item refuses the whole batch
   * (422 or 409, one detail per failing item, `items[i]` / `ids[i]`) and nothing is written. Needs the
   * repository's `createMany` / `deleteMany`.
   */
  batch?: BatchOptions;
}

export interface BatchOptions {
  create?: boolean;
  delete?: boolean;
  /** Most items in one batch (default 100, at most 1000); more is a 422 before anything is read further. */
  maxItems?: number;
}

/** Anything routes can be added to: an app, a group or a router. */
export interface RouteRegistrar {
  addRoute(
    method: string,
    path: string,
    handler: Handler,
    options?: { name?: string; tags?: readonly string[]; middleware?: readonly Middleware[] },
  ): void;
}

const NAME = /^[a-z][a-z0-9_-]{0,62}$/;

function makePartial(schema: JsonSchema): Schema<unknown> {
  const { required: _required, ...rest } = schema as JsonSchema & { required?: unknown };
  return { jsonSchema: { ...rest, minProperties: 1 } };
}

interface Compiled<T extends Row> {
  def: ResourceDefinition<T>;
  repo: Repository<T>;
  list: ResolvedListOptions;
  patch: Schema<unknown>;
  immutable: ReadonlySet<string>;
  createFields: readonly string[];
  validator: Validator;
  base: string;
  maxItems: number;
}

function parseId<T extends Row>(c: Compiled<T>, raw: string): string | number | undefined {
  if (c.def.idType === 'string') return raw === '' || raw.length > 200 ? undefined : raw;
  return /^[1-9]\d{0,14}$/.test(raw) ? Number(raw) : undefined;
}

function etagOf<T extends Row>(c: Compiled<T>, row: T): string | undefined {
  const v = c.def.versionField ? row[c.def.versionField] : undefined;
  return typeof v === 'number' ? `"v${v}"` : undefined;
}

/** `If-Match` → the version it names; `*` → any existing row; malformed or several tags → never matches. */
function ifMatchVersion(r: Request): number | '*' | 'none' | undefined {
  const h = r.header('if-match');
  if (h === undefined) return undefined;
  const v = h.trim();
  if (v === '*') return '*';
  const m = /^(?:W\/)?"v(\d{1,15})"$/.exec(v);
  return m ? Number(m[1]) : 'none';
}

function output<T extends Row>(c: Compiled<T>, row: T, r: Request): unknown {
  return c.def.transform ? c.def.transform(row, r) : row;
}

type Checked =
  | { ok: true; value: Row }
  | {
      ok: false;
      code: typeof REST_ERROR_CODES.immutableField | typeof REST_ERROR_CODES.validation;
      details: Record<string, string>;
    };

/** Immutable fields first (a precise refusal), then the schema; one detail per field. */
function checkBody<T extends Row>(c: Compiled<T>, body: unknown, schema: Schema<unknown>): Checked {
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
    const bad = Object.keys(body).filter((k) => c.immutable.has(k));
    if (bad.length > 0)
      return {
        ok: false,
        code: REST_ERROR_CODES.immutableField,
        details: Object.fromEntries(bad.map((f) => [f, 'is set by the server'])),
      };
  }
  const result = c.validator.validate(schema, body);
  if (result.ok) return { ok: true, value: result.value as Row };
  const details: Record<string, string> = {};
  for (const issue of result.issues.slice(0, 50)) details[issue.field === '' ? 'body' : issue.field] ??= issue.message;
  return { ok: false, code: REST_ERROR_CODES.validation, details };
}

async function readBody<T extends Row>(
  c: Compiled<T>,
  w: ResponseWriter,
  r: Request,
  schema: Schema<unknown>,
): Promise<Row | undefined> {
  // readJson throws contract's APIError with the right 4xx (malformed JSON, 413, 415).
  const checked = checkBody(c, await readJson(r), schema);
  if (checked.ok) return checked.value;
  const message =
    checked.code === REST_ERROR_CODES.immutableField
      ? `${Object.keys(checked.details).join(', ')} cannot be set by a request`
      : 'the request body failed validation';
  fail(w, r, checked.code, message, checked.details);
  return undefined;
}

/**
 * A RestError from a hook or a repository (409 conflict, 422 validation with its details, 404)
 * becomes its envelope; anything else propagates to recovery as a 500 without its message.
 */
function writeRestError(w: ResponseWriter, r: Request, err: unknown): boolean {
  if (!isRestError(err) || err.code === REST_ERROR_CODES.invalidOptions) return false;
  fail(w, r, err.code, err.message, Object.keys(err.details).length > 0 ? { ...err.details } : undefined);
  return true;
}

/**
 * What a repository gets of the request. The signal is created on first read (it costs an
 * AbortController), so only repositories that use it pay; a class keeps that getter off the
 * per-request allocation an object literal's accessor would be.
 */
class RequestRepositoryContext {
  readonly ctx: Context;
  readonly #r: Request;
  constructor(r: Request) {
    this.ctx = r.ctx;
    this.#r = r;
  }
  get signal(): AbortSignal {
    return this.#r.signal;
  }
}

function rc(r: Request): RequestRepositoryContext {
  return new RequestRepositoryContext(r);
}

/** One `<…>; rel="…"` entry of a Link header whose target differs from the request only by `page`. */
function pageLink(base: string, template: QueryTemplate, page: number, rel: string): string {
  return `<${base}${template.with(String(page))}>; rel="${rel}"`;
}

function listHandler<T extends Row>(c: Compiled<T>): Handler {
  return async (w, r) => {
    // Parsed from the raw query, not r.query: a plain query is split in place (see QueryParams).
    const params = QueryParams.parse(r.rawQuery);
    let q;
    try {
      q = listQueryOf(params, c.list);
    } catch (err) {
      if (err instanceof QueryProblem)
        return fail(w, r, REST_ERROR_CODES.invalidQuery, `query parameter ${err.parameter} ${err.problem}`, {
          [err.parameter]: err.problem,
        });
      throw err;
    }
    const { items, total } = await c.repo.list(q, rc(r));
    const data = c.def.transform ? items.map((row) => output(c, row, r)) : items;
    if (q.after !== undefined) {
      const last = items.at(-1);
      const next = items.length === q.limit && last ? encodeCursor(q.sort.map((s) => last[s.field] ?? null)) : null;
      if (next) w.setHeader('link', `<${r.path}?${params.toStringWith('cursor', next)}>; rel="next"`);
      return writeResponse(w, r, 200, data, { pagination: { page_size: q.limit, next_cursor: next } });
    }
    const page = q.offset / q.limit + 1;
    const pagination: Record<string, unknown> = { page, page_size: q.limit };
    const base = `${r.path}?`;
    const template = params.template('page');
    // Relations in a fixed order: first, last (with a total), next, prev.
    let link = pageLink(base, template, 1, 'first');
    let next = items.length === q.limit;
    if (total !== undefined) {
      const totalPages = Math.max(1, Math.ceil(total / q.limit));
      pagination['total'] = total;
      pagination['total_pages'] = totalPages;
      link += `, ${pageLink(base, template, totalPages, 'last')}`;
      next = page < totalPages;
    }
    if (next) link += `, ${pageLink(base, template, page + 1, 'next')}`;
    if (page > 1) link += `, ${pageLink(base, template, page - 1, 'prev')}`;
    w.setHeader('link', link);
    writeResponse(w, r, 200, data, { pagination });
  };
}

function getHandler<T extends Row>(c: Compiled<T>): Handler {
  return async (w, r) => {
    const id = parseId(c, r.param('id'));
    const row = id === undefined ? undefined : await c.repo.get(id, rc(r));
    if (!row) return fail(w, r, REST_ERROR_CODES.notFound, `${c.def.name} not found`);
    const etag = etagOf(c, row);
    if (etag) {
      w.setHeader('etag', etag);
      const inm = r.header('if-none-match');
      if (inm !== undefined && inm.split(',').some((t) => t.trim().replace(/^W\//, '') === etag)) {
        w.writeHead(304);
        return w.end();
      }
    }
    writeResponse(w, r, 200, output(c, row, r));
  };
}

function createHandler<T extends Row>(c: Compiled<T>): Handler {
  return async (w, r) => {
    let data = await readBody(c, w, r, c.def.create);
    if (!data) return;
    let row: T;
    try {
      if (c.def.hooks?.beforeCreate) data = await c.def.hooks.beforeCreate(data, r);
      row = await c.repo.create(data, rc(r));
    } catch (err) {
      if (writeRestError(w, r, err)) return;
      throw err;
    }
    const etag = etagOf(c, row);
    if (etag) w.setHeader('etag', etag);
    // From the request path, so the Location is right under any group prefix.
    w.setHeader('location', `${r.path.replace(/\/+$/, '')}/${encodeURIComponent(String(row['id']))}`);
    writeResponse(w, r, 201, output(c, row, r));
  };
}

function updateHandler<T extends Row>(c: Compiled<T>, replace: boolean): Handler {
  return async (w, r) => {
    const id = parseId(c, r.param('id'));
    if (id === undefined) return fail(w, r, REST_ERROR_CODES.notFound, `${c.def.name} not found`);
    const match = ifMatchVersion(r);
    if (match === 'none')
      return fail(w, r, REST_ERROR_CODES.preconditionFailed, 'If-Match does not name a version of this resource');
    let data = await readBody(c, w, r, replace ? c.def.create : c.patch);
    if (!data) return;
    // PUT replaces: an optional field left out is cleared, not kept.
    if (replace) for (const f of c.createFields) if (!(f in data)) data[f] = null;
    let result;
    try {
      if (c.def.hooks?.beforeUpdate) data = await c.def.hooks.beforeUpdate(id, data, r);
      result = await c.repo.update(
        id,
        data,
        { replace, ...(typeof match === 'number' ? { ifVersion: match } : {}) },
        rc(r),
      );
    } catch (err) {
      if (writeRestError(w, r, err)) return;
      throw err;
    }
    if (result === 'not_found') return fail(w, r, REST_ERROR_CODES.notFound, `${c.def.name} not found`);
    if (result === 'version_mismatch')
      return fail(w, r, REST_ERROR_CODES.preconditionFailed, 'the resource changed since the version in If-Match');
    const etag = etagOf(c, result);
    if (etag) w.setHeader('etag', etag);
    writeResponse(w, r, 200, output(c, result, r));
  };
}

function deleteHandler<T extends Row>(c: Compiled<T>): Handler {
  return async (w, r) => {
    const id = parseId(c, r.param('id'));
    if (id === undefined) return fail(w, r, REST_ERROR_CODES.notFound, `${c.def.name} not found`);
    const match = ifMatchVersion(r);
    if (match === 'none')
      return fail(w, r, REST_ERROR_CODES.preconditionFailed, 'If-Match does not name a version of this resource');
    const result = await c.repo.delete(id, typeof match === 'number' ? { ifVersion: match } : {}, rc(r));
    if (result === 'not_found') return fail(w, r, REST_ERROR_CODES.notFound, `${c.def.name} not found`);
    if (result === 'version_mismatch')
      return fail(w, r, REST_ERROR_CODES.preconditionFailed, 'the resource changed since the version in If-Match');
    writeResponse(w, r, 204);
  };
}

/** The batch body's array (`items` or `ids`), or undefined after answering 422. */
async function readBatch<T extends Row>(
  c: Compiled<T>,
  w: ResponseWriter,
  r: Request,
  field: 'items' | 'ids',
): Promise<unknown[] | undefined> {
  const body: unknown = await readJson(r);
  const list =
    typeof body === 'object' && body !== null && !Array.isArray(body)
      ? (body as Record<string, unknown>)[field]
      : undefined;
  const extra = typeof body === 'object' && body !== null ? Object.keys(body).filter((k) => k !== field) : [];
  if (!Array.isArray(list) || list.length === 0 || list.length > c.maxItems || extra.length > 0) {
    const problem =
      Array.isArray(list) && list.length > c.maxItems
        ? `at most ${c.maxItems} per batch`
        : `must be an object with only ${field}: an array of 1 to ${c.maxItems}`;
    fail(w, r, REST_ERROR_CODES.validation, `the batch is refused: ${field} ${problem}`, { [field]: problem });
    return undefined;
  }
  return list;
}

/** One detail per failing item: its first problem, `field: message`. */
function itemDetail(details: Record<string, unknown>): string {
  const [field, message] = Object.entries(details)[0] ?? ['body', 'is invalid'];
  return field === 'body' ? String(message) : `${field}: ${String(message)}`;
}

function batchCreateHandler<T extends Row>(c: Compiled<T>, repo: Required<Pick<Repository<T>, 'createMany'>>): Handler {
  return async (w, r) => {
    const list = await readBatch(c, w, r, 'items');
    if (!list) return;
    const problems: Record<string, string> = {};
    let code: typeof REST_ERROR_CODES.immutableField | typeof REST_ERROR_CODES.validation = REST_ERROR_CODES.validation;
    let rows: Row[] = [];
    list.forEach((item, i) => {
      const checked = checkBody(c, item, c.def.create);
      if (checked.ok) rows.push(checked.value);
      else {
        problems[`items[${i}]`] = itemDetail(checked.details);
        if (checked.code === REST_ERROR_CODES.immutableField) code = checked.code;
      }
    });
    if (Object.keys(problems).length > 0)
      return fail(w, r, code, 'the batch is refused: some items failed validation; nothing was written', problems);
    let created: T[];
    try {
      const hook = c.def.hooks?.beforeCreate;
      if (hook) {
        let first: RestError | undefined;
        const out: Row[] = [];
        for (const [i, row] of rows.entries()) {
          try {
            out.push(await hook(row, r));
          } catch (err) {
            if (!isRestError(err) || err.code === REST_ERROR_CODES.invalidOptions) throw err;
            first ??= err;
            problems[`items[${i}]`] = Object.keys(err.details).length > 0 ? itemDetail(err.details) : err.message;
          }
        }
        if (first)
          return fail(
            w,
            r,
            first.code,
            'the batch is refused: some items were rejected; nothing was written',
            problems,
          );
        rows = out;
      }
      created = await repo.createMany(rows, rc(r));
    } catch (err) {
      if (writeRestError(w, r, err)) return;
      throw err;
    }
    writeResponse(
      w,
      r,
      201,
      created.map((row) => output(c, row, r)),
    );
  };
}

function batchDeleteHandler<T extends Row>(c: Compiled<T>, repo: Required<Pick<Repository<T>, 'deleteMany'>>): Handler {
  return async (w, r) => {
    const list = await readBatch(c, w, r, 'ids');
    if (!list) return;
    const problems: Record<string, string> = {};
    const at = new Map<string, number>(); // id → its index in the request, for the details
    const ids: (string | number)[] = [];
    list.forEach((raw, i) => {
      const id = typeof raw === 'string' || typeof raw === 'number' ? parseId(c, String(raw)) : undefined;
      if (id === undefined) problems[`ids[${i}]`] = 'is not an id of this resource';
      else if (at.has(String(id))) problems[`ids[${i}]`] = 'is listed twice';
      else {
        at.set(String(id), i);
        ids.push(id);
      }
    });
    if (Object.keys(problems).length > 0)
      return fail(
        w,
        r,
        REST_ERROR_CODES.validation,
        'the batch is refused: some ids are invalid; nothing was deleted',
        problems,
      );
    const result = await repo.deleteMany(ids, rc(r));
    if (result.missing.length > 0) {
      for (const id of result.missing) problems[`ids[${at.get(String(id))}]`] = `no such ${c.def.name}`;
      return fail(
        w,
        r,
        REST_ERROR_CODES.validation,
        'the batch is refused: some rows do not exist; nothing was deleted',
        problems,
      );
    }
    writeResponse(w, r, 204);
  };
}

function optionsHandler(allow: string): Handler {
  return (w) => {
    w.setHeader('allow', allow);
    w.writeHead(204);
    w.end();
  };
}

export interface RegisterResourceOptions {
  /** Path prefix (default `''`): routes are `<prefix>/<name>` and `<prefix>/<name>/:id`. */
  prefix?: string;
  validator?: Validator;
}

/**
 * Registers the standard routes of a resource: `GET /name` (list), `POST /name`, `GET|PUT|PATCH|DELETE
 * /name/:id`, and `OPTIONS` on both. HEAD is answered by the router from GET. Returns the route list,
 * which `resourceDocs` turns into x/openapi hints, so one declaration feeds validation and docs.
 */
export function registerResource<T extends Row>(
  registrar: RouteRegistrar,
  def: ResourceDefinition<T>,
  repo: Repository<T>,
  options: RegisterResourceOptions = {},
): { method: string; path: string; name: string }[] {
  assertOption(NAME.test(def?.name ?? ''), 'name', 'must be a lower-case path segment');
  assertOption(typeof def.create?.jsonSchema === 'object', 'create', 'must be a schema (x/validate t.object(...))');
  assertOption(typeof repo?.list === 'function', 'repository', 'must implement Repository');
  const prefix = options.prefix ?? '';
  assertOption(
    prefix === '' || /^(\/[a-z0-9_-]+)+$/i.test(prefix),
    'prefix',
    "must be '' or start with '/' and not end with one",
  );
  const immutable = new Set([...(def.immutable ?? ['id']), ...(def.versionField ? [def.versionField] : [])]);
  const createFields = Object.keys((def.create.jsonSchema as { properties?: object }).properties ?? {});
  const maxItems = def.batch?.maxItems ?? 100;
  assertOption(
    Number.isInteger(maxItems) && maxItems >= 1 && maxItems <= 1000,
    'batch.maxItems',
    'must be an integer in 1..1000',
  );
  const c: Compiled<T> = {
    def,
    repo,
    list: resolveListOptions(def.list),
    patch: def.patch ?? makePartial(def.create.jsonSchema),
    immutable,
    createFields,
    validator: options.validator ?? createValidator(),
    base: `${prefix}/${def.name}`,
    maxItems,
  };
  const mw = def.middleware ?? [];
  const routes: [string, string, string, Handler][] = [
    ['GET', c.base, `${def.name}.list`, listHandler(c)],
    ['POST', c.base, `${def.name}.create`, createHandler(c)],
    ['OPTIONS', c.base, `${def.name}.options`, optionsHandler('GET, HEAD, POST, OPTIONS')],
    ['GET', `${c.base}/:id`, `${def.name}.get`, getHandler(c)],
    ['PUT', `${c.base}/:id`, `${def.name}.replace`, updateHandler(c, true)],
    ['PATCH', `${c.base}/:id`, `${def.name}.patch`, updateHandler(c, false)],
    ['DELETE', `${c.base}/:id`, `${def.name}.delete`, deleteHandler(c)],
    ['OPTIONS', `${c.base}/:id`, `${def.name}.item-options`, optionsHandler('GET, HEAD, PUT, PATCH, DELETE, OPTIONS')],
  ];
  const { createMany, deleteMany } = repo;
  if (def.batch?.create) {
    assertOption(typeof createMany === 'function', 'batch.create', 'needs a repository with createMany');
    routes.push([
      'POST',
      `${c.base}/batch`,
      `${def.name}.batch-create`,
      batchCreateHandler(c, { createMany: createMany!.bind(repo) }),
    ]);
  }
  if (def.batch?.delete) {
    assertOption(typeof deleteMany === 'function', 'batch.delete', 'needs a repository with deleteMany');
    routes.push([
      'POST',
      `${c.base}/batch-delete`,
      `${def.name}.batch-delete`,
      batchDeleteHandler(c, { deleteMany: deleteMany!.bind(repo) }),
    ]);
  }
  for (const [method, path, name, handler] of routes)
    registrar.addRoute(method, path, handler, { name, tags: [def.name], middleware: mw });
  return routes.map(([method, path, name]) => ({ method, path, name }));
}
