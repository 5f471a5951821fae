/**
 * Diff facts → the gate. Every selection rule of specs/gate-profiles.yaml is evaluated and the
 * strongest matching profile wins, so file order or rule order can never weaken the gate.
 */
import type { GateProfilesSpec } from '../control-plane/index.ts';
import { getFallbackProfile, getGateSpecProblems, getSelectionRules, type SelectionRule } from './areas.ts';
import { classifyChanges, type ChangeSet, type DiffFacts, type GatePlane } from './classify.ts';
import { matchGlob } from './glob.ts';

export type Profile = GateProfilesSpec['profiles'][number];

export interface GateSelection {
  readonly facts: DiffFacts;
  /** Every rule that matched, strongest profile first. */
  readonly matched: readonly { readonly rule: string; readonly profile: string; readonly strength: number }[];
  /** Absent when nothing changed. */
  readonly profile?: Profile;
  /** Why this profile: the rule ids that asked for it, or 'fallback'. */
  readonly chosenBy: readonly string[];
  /** The profile's commands with {module}/{module_path} filled for each changed module. */
  readonly commands: readonly string[];
}

/** A problem in the spec itself (an unknown profile name): the gate cannot be trusted, exit 2. */
export class GateSpecError extends Error {
  override readonly name = 'GateSpecError';
}

function ruleMatches(rule: SelectionRule, facts: DiffFacts): boolean {
  const w = rule.when;
  const checks: boolean[] = [];
  if (w.areas) checks.push(facts.areas.some((a) => w.areas!.includes(a)));
  if (w.layers) checks.push(facts.modules.some((m) => w.layers!.includes(m.layer)));
  if (w.min_modules !== undefined) checks.push(facts.modules.length >= w.min_modules);
  if (w.public_api !== undefined) checks.push(facts.publicApi.length > 0 === w.public_api);
  if (w.paths) checks.push(facts.files.some((f) => w.paths!.some((p) => matchGlob(p, f.path))));
  if (w.unclassified !== undefined) checks.push(facts.unclassified.length > 0 === w.unclassified);
  return checks.length > 0 && checks.every(Boolean);
}

const TEMPLATE = /\{(module|module_path)\}/;

/** Fills {module} and {module_path}; a templated command repeats per module and is dropped without one. */
export function fillCommands(commands: readonly string[], facts: Pick<DiffFacts, 'modules'>): string[] {
  const out = commands.flatMap((command) =>
    TEMPLATE.test(command)
      ? facts.modules.map((m) => command.replaceAll('{module_path}', m.path).replaceAll('{module}', m.name))
      : [command],
  );
  return [...new Set(out)];
}

export function selectGate(plane: GatePlane, changes: ChangeSet): GateSelection {
  const problems = getGateSpecProblems(plane.gateProfiles);
  if (problems.length) throw new GateSpecError(`specs/gate-profiles.yaml: ${problems.join('; ')}`);
  const facts = classifyChanges(plane, changes);
  const byId = new Map(plane.gateProfiles.profiles.map((p) => [p.id, p]));
  const getProfile = (id: string, where: string): Profile => {
    const profile = byId.get(id);
    if (!profile)
      throw new GateSpecError(
        `specs/gate-profiles.yaml: ${where} names unknown profile '${id}' (known: ${[...byId.keys()].join(', ')})`,
      );
    return profile;
  };
  if (facts.files.length === 0) return { facts, matched: [], chosenBy: [], commands: [] };
  const matched = getSelectionRules(plane.gateProfiles)
    .filter((rule) => ruleMatches(rule, facts))
    .map((rule) => ({
      rule: rule.id,
      profile: rule.profile,
      strength: getProfile(rule.profile, `selection rule '${rule.id}'`).strength,
    }))
    .sort((a, b) => b.strength - a.strength);
  const strongest = matched[0];
  const fallback = getFallbackProfile(plane.gateProfiles);
  if (!strongest && fallback === undefined)
    throw new GateSpecError(
      'specs/gate-profiles.yaml: no selection rule matched and there is no profile to fall back to',
    );
  const profile = strongest
    ? getProfile(strongest.profile, `selection rule '${strongest.rule}'`)
    : getProfile(fallback as string, 'fallback');
  return {
    facts,
    matched,
    profile,
    chosenBy: strongest ? matched.filter((m) => m.profile === profile.id).map((m) => m.rule) : ['fallback'],
    commands: fillCommands(profile.commands, facts),
  };
}
