import { describe, it, expect } from 'vitest';
import {
  BufferedResponseWriter,
  composeMiddleware,
  createRequest,
  writeResponse,
  type Handler,
  type Middleware,
} from 'plumego/contract';
import { createLogger } from 'plumego/log';
import {
  InMemoryJwtKeyStore,
  JwtManager,
  SecurityError,
  createPermissionAuthorizer,
  createStaticTokenAuthenticator,
  principalFromContext,
  type Authenticator,
} from 'plumego/security';
import { authenticate, authorize } from './auth.ts';

const echo: Handler = (w, r) => writeResponse(w, r, 200, { subject: principalFromContext(r.ctx)?.subject ?? null });

async function run(middleware: Middleware[], headers: Record<string, string> = {}, url = '/') {
  const w = new BufferedResponseWriter();
  await composeMiddleware(middleware, echo)(w, createRequest({ url, headers }));
  const body = w.getBody().toString();
  return {
    status: w.status,
    body,
    json: JSON.parse(body) as { error?: { code: string; message: string }; data?: unknown },
    header: (n: string) => w.getHeader(n),
  };
}

const SECRET = 'static-secret-value-0123456789';

describe('authenticate', () => {
  const staticAuth = createStaticTokenAuthenticator(SECRET, { principal: { subject: 'svc' } });

  it('puts the principal into the context on success', async () => {
    const res = await run([authenticate(staticAuth)], { authorization: `Bearer ${SECRET}` });
    expect(res.status).toBe(200);
    expect(res.json.data).toEqual({ subject: 'svc' });
  });

  it('answers 401 with a Bearer challenge when credentials are missing', async () => {
    const res = await run([authenticate(staticAuth, { realm: 'api' })]);
    expect(res.status).toBe(401);
    expect(res.json.error).toMatchObject({ code: 'UNAUTHORIZED', message: 'authentication required' });
    expect(res.header('www-authenticate')).toBe('Bearer realm="api"');
  });

  it('answers 401 INVALID_TOKEN for a wrong token, never a query-string token', async () => {
    const wrong = await run([authenticate(staticAuth, { realm: 'api' })], { authorization: 'Bearer not-the-secret' });
    expect(wrong.json.error?.code).toBe('INVALID_TOKEN');
    expect(wrong.header('www-authenticate')).toBe('Bearer realm="api", error="invalid_token"');
    const query = await run([authenticate(staticAuth)], {}, `/?access_token=${SECRET}`);
    expect(query.status).toBe(401);
  });

  it('maps expired JWTs to EXPIRED_TOKEN and forbidden errors to 403', async () => {
    let now = Date.UTC(2026, 0, 1);
    const jwt = new JwtManager(new InMemoryJwtKeyStore(), { now: () => now });
    const pair = await jwt.generateTokenPair({ sub: 'u1' });
    now += 3_600_000;
    const expired = await run([authenticate(jwt.createAuthenticator())], {
      authorization: `Bearer ${pair.access_token}`,
    });
    expect(expired.status).toBe(401);
    expect(expired.json.error).toMatchObject({ code: 'EXPIRED_TOKEN', message: 'token expired' });
    const banned: Authenticator = {
      authenticate: () => {
        throw new SecurityError('PLUMEGO_ERR_AUTH_FORBIDDEN');
      },
    };
    const forbidden = await run([authenticate(banned)]);
    expect(forbidden.status).toBe(403);
    expect(forbidden.header('www-authenticate')).toBeUndefined();
  });

  it('fails closed when the authenticator crashes, without echoing the error', async () => {
    const broken: Authenticator = {
      authenticate: async () => {
        throw new Error('db password=hunter2 unreachable');
      },
    };
    const res = await run([authenticate(broken)]);
    expect(res.status).toBe(401);
    expect(res.body).not.toContain('hunter2');
  });

  it('lets errors from the handler pass through instead of mapping them to 401', async () => {
    const throwing: Handler = () => {
      throw new Error('handler bug');
    };
    const handler = composeMiddleware([authenticate(staticAuth)], throwing);
    await expect(
      Promise.resolve(
        handler(
          new BufferedResponseWriter(),
          createRequest({ url: '/', headers: { authorization: `Bearer ${SECRET}` } }),
        ),
      ),
    ).rejects.toThrow('handler bug');
  });

  it('never logs the token or the secret', async () => {
    const lines: string[] = [];
    const logger = createLogger({
      format: 'json',
      buffered: false,
      output: {
        write: (line: string) => {
          lines.push(line);
        },
      },
      level: 'debug',
    });
    await run([authenticate(staticAuth, { logger })], { authorization: 'Bearer leaked-token-value-123' });
    let now = Date.UTC(2026, 0, 1);
    const jwt = new JwtManager(new InMemoryJwtKeyStore(), { now: () => now });
    const pair = await jwt.generateTokenPair({ sub: 'u1' });
    now += 3_600_000;
    await run([authenticate(jwt.createAuthenticator(), { logger })], { authorization: `Bearer ${pair.access_token}` });
    expect(lines.length).toBe(2);
    const all = lines.join('\n');
    expect(all).toContain('authentication failed');
    expect(all).not.toContain('leaked-token-value-123');
    expect(all).not.toContain(SECRET);
    expect(all).not.toContain(pair.access_token.split('.')[2] as string);
  });

  it('validates options at construction', () => {
    expect(() => authenticate({} as never)).toThrow(TypeError);
    expect(() => authenticate(staticAuth, { realm: 'a"b' })).toThrow(TypeError);
  });
});

describe('authorize', () => {
  const staticAuth = createStaticTokenAuthenticator(SECRET, { principal: { subject: 'svc', scopes: ['items:read'] } });
  const perms = createPermissionAuthorizer();

  it('allows a granted action and forbids the rest', async () => {
    const ok = await run([authenticate(staticAuth), authorize(perms, 'read', 'items')], {
      authorization: `Bearer ${SECRET}`,
    });
    expect(ok.status).toBe(200);
    const denied = await run([authenticate(staticAuth), authorize(perms, 'write', 'items')], {
      authorization: `Bearer ${SECRET}`,
    });
    expect(denied.status).toBe(403);
    expect(denied.json.error).toMatchObject({ code: 'FORBIDDEN', message: 'access forbidden' });
  });

  it('answers 401 when no principal is present and 403 when the authorizer throws', async () => {
    expect((await run([authorize(perms, 'read', 'items')])).status).toBe(401);
    const crashing = {
      authorize: () => {
        throw new Error('policy store down');
      },
    };
    const res = await run([authenticate(staticAuth), authorize(crashing, 'read', 'items')], {
      authorization: `Bearer ${SECRET}`,
    });
    expect(res.status).toBe(403);
  });
});
