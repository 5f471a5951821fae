import { AI_PROVIDER_ERROR_CODES, AiProviderError, isAiProviderError } from './errors.ts';

/** Why a call scope ended early. */
export type ScopeEnd = 'aborted' | 'timeout' | 'stalled';

/**
 * One upstream call's cancellation: the caller's signal, a whole-call deadline and an idle (stall) deadline
 * all abort the same controller, and `end` remembers which fired first so errors can say why.
 */
export interface CallScope {
  readonly signal: AbortSignal;
  readonly end: ScopeEnd | undefined;
  /** Restarts the idle timer; call it on every chunk received. */
  touch(): void;
  /** Ends the call as aborted by its consumer (a push-mode stream's `cancel`). */
  abort(): void;
  dispose(): void;
}

export function openCallScope(
  callerSignal: AbortSignal | undefined,
  timeoutMs: number,
  idleTimeoutMs: number,
): CallScope {
  return new Scope(callerSignal, timeoutMs, idleTimeoutMs);
}

// Timer callbacks take the scope as an argument, so opening a scope creates no closures (every stream opens one).
function onDeadline(scope: Scope): void {
  scope.stop('timeout');
}

function onIdle(scope: Scope): void {
  scope.stop('stalled');
}

/** The scope as one object: it is its own listener on the caller's signal (`handleEvent`). */
class Scope implements CallScope {
  readonly #controller = new AbortController();
  readonly #caller: AbortSignal | undefined;
  readonly #idleTimeoutMs: number;
  readonly #deadline: NodeJS.Timeout | undefined;
  #idle: NodeJS.Timeout | undefined;
  #end: ScopeEnd | undefined;

  constructor(callerSignal: AbortSignal | undefined, timeoutMs: number, idleTimeoutMs: number) {
    this.#caller = callerSignal;
    this.#idleTimeoutMs = idleTimeoutMs;
    if (callerSignal?.aborted) this.stop('aborted');
    // Without `{ once: true }`: `stop` runs once whatever fires, and dispose removes the listener.
    else callerSignal?.addEventListener('abort', this);
    this.#deadline = timeoutMs > 0 ? setTimeout(onDeadline, timeoutMs, this) : undefined;
    this.touch();
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get end(): ScopeEnd | undefined {
    return this.#end;
  }

  stop(why: ScopeEnd): void {
    if (this.#end !== undefined) return;
    this.#end = why;
    this.#controller.abort(
      new AiProviderError(
        why === 'aborted' ? AI_PROVIDER_ERROR_CODES.aborted : AI_PROVIDER_ERROR_CODES.timeout,
        `call ${why}`,
      ),
    );
  }

  /** The caller's signal fired. */
  handleEvent(): void {
    this.stop('aborted');
  }

  touch(): void {
    if (this.#idleTimeoutMs <= 0 || this.#end !== undefined) return;
    if (this.#idle) this.#idle.refresh();
    else this.#idle = setTimeout(onIdle, this.#idleTimeoutMs, this);
  }

  abort(): void {
    this.stop('aborted');
  }

  dispose(): void {
    clearTimeout(this.#deadline);
    clearTimeout(this.#idle);
    this.#caller?.removeEventListener('abort', this);
  }
}

function readRetryAfter(headers: unknown): number | undefined {
  const get = (headers as { get?: (name: string) => string | null } | undefined)?.get;
  const raw = typeof get === 'function' ? get.call(headers, 'retry-after') : undefined;
  if (!raw) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

function readVendorType(error: Record<string, unknown>): string | undefined {
  const body = error['error'] as Record<string, unknown> | undefined;
  const nested = body?.['error'] as Record<string, unknown> | undefined;
  const type = nested?.['type'] ?? body?.['type'] ?? error['type'] ?? error['code'];
  return typeof type === 'string' ? type : undefined;
}

/**
 * Maps whatever an SDK call threw to one typed error. The vendor's message is deliberately dropped: some
 * vendors echo a masked API key or prompt text in it, and neither may reach logs or clients.
 */
export function toProviderError(provider: string, error: unknown, scope: CallScope): AiProviderError {
  if (isAiProviderError(error)) return error;
  if (scope.end === 'aborted')
    return new AiProviderError(AI_PROVIDER_ERROR_CODES.aborted, `${provider}: call aborted by the caller`, {
      provider,
    });
  if (scope.end !== undefined) {
    return new AiProviderError(
      AI_PROVIDER_ERROR_CODES.timeout,
      `${provider}: call ${scope.end === 'stalled' ? 'stalled (no data within the idle timeout)' : 'timed out'}`,
      { provider, reason: scope.end },
    );
  }
  const e = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
  const status = typeof e['status'] === 'number' ? e['status'] : undefined;
  const upstreamType = readVendorType(e);
  const details = {
    provider,
    ...(status === undefined ? {} : { upstreamStatus: status }),
    ...(upstreamType === undefined ? {} : { upstreamType }),
  };
  if (status === undefined) {
    if (error instanceof SyntaxError)
      return new AiProviderError(AI_PROVIDER_ERROR_CODES.badResponse, `${provider}: malformed response body`, details);
    // A mid-stream `event: error` carries a vendor type but no HTTP status.
    if (upstreamType === 'overloaded_error')
      return new AiProviderError(AI_PROVIDER_ERROR_CODES.overloaded, `${provider}: overloaded`, details);
    if (upstreamType === 'rate_limit_error')
      return new AiProviderError(AI_PROVIDER_ERROR_CODES.rateLimited, `${provider}: rate limited`, details);
    if (upstreamType !== undefined)
      return new AiProviderError(
        AI_PROVIDER_ERROR_CODES.upstream,
        `${provider}: upstream error (${upstreamType})`,
        details,
      );
    return new AiProviderError(AI_PROVIDER_ERROR_CODES.upstream, `${provider}: connection failed`, details);
  }
  const retryAfterSeconds = readRetryAfter(e['headers']);
  const withRetry = retryAfterSeconds === undefined ? details : { ...details, retryAfterSeconds };
  if (status === 429)
    return new AiProviderError(AI_PROVIDER_ERROR_CODES.rateLimited, `${provider}: rate limited (429)`, withRetry);
  if (status === 529 || status === 503 || upstreamType === 'overloaded_error') {
    return new AiProviderError(AI_PROVIDER_ERROR_CODES.overloaded, `${provider}: overloaded (${status})`, withRetry);
  }
  if (status === 401 || status === 403)
    return new AiProviderError(AI_PROVIDER_ERROR_CODES.auth, `${provider}: authentication failed (${status})`, details);
  if (status === 408 || status === 504)
    return new AiProviderError(AI_PROVIDER_ERROR_CODES.timeout, `${provider}: upstream timeout (${status})`, details);
  if (status >= 400 && status < 500)
    return new AiProviderError(
      AI_PROVIDER_ERROR_CODES.invalidRequest,
      `${provider}: request rejected (${status})`,
      details,
    );
  return new AiProviderError(AI_PROVIDER_ERROR_CODES.upstream, `${provider}: upstream error (${status})`, details);
}

export function badResponse(provider: string, what: string): AiProviderError {
  return new AiProviderError(AI_PROVIDER_ERROR_CODES.badResponse, `${provider}: ${what}`, { provider });
}

/** Parses streamed tool-call arguments; a model that produced invalid JSON is a bad response, not a crash. */
export function parseArguments(provider: string, json: string): Record<string, unknown> {
  if (json.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw badResponse(provider, 'tool call arguments are not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw badResponse(provider, 'tool call arguments are not a JSON object');
  return value as Record<string, unknown>;
}
