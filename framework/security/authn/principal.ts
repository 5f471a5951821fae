import { createContextKey, type Context } from 'plumego/contract';

/** Who a request acts as, after authentication. */
export interface Principal {
  /** Stable identifier of the subject (user id, service name). Never empty. */
  readonly subject: string;
  readonly tenantId?: string;
  readonly roles: readonly string[];
  readonly scopes: readonly string[];
  /** Extra string claims the authenticator chose to expose (never secrets). */
  readonly claims: Readonly<Record<string, string>>;
}

/** Everything a `Principal` can be built from; lists and claims default to empty. */
export interface PrincipalInit {
  subject: string;
  tenantId?: string | undefined;
  roles?: readonly string[];
  scopes?: readonly string[];
  claims?: Readonly<Record<string, string>>;
}

/** Builds a frozen principal with copied lists, so later mutation of the inputs cannot leak in. */
export function createPrincipal(init: PrincipalInit): Principal {
  if (typeof init.subject !== 'string' || init.subject === '')
    throw new TypeError('principal subject must be a non-empty string');
  const principal: Principal = {
    subject: init.subject,
    ...(init.tenantId === undefined ? {} : { tenantId: init.tenantId }),
    roles: Object.freeze([...(init.roles ?? [])]),
    scopes: Object.freeze([...(init.scopes ?? [])]),
    claims: Object.freeze({ ...(init.claims ?? {}) }),
  };
  return Object.freeze(principal);
}

const principalKey = createContextKey<Principal>('plumego.principal');

/** Returns a context carrying a frozen copy of `principal`. */
export function withPrincipal(ctx: Context, principal: Principal): Context {
  return ctx.withValue(principalKey, createPrincipal(principal));
}

/** The authenticated principal, or undefined when the request was not authenticated. */
export function principalFromContext(ctx: Context): Principal | undefined {
  return ctx.value(principalKey);
}
