import { APIError, readJson, writeError, writeResponse, type Handler } from 'plumego/contract';
import type { StructuredLogger } from 'plumego/log';
import { isSecurityError, verifyPassword, type JwtManager } from 'plumego/security';
import type { UserRecord } from '../config.ts';

export interface AuthHandlerDeps {
  jwt: JwtManager;
  users: readonly UserRecord[];
  /** A hash of a random password, verified for unknown users so timing does not reveal who exists. */
  dummyHash: string;
  logger: StructuredLogger;
}

const loginFailed = new APIError({
  type: 'unauthorized_request',
  code: 'AUTH_LOGIN_FAILED',
  message: 'invalid username or password',
});
const badLogin = new APIError({
  type: 'validation_failure',
  code: 'AUTH_LOGIN_INVALID',
  message: 'username and password are required strings',
});
const badRefresh = new APIError({
  type: 'validation_failure',
  code: 'AUTH_REFRESH_INVALID',
  message: 'refresh_token is required',
});

/** POST /api/v1/auth/token `{username, password}` → a token pair. */
export function createLoginHandler(deps: AuthHandlerDeps): Handler {
  const byName = new Map(deps.users.map((u) => [u.username, u]));
  return async (w, r) => {
    const body = (await readJson(r)) as { username?: unknown; password?: unknown } | null;
    if (typeof body?.username !== 'string' || typeof body.password !== 'string' || body.username.length > 256) {
      writeError(w, r, badLogin);
      return;
    }
    const user = byName.get(body.username);
    let ok = false;
    try {
      ok = await verifyPassword(body.password, user?.passwordHash ?? deps.dummyHash);
    } catch (err) {
      // Over-long passwords and broken hashes are login failures, never 500s that reveal which.
      if (!isSecurityError(err)) throw err;
    }
    if (user === undefined || !ok) {
      deps.logger.warn('login failed', { request_id: r.ctx.requestId });
      writeError(w, r, loginFailed);
      return;
    }
    const pair = await deps.jwt.generateTokenPair(
      { sub: user.username },
      { roles: user.roles, permissions: user.permissions },
    );
    deps.logger.info('login succeeded', { subject: user.username, request_id: r.ctx.requestId });
    writeResponse(w, r, 200, pair);
  };
}

/** POST /api/v1/auth/refresh `{refresh_token}` → a new token pair. */
export function createRefreshHandler(deps: Pick<AuthHandlerDeps, 'jwt'>): Handler {
  return async (w, r) => {
    const body = (await readJson(r)) as { refresh_token?: unknown } | null;
    if (typeof body?.refresh_token !== 'string') {
      writeError(w, r, badRefresh);
      return;
    }
    try {
      writeResponse(w, r, 200, await deps.jwt.refreshTokenPair(body.refresh_token));
    } catch (err) {
      if (!isSecurityError(err)) throw err;
      w.setHeader('www-authenticate', 'Bearer error="invalid_token"');
      writeError(
        w,
        r,
        new APIError({
          type: err.code === 'PLUMEGO_ERR_AUTH_EXPIRED_TOKEN' ? 'expired_token' : 'invalid_token',
          message: err.message,
        }),
      );
    }
  };
}
