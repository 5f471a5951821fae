import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'plumego/contract';
import {
  createPrincipal,
  extractBearerToken,
  SecurityError,
  type Authenticator,
  type Principal,
} from 'plumego/security';
import type { TenantUser } from '../config.ts';

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * Bearer tokens from configuration → principals carrying their tenant. Every configured digest is
 * compared (timing-safe), so the time taken says nothing about which token came close.
 */
export function createTokenTableAuthenticator(users: readonly TenantUser[]): Authenticator {
  const table = users.map((u) => ({
    digest: digest(u.token),
    principal: createPrincipal({ subject: u.subject, tenantId: u.tenantId }),
  }));
  return {
    authenticate(r: Request): Principal {
      const presented = extractBearerToken(r.header('authorization'));
      if (!presented) throw new SecurityError('PLUMEGO_ERR_AUTH_UNAUTHENTICATED');
      const d = digest(presented);
      let found: Principal | undefined;
      for (const entry of table) if (timingSafeEqual(entry.digest, d)) found = entry.principal;
      if (!found) throw new SecurityError('PLUMEGO_ERR_AUTH_INVALID_TOKEN');
      return found;
    },
  };
}
