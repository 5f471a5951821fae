import type { ControlPlane, RoutingTarget } from '../model.ts';
import { assertGateProfiles } from './gate-profiles.ts';
import { findDuplicates, type Finding } from './violation-at.ts';

/** Cross-spec agreement: unique ids, references between specs, exceptions not expired. */
export function assertSpecs(plane: ControlPlane, today: string): Finding[] {
  const out: Finding[] = [];
  const dup = (file: string, path: (string | number)[], values: readonly string[], what: string): void => {
    for (const v of findDuplicates(values))
      out.push({
        rule: 'unique-ids',
        file,
        path,
        message: `${what} '${v}' appears more than once`,
        fix: `Keep one ${what} '${v}'.`,
      });
  };
  dup(
    'specs/repo.yaml',
    ['tiers'],
    plane.repo.tiers.map((t) => t.id),
    'tier',
  );
  dup(
    'specs/repo.yaml',
    ['tiers'],
    plane.repo.tiers.map((t) => String(t.rank)),
    'tier rank',
  );
  dup(
    'specs/releases.yaml',
    ['releases'],
    plane.releases.releases.map((r) => r.version),
    'release',
  );
  dup(
    'specs/checks.yaml',
    ['checks'],
    plane.checks.checks.map((c) => c.id),
    'check',
  );
  dup(
    'specs/dependency-rules.yaml',
    ['rules'],
    plane.dependencyRules.rules.map((r) => r.id),
    'rule',
  );
  dup(
    'specs/gate-profiles.yaml',
    ['profiles'],
    plane.gateProfiles.profiles.map((p) => p.id),
    'profile',
  );
  dup(
    'specs/error-codes.yaml',
    ['codes'],
    plane.errorCodes.map((c) => c.code),
    'error code',
  );
  dup(
    'specs/extension-taxonomy.yaml',
    ['families'],
    plane.taxonomy.families.map((f) => f.root),
    'family',
  );
  dup(
    'specs/task-routing.yaml',
    ['routing_rules'],
    plane.taskRouting.routing_rules.map((r) => r.id),
    'routing rule',
  );

  const tierIds = new Set(plane.repo.tiers.map((t) => t.id));
  for (const id of ['ga', 'beta', 'experimental'] as const) {
    if (!tierIds.has(id))
      out.push({
        rule: 'tiers-complete',
        file: 'specs/repo.yaml',
        path: ['tiers'],
        message: `tier '${id}' is not defined`,
        fix: `Add the '${id}' tier with its label, rank and guidance.`,
      });
  }

  out.push(...assertGateProfiles(plane.gateProfiles));

  const ruleIds = new Set(plane.dependencyRules.rules.map((r) => r.id));
  plane.dependencyRules.rules.forEach((rule, i) => {
    (rule.to_modules ?? []).forEach((m, j) => {
      if (!plane.moduleByName.has(m))
        out.push({
          rule: 'references-exist',
          file: 'specs/dependency-rules.yaml',
          path: ['rules', i, 'to_modules', j],
          message: `rule '${rule.id}' names unknown module '${m}'`,
          fix: 'Use a declared module name.',
        });
    });
  });
  plane.dependencyRules.exceptions.forEach((ex, i) => {
    const at = ['exceptions', i];
    if (!ruleIds.has(ex.rule))
      out.push({
        rule: 'references-exist',
        file: 'specs/dependency-rules.yaml',
        path: [...at, 'rule'],
        message: `exception names unknown rule '${ex.rule}'`,
        fix: `Use a rule id from this file's rules.`,
      });
    // An exception to a package or builtin rule names the package or node: builtin as its target.
    const external =
      ex.to.startsWith('node:') || ['builtin-policy', 'npm-allowlist', 'npm-undeclared'].includes(ex.rule);
    for (const side of external ? (['from'] as const) : (['from', 'to'] as const)) {
      if (!plane.moduleByName.has(ex[side]))
        out.push({
          rule: 'references-exist',
          file: 'specs/dependency-rules.yaml',
          path: [...at, side],
          message: `exception names unknown module '${ex[side]}'`,
          fix: 'Use a declared module name.',
        });
    }
    if (ex.expires && ex.expires < today)
      out.push({
        rule: 'exception-expired',
        file: 'specs/dependency-rules.yaml',
        path: [...at, 'expires'],
        message: `exception ${ex.from} → ${ex.to} (${ex.rule}) expired on ${ex.expires}`,
        fix: 'Fix the dependency and delete the exception, or renew it with a new reviewed date.',
      });
  });

  plane.errorCodes.forEach((code, i) => {
    if (!plane.moduleByName.has(code.module))
      out.push({
        rule: 'references-exist',
        file: 'specs/error-codes.yaml',
        path: ['codes', i, 'module'],
        message: `error code ${code.code} names unknown module '${code.module}'`,
        fix: 'Use the owning module name.',
      });
  });

  const targets: [string, (string | number)[], RoutingTarget][] = [
    ...plane.taskRouting.routing_rules.map((r, i): [string, (string | number)[], RoutingTarget] => [
      'routing rule ' + r.id,
      ['routing_rules', i, 'target'],
      r.target,
    ]),
    ...plane.taskRouting.learning_path.map((s, i): [string, (string | number)[], RoutingTarget] => [
      'learning step ' + s.title,
      ['learning_path', i, 'target'],
      s.target,
    ]),
  ];
  for (const [what, path, target] of targets) {
    (target.modules ?? []).forEach((m, j) => {
      if (!plane.moduleByName.has(m))
        out.push({
          rule: 'references-exist',
          file: 'specs/task-routing.yaml',
          path: [...path, 'modules', j],
          message: `${what} names unknown module '${m}'`,
          fix: 'Use a declared module name.',
        });
    });
    (target.paths ?? []).forEach((p, j) => {
      if (!plane.pathExists(p))
        out.push({
          rule: 'paths-exist',
          file: 'specs/task-routing.yaml',
          path: [...path, 'paths', j],
          message: `${what} points at missing path '${p}'`,
          fix: 'Point at an existing directory or file.',
        });
    });
  }
  return out;
}
