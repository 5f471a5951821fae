import { isPromise, type Handler, type Middleware, type Request, type ResponseWriter } from 'plumego/contract';
import type { TenantConfigSource, TenantPolicy } from './config.ts';
import { assertOption, TENANT_ERROR_CODES } from './errors.ts';
import { loadTenant, type LoadedTenant } from './load-config.ts';
import { refuse } from './respond.ts';

export interface TenantPolicyOptions {
  tenants: TenantConfigSource;
}

/**
 * Decoded path segments, or undefined when the path cannot be judged safely: malformed encoding,
 * dot segments or an encoded slash could make the policy see a different path than the router.
 * Scanned in place (no split and slice per request): empty segments are skipped, as before.
 */
function segmentsOf(path: string): string[] | undefined {
  const out: string[] = [];
  let start = path.indexOf('/') + 1;
  if (start === 0) return out;
  while (start <= path.length) {
    let end = path.indexOf('/', start);
    if (end < 0) end = path.length;
    if (end > start) {
      let seg = path.slice(start, end);
      if (seg.includes('%')) {
        try {
          seg = decodeURIComponent(seg);
        } catch {
          return undefined;
        }
        if (seg.includes('/')) return undefined;
      }
      if (seg === '.' || seg === '..') return undefined;
      out.push(seg);
    }
    start = end + 1;
  }
  return out;
}

interface PathPattern {
  readonly prefix: boolean;
  readonly want: readonly string[];
}

// Split once per allow-list, not on every request. The list an entry was made from is kept and
// compared (entry by entry, by identity): a list changed in place is compiled again, never judged stale.
const compiledPatterns = new WeakMap<
  readonly string[],
  { source: readonly string[]; patterns: readonly PathPattern[] }
>();

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function compile(patterns: readonly string[]): readonly PathPattern[] {
  const hit = compiledPatterns.get(patterns);
  if (hit !== undefined && sameList(hit.source, patterns)) return hit.patterns;
  const out = patterns.map((p) => {
    const prefix = p.endsWith('/*');
    return { prefix, want: (prefix ? p.slice(0, -2) : p).split('/').filter((s) => s !== '') };
  });
  compiledPatterns.set(patterns, { source: [...patterns], patterns: out });
  return out;
}

function matches({ prefix, want }: PathPattern, segments: readonly string[]): boolean {
  if (prefix ? segments.length < want.length : segments.length !== want.length) return false;
  for (let i = 0; i < want.length; i++) if (want[i] !== segments[i]) return false;
  return true;
}

function pathAllowed(patterns: readonly string[], segments: readonly string[]): boolean {
  for (const p of compile(patterns)) if (matches(p, segments)) return true;
  return false;
}

/** Whether `policy` lets `method` reach `path` (raw, percent-encoded). Exported for tests and admin tools. */
export function isAllowedByPolicy(policy: TenantPolicy | undefined, method: string, path: string): boolean {
  if (policy === undefined) return true;
  if (policy.methods !== undefined && !policy.methods.includes(method)) return false;
  if (policy.paths === undefined) return true;
  const segments = segmentsOf(path);
  return segments !== undefined && pathAllowed(policy.paths, segments);
}

function judgePolicy(next: Handler, w: ResponseWriter, r: Request, t: LoadedTenant | undefined): void | Promise<void> {
  if (!t) return;
  if (!isAllowedByPolicy(t.config.policy, r.method, r.path)) {
    return refuse(w, r, TENANT_ERROR_CODES.policyDenied, 'the tenant is not allowed this request');
  }
  return next(w, r);
}

/** The second stage: the tenant's method and path allow-lists (403 TENANT_POLICY_DENIED). */
export function tenantPolicy(options: TenantPolicyOptions): Middleware {
  assertOption(typeof options?.tenants?.get === 'function', 'tenants', 'must be a TenantConfigSource');
  const { tenants } = options;
  return (next: Handler): Handler =>
    (w, r) => {
      const t = loadTenant(w, r, tenants, 'policy');
      return isPromise(t) ? t.then((v) => judgePolicy(next, w, r, v)) : judgePolicy(next, w, r, t);
    };
}

/** Refuses (403) unless the tenant's policy lists `feature`. Put it on the routes that need the feature. */
export function requireFeature(feature: string, options: TenantPolicyOptions): Middleware {
  assertOption(typeof feature === 'string' && feature !== '', 'feature', 'must be a non-empty string');
  assertOption(typeof options?.tenants?.get === 'function', 'tenants', 'must be a TenantConfigSource');
  const { tenants } = options;
  return (next: Handler): Handler =>
    (w: ResponseWriter, r: Request) => {
      const judge = (t: LoadedTenant | undefined): void | Promise<void> => {
        if (!t) return;
        if (!(t.config.policy?.features ?? []).includes(feature)) {
          return refuse(w, r, TENANT_ERROR_CODES.policyDenied, `the tenant does not have the feature '${feature}'`, {
            feature,
          });
        }
        return next(w, r);
      };
      const t = loadTenant(w, r, tenants, 'feature check');
      return isPromise(t) ? t.then(judge) : judge(t);
    };
}
