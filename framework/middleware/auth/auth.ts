import {
  APIError,
  isAPIError,
  writeError,
  type Handler,
  type Middleware,
  type Request,
  type ResponseWriter,
} from 'plumego/contract';
import { createDiscardLogger, type StructuredLogger } from 'plumego/log';
import {
  isSecurityError,
  principalFromContext,
  withPrincipal,
  type Authenticator,
  type Authorizer,
} from 'plumego/security';

export interface AuthenticateOptions {
  /** Realm named in `WWW-Authenticate: Bearer realm="…"`. Default: none (the header has no realm). */
  realm?: string;
  /** Where failed authentications are logged (code and reason only, never credentials). Default: discard. */
  logger?: StructuredLogger;
  /** Replaces the default error answer; receives the mapped `APIError`. */
  onError?: (w: ResponseWriter, r: Request, error: APIError) => void | Promise<void>;
}

const REALM = /^[\x20\x21\x23-\x5b\x5d-\x7e]{1,128}$/;

const ERRORS = {
  unauthenticated: new APIError({ type: 'unauthorized_request', message: 'authentication required' }),
  invalid: new APIError({ type: 'invalid_token', message: 'invalid token' }),
  expired: new APIError({ type: 'expired_token', message: 'token expired' }),
  forbidden: new APIError({ type: 'forbidden_request', message: 'access forbidden' }),
};

/**
 * Maps an authentication failure to the answer the client gets. Security errors map by code;
 * an `APIError` passes through; anything else (a crashed user store, say) is a plain 401 — the
 * request is refused either way, and the cause is never echoed.
 */
export function getAuthError(err: unknown): APIError {
  if (isAPIError(err)) return err;
  if (isSecurityError(err, 'PLUMEGO_ERR_AUTH_FORBIDDEN')) return ERRORS.forbidden;
  if (isSecurityError(err, 'PLUMEGO_ERR_AUTH_INVALID_TOKEN')) return ERRORS.invalid;
  if (isSecurityError(err, 'PLUMEGO_ERR_AUTH_EXPIRED_TOKEN')) return ERRORS.expired;
  return ERRORS.unauthenticated;
}

function challenge(realm: string | undefined, error: APIError): string {
  const params: string[] = [];
  if (realm !== undefined) params.push(`realm="${realm}"`);
  // RFC 6750 §3: tell the client the token itself was the problem.
  if (error.code === 'INVALID_TOKEN' || error.code === 'EXPIRED_TOKEN') params.push('error="invalid_token"');
  return params.length === 0 ? 'Bearer' : `Bearer ${params.join(', ')}`;
}

/**
 * Authenticates every request with `authenticator`; on success the principal is in `r.ctx`
 * (`principalFromContext`). Failures answer 401 `UNAUTHORIZED` / `INVALID_TOKEN` /
 * `EXPIRED_TOKEN` with `WWW-Authenticate: Bearer …`, or 403 `FORBIDDEN`. Only the authenticator
 * call is guarded; errors thrown by later handlers pass through untouched.
 */
export function authenticate(authenticator: Authenticator, options: AuthenticateOptions = {}): Middleware {
  if (typeof authenticator?.authenticate !== 'function')
    throw new TypeError('authenticate: authenticator must implement authenticate(r)');
  if (options.realm !== undefined && !REALM.test(options.realm))
    throw new TypeError('authenticate: realm must be 1-128 printable characters without quotes or backslashes');
  const logger = options.logger ?? createDiscardLogger();
  const realm = options.realm;
  const fail = async (w: ResponseWriter, r: Request, err: unknown): Promise<void> => {
    const error = getAuthError(err);
    logger.warn('authentication failed', {
      code: error.code,
      reason: isSecurityError(err) ? (err.reason ?? '') : '',
      error_type: err instanceof Error ? err.name : typeof err,
      request_id: r.ctx.requestId,
    });
    if (error.status === 401) w.setHeader('www-authenticate', challenge(realm, error));
    if (options.onError !== undefined) await options.onError(w, r, error);
    else writeError(w, r, error);
  };
  return (next: Handler): Handler =>
    async (w, r) => {
      let principal;
      try {
        principal = await authenticator.authenticate(r);
      } catch (err) {
        await fail(w, r, err);
        return;
      }
      await next(w, r.withContext(withPrincipal(r.ctx, principal)));
    };
}

/** What to check for one request. */
export interface AuthorizationTarget {
  action: string;
  resource: string;
}

/**
 * Lets a request through only when `authorizer` allows the authenticated principal to perform the
 * action on the resource `resolve(r)` names. No principal → 401; denied or a failing authorizer →
 * 403 `FORBIDDEN` (fail closed). Place it after `authenticate`.
 */
export function authorizeWith(
  authorizer: Authorizer,
  resolve: (r: Request) => AuthorizationTarget,
  options: Pick<AuthenticateOptions, 'logger' | 'realm'> = {},
): Middleware {
  if (typeof authorizer?.authorize !== 'function')
    throw new TypeError('authorize: authorizer must implement authorize(p, action, resource)');
  if (typeof resolve !== 'function') throw new TypeError('authorize: resolve must be a function');
  const logger = options.logger ?? createDiscardLogger();
  return (next: Handler): Handler =>
    async (w, r) => {
      const principal = principalFromContext(r.ctx);
      if (principal === undefined) {
        w.setHeader('www-authenticate', challenge(options.realm, ERRORS.unauthenticated));
        writeError(w, r, ERRORS.unauthenticated);
        return;
      }
      let allowed = false;
      try {
        const { action, resource } = resolve(r);
        allowed = (await authorizer.authorize(principal, action, resource)) === true;
      } catch (err) {
        if (isAPIError(err)) {
          writeError(w, r, err);
          return;
        }
        logger.error('authorizer failed', {
          error_type: err instanceof Error ? err.name : typeof err,
          request_id: r.ctx.requestId,
        });
      }
      if (!allowed) {
        writeError(w, r, ERRORS.forbidden);
        return;
      }
      await next(w, r);
    };
}

/** `authorizeWith` for a fixed action and resource. */
export function authorize(
  authorizer: Authorizer,
  action: string,
  resource: string,
  options: Pick<AuthenticateOptions, 'logger' | 'realm'> = {},
): Middleware {
  const target = Object.freeze({ action, resource });
  return authorizeWith(authorizer, () => target, options);
}
