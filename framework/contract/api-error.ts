import { STATUS_CODES } from 'node:http';
import {
  ERROR_TYPES,
  getCategoryForStatus,
  getCodeForStatus,
  isErrorType,
  type ErrorCategory,
  type ErrorType,
} from './error-types.ts';

/** Error details sent on the wire as `error.details`. Values must be JSON-serialisable. */
export type ErrorDetails = Readonly<Record<string, unknown>>;

/** Everything an `APIError` can be built from; unset fields are derived (see `normalize`). */
export interface APIErrorInit {
  /** Canonical type; fixes status and category. */
  type?: ErrorType;
  /** Wire code; defaults to the type's code or the status's code. */
  code?: string;
  /** Client-safe message; defaults to the status text. Never put user input or secrets here. */
  message?: string;
  /** Status for untyped errors (400–599; anything else becomes 500). Ignored when `type` is set. */
  status?: number;
  /** Category for untyped errors; derived from the status when unset. Ignored when `type` is set. */
  category?: ErrorCategory;
  details?: Record<string, unknown>;
  requestId?: string;
  /** Underlying error, kept as `cause` and never sent. */
  cause?: unknown;
}

// A brand instead of `instanceof`: two copies of the package can coexist in one process.
const BRAND: unique symbol = Symbol.for('plumego.api-error') as never;

/**
 * The one HTTP error type on the request path. Immutable once built: status, category and code are
 * already normalised against the canonical table, and details are a private deep copy.
 */
export class APIError extends Error {
  readonly [BRAND] = true;
  readonly status: number;
  readonly code: string;
  readonly category: ErrorCategory;
  /** Canonical type, or `undefined` for untyped errors. */
  readonly type: ErrorType | undefined;
  readonly details: ErrorDetails | undefined;
  /** Request id from the builder; the writer falls back to the request's id when empty. */
  readonly requestId: string;

  constructor(init: APIErrorInit = {}) {
    const n = normalize(init);
    super(n.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'APIError';
    this.status = n.status;
    this.code = n.code;
    this.category = n.category;
    this.type = n.type;
    this.details = n.details;
    this.requestId = init.requestId ?? '';
  }
}

interface Normalized {
  status: number;
  code: string;
  category: ErrorCategory;
  type: ErrorType | undefined;
  message: string;
  details: ErrorDetails | undefined;
}

function normalize(init: APIErrorInit): Normalized {
  let status: number;
  let category: ErrorCategory;
  let code: string;
  let type: ErrorType | undefined;
  if (init.type !== undefined && isErrorType(init.type)) {
    const meta = ERROR_TYPES[init.type];
    type = init.type;
    status = meta.status;
    category = meta.category;
    code = init.code || meta.code;
  } else {
    status = init.status ?? 500;
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      status = 500;
      category = 'server_error';
      code = 'INTERNAL_ERROR';
    } else {
      category = init.category ?? getCategoryForStatus(status);
      code = init.code || getCodeForStatus(status);
    }
  }
  const message = init.message || STATUS_CODES[status] || 'Error';
  const details = init.details && Object.keys(init.details).length > 0 ? cloneDetails(init.details) : undefined;
  return { status, code, category, type, message, details };
}

function cloneDetails(details: Record<string, unknown>): ErrorDetails {
  try {
    return Object.freeze(structuredClone(details));
  } catch {
    // Values structuredClone refuses (functions, class instances with symbols) are stringified.
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(details)) out[k] = typeof v === 'object' && v !== null ? String(v) : v;
    return Object.freeze(out);
  }
}

/** True when `value` is an `APIError` from any copy of this package. */
export function isAPIError(value: unknown): value is APIError {
  return typeof value === 'object' && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;
}

/** Finds the first `APIError` in `err` or its `cause` chain (bounded, cycle-safe). */
export function asAPIError(err: unknown): APIError | undefined {
  let cur: unknown = err;
  for (let depth = 0; depth < 32 && cur !== undefined && cur !== null; depth++) {
    if (isAPIError(cur)) return cur;
    cur = typeof cur === 'object' ? (cur as { cause?: unknown }).cause : undefined;
  }
  return undefined;
}

/**
 * Maps any thrown value to an `APIError`: an `APIError` in the cause chain wins; anything else is a
 * generic 500 whose message never echoes the original error.
 */
export function toAPIError(err: unknown): APIError {
  return asAPIError(err) ?? new APIError({ type: 'internal_error', message: 'internal server error', cause: err });
}

/** Shorthand for `new APIError(init)`. */
export function createAPIError(init: APIErrorInit): APIError {
  return new APIError(init);
}

/**
 * Fluent builder, mirroring the reference's `NewErrorBuilder()`:
 * `createErrorBuilder().type('resource_not_found').code('ITEM_NOT_FOUND').message('item not found').build()`.
 */
export class ErrorBuilder {
  readonly #init: APIErrorInit = {};
  readonly #details: Record<string, unknown> = {};

  type(type: ErrorType): this {
    this.#init.type = type;
    return this;
  }
  code(code: string): this {
    this.#init.code = code;
    return this;
  }
  message(message: string): this {
    this.#init.message = message;
    return this;
  }
  status(status: number): this {
    this.#init.status = status;
    return this;
  }
  category(category: ErrorCategory): this {
    this.#init.category = category;
    return this;
  }
  detail(key: string, value: unknown): this {
    this.#details[key] = value;
    return this;
  }
  details(details: Record<string, unknown>): this {
    Object.assign(this.#details, details);
    return this;
  }
  requestId(id: string): this {
    this.#init.requestId = id;
    return this;
  }
  wrap(cause: unknown): this {
    this.#init.cause = cause;
    return this;
  }
  build(): APIError {
    return new APIError({ ...this.#init, details: this.#details });
  }
}

/** Starts a fluent `ErrorBuilder`. */
export function createErrorBuilder(): ErrorBuilder {
  return new ErrorBuilder();
}
