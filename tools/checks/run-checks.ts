import { ConfigError, type ControlPlane, type Violation } from '../control-plane/index.ts';
import { CHECKS, type CheckOptions } from './registry.ts';

export interface ChecksRun {
  readonly ran: readonly string[];
  readonly violations: readonly Violation[];
}

/** Runs the checks listed in specs/checks.yaml (or the `only` subset) in their listed order. */
export async function runChecks(
  plane: ControlPlane,
  options: CheckOptions,
  only?: readonly string[],
): Promise<ChecksRun> {
  const listed = plane.features.has('checks-list') ? plane.checks.checks.map((c) => c.id) : getDefaultChecks(plane);
  listed.forEach((id, i) => {
    if (!CHECKS[id]) {
      const at = plane.locate('specs/checks.yaml', ['checks', i, 'id']);
      throw new ConfigError(
        'PLUMEGO_ERR_UNKNOWN_CHECK',
        `${at.file}:${at.line}:${at.column}: check '${id}' is listed but no tool implements it`,
        at,
        `Remove it from specs/checks.yaml or implement it in tools/checks/registry.ts (known: ${Object.keys(CHECKS).join(', ')}).`,
      );
    }
  });
  for (const id of only ?? []) {
    if (!listed.includes(id)) {
      throw new ConfigError(
        'PLUMEGO_ERR_UNKNOWN_CHECK',
        `--only names check '${id}', which specs/checks.yaml does not list`,
        { file: 'specs/checks.yaml' },
        `Use one of: ${listed.join(', ')}.`,
      );
    }
  }
  const ids = only?.length ? listed.filter((id) => only.includes(id)) : listed;
  const violations: Violation[] = [];
  for (const id of ids) violations.push(...(await CHECKS[id]!(plane, options)));
  const changed = options.changedFiles ? new Set(options.changedFiles) : undefined;
  return { ran: ids, violations: changed ? violations.filter((v) => changed.has(v.file)) : violations };
}

/**
 * The checks of a minimal repository without specs/checks.yaml: the ones whose features are on.
 * API snapshots, maturity evidence and error codes need this repository's own conventions and run
 * only when a checks list names them.
 */
export function getDefaultChecks(plane: Pick<ControlPlane, 'features'>): string[] {
  const on = (feature: Parameters<ControlPlane['features']['has']>[0], id: string): string[] =>
    plane.features.has(feature) ? [id] : [];
  return [
    'specs',
    'manifests',
    'layout',
    ...on('routing', 'routing'),
    ...on('tasks', 'tasks'),
    ...on('generate', 'sync'),
    'boundaries',
  ];
}

/** One line for `check`: which features are on, and how to turn on the others. */
export function describeFeatures(plane: Pick<ControlPlane, 'profile' | 'features'>): string | undefined {
  if (plane.profile === 'full') return undefined;
  const all = [
    'top-level',
    'tiers',
    'releases',
    'routing',
    'taxonomy',
    'gate-profiles',
    'checks-list',
    'error-codes',
    'tasks',
    'generate',
  ] as const;
  const off = all.filter((f) => !plane.features.has(f));
  return `profile minimal — on: ${[...plane.features].sort().join(', ')}${off.length ? `; off: ${off.join(', ')} (each turns on when its spec exists)` : ''}`;
}
