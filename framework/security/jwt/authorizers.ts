import type { Authorizer } from '../authn/authenticator.ts';
import type { Principal } from '../authn/principal.ts';

/** Role and permission requirements; every non-empty list must be satisfied. */
export interface AuthzPolicy {
  anyRole?: readonly string[];
  allRoles?: readonly string[];
  anyPermission?: readonly string[];
  allPermissions?: readonly string[];
  /** Allow everyone when every list is empty. Default: false — an empty policy denies. */
  allowEmpty?: boolean;
}

/** Checks the principal's roles and scopes (permissions) against a fixed policy. */
export function createPolicyAuthorizer(policy: AuthzPolicy): Authorizer {
  const anyRole = [...(policy.anyRole ?? [])];
  const allRoles = [...(policy.allRoles ?? [])];
  const anyPermission = [...(policy.anyPermission ?? [])];
  const allPermissions = [...(policy.allPermissions ?? [])];
  const empty = anyRole.length + allRoles.length + anyPermission.length + allPermissions.length === 0;
  const allowEmpty = policy.allowEmpty ?? false;
  return {
    authorize(principal: Principal): boolean {
      if (empty) return allowEmpty;
      const roles = new Set(principal.roles);
      const perms = new Set(principal.scopes);
      if (anyRole.length > 0 && !anyRole.some((r) => roles.has(r))) return false;
      if (!allRoles.every((r) => roles.has(r))) return false;
      if (anyPermission.length > 0 && !anyPermission.some((p) => perms.has(p))) return false;
      return allPermissions.every((p) => perms.has(p));
    },
  };
}

export interface PermissionAuthorizerOptions {
  /** Between resource and action in a permission string. Default: `':'`. */
  separator?: string;
  /** Allow a check with an empty action or resource. Default: false. */
  allowEmpty?: boolean;
}

/**
 * Grants `action` on `resource` when the principal's scopes hold `resource:action`, `resource:*`,
 * `*:action` or `*`. Wildcards are whole segments only; `res*` matches nothing.
 */
export function createPermissionAuthorizer(options: PermissionAuthorizerOptions = {}): Authorizer {
  const sep = options.separator ?? ':';
  if (sep === '' || sep === '*') throw new TypeError('permission separator must be a non-empty string other than "*"');
  const allowEmpty = options.allowEmpty ?? false;
  return {
    authorize(principal: Principal, action: string, resource: string): boolean {
      if (action === '' || resource === '') return allowEmpty;
      const scopes = new Set(principal.scopes);
      return (
        scopes.has(`${resource}${sep}${action}`) ||
        scopes.has(`${resource}${sep}*`) ||
        scopes.has(`*${sep}${action}`) ||
        scopes.has('*')
      );
    },
  };
}
