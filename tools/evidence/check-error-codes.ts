import type { ControlPlane, ErrorCodeEntry, Violation } from '../control-plane/index.ts';
import { type CacheOptions, type CodeSite, getFileOwner, readApiAnalysis } from '../api/index.ts';

const CHECK = 'error-codes';
const REGISTRY = 'specs/error-codes.yaml';

const WHY = {
  registered:
    'Clients branch on error codes; a code outside the registry has no documented status, category or owner and can be renamed silently.',
  used: 'A registered code nothing emits is documentation of behaviour that does not exist.',
  family:
    'The status and the category travel together on the wire; a 5xx that says client_error misleads every client and dashboard.',
} as const;

/** Which statuses each category admits (the contract module's canonical table follows the same rule). */
const CATEGORY_STATUSES: Readonly<Record<string, (status: number) => boolean>> = {
  validation_error: (s) => s >= 400 && s < 500,
  client_error: (s) => s >= 400 && s < 500,
  auth_error: (s) => s === 401 || s === 403 || s === 407,
  rate_limit_error: (s) => s === 429,
  timeout_error: (s) => s === 408 || s === 504,
  server_error: (s) => s >= 500,
};

/**
 * Every code the project emits or mentions: library files reachable from a public entry and the
 * reference services' sources (they register theirs too), scanned by the API analysis from its ASTs.
 */
export async function collectCodeSites(plane: ControlPlane, options: CacheOptions = {}): Promise<readonly CodeSite[]> {
  return (await readApiAnalysis(plane, options)).codeSites;
}

/**
 * Error-code registry check: every code the framework emits is registered, every registered code is
 * used, each entry's category matches its status family, names a real module, and is listed once.
 */
export async function checkErrorCodes(plane: ControlPlane, options: CacheOptions = {}): Promise<Violation[]> {
  return findErrorCodeViolations(plane, await collectCodeSites(plane, options));
}

export function findErrorCodeViolations(plane: ControlPlane, sites: readonly CodeSite[]): Violation[] {
  const out: Violation[] = [];
  const registry = plane.errorCodes;
  const registered = new Map<string, ErrorCodeEntry>();
  const locate = (i: number, key: string): Pick<Violation, 'file' | 'line' | 'column'> =>
    plane.locate(REGISTRY, ['codes', i, key]);
  registry.forEach((e, i) => {
    if (registered.has(e.code)) {
      out.push({
        check: CHECK,
        rule: 'duplicate-code',
        severity: 'error',
        ...locate(i, 'code'),
        message: `error code ${e.code} is registered twice`,
        rationale: WHY.registered,
        fix: 'Keep one entry per code; a code means one thing everywhere.',
      });
    } else registered.set(e.code, e);
    const fits = CATEGORY_STATUSES[e.category];
    if (fits && !fits(e.status)) {
      out.push({
        check: CHECK,
        rule: 'category-family',
        severity: 'error',
        ...locate(i, 'category'),
        message: `error code ${e.code} has status ${e.status} but category ${e.category}`,
        rationale: WHY.family,
        fix: `Use a category that fits ${e.status} (${suggestCategories(e.status)}), or correct the status.`,
      });
    }
    if (!plane.moduleByName.has(e.module)) {
      out.push({
        check: CHECK,
        rule: 'unknown-module',
        severity: 'error',
        ...locate(i, 'module'),
        message: `error code ${e.code} names module '${e.module}', which has no manifest`,
        rationale: WHY.registered,
        fix: 'Name the module that emits the code, as in its module.yaml.',
      });
    }
  });

  const emitted = new Map<string, CodeSite[]>();
  const mentioned = new Set<string>();
  for (const s of sites) {
    mentioned.add(s.code);
    if (s.emitted) emitted.set(s.code, [...(emitted.get(s.code) ?? []), s]);
  }
  for (const [code, where] of [...emitted].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (registered.has(code)) continue;
    // A code that reaches the wire is a client contract; one that only names an Error subclass's
    // failure is a contract with calling code. Both must be registered.
    const wire = where.find((s) => s.surface === 'wire');
    const first = wire ?? where[0]!;
    const owner = getFileOwner(plane, first.file)?.name ?? 'its module';
    const more = where.length > 1 ? ` (and in ${where.length - 1} other place(s))` : '';
    out.push({
      check: CHECK,
      rule: 'unregistered-code',
      severity: 'error',
      file: first.file,
      line: first.line,
      column: first.column,
      message: wire
        ? `error code ${code} is emitted here${more} but is not in ${REGISTRY}`
        : `typed error code ${code} (an Error subclass's code, not sent on the wire) is thrown here${more} but is not in ${REGISTRY}`,
      rationale: WHY.registered,
      fix: `Add { code: ${code}, status, category, module: ${owner}, description } to ${REGISTRY}.`,
      from: owner,
    });
  }
  registry.forEach((e, i) => {
    if (mentioned.has(e.code)) {
      const sitesOf = emitted.get(e.code) ?? [];
      const byOwner = sitesOf.length > 0 && !sitesOf.some((s) => getFileOwner(plane, s.file)?.name === e.module);
      if (byOwner && plane.moduleByName.has(e.module)) {
        const owners = [...new Set(sitesOf.map((s) => getFileOwner(plane, s.file)?.name ?? s.file))].join(', ');
        out.push({
          check: CHECK,
          rule: 'wrong-module',
          severity: 'error',
          ...locate(i, 'module'),
          message: `error code ${e.code} is registered to '${e.module}' but only ${owners} emit(s) it`,
          rationale: WHY.registered,
          fix: `Set module: ${owners.split(', ')[0]}.`,
        });
      }
      return;
    }
    out.push({
      check: CHECK,
      rule: 'unused-code',
      severity: 'error',
      ...locate(i, 'code'),
      message: `error code ${e.code} is registered but no library source reachable from a public entry, nor any reference service, uses it`,
      rationale: WHY.used,
      fix: 'Remove the entry if the code is retired (and never reuse the name), or emit it where the failure happens.',
    });
  });
  return out;
}

function suggestCategories(status: number): string {
  return (
    Object.entries(CATEGORY_STATUSES)
      .filter(([, fits]) => fits(status))
      .map(([c]) => c)
      .join(', ') || 'none fits'
  );
}
