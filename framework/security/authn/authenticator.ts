import type { Request } from 'plumego/contract';
import type { Principal } from './principal.ts';

/**
 * Turns a request's credentials into a principal. Fails by throwing a `SecurityError` with code
 * `PLUMEGO_ERR_AUTH_UNAUTHENTICATED` (no or unusable credentials), `_INVALID_TOKEN` or
 * `_EXPIRED_TOKEN`; the auth middleware maps those to 401s.
 */
export interface Authenticator {
  authenticate(r: Request): Principal | Promise<Principal>;
}

/** Decides whether a principal may perform `action` on `resource`. False maps to 403. */
export interface Authorizer {
  authorize(principal: Principal, action: string, resource: string): boolean | Promise<boolean>;
}
