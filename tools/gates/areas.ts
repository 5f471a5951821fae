/**
 * Typed access to the parts of specs/gate-profiles.yaml that the shared model does not name yet
 * (`areas`, `fallback`, the `unclassified` condition). The schema validates them; this only types them.
 */
import type { GateProfilesSpec } from '../control-plane/model.ts';

export interface AreaRule {
  readonly id: string;
  readonly paths: readonly string[];
  /** The file also counts as a change of the module that holds it. */
  readonly module?: boolean;
}

export type SelectionRule = GateProfilesSpec['selection'][number] & {
  readonly when: GateProfilesSpec['selection'][number]['when'] & { readonly unclassified?: boolean };
};

export type GateSpec = Omit<GateProfilesSpec, 'selection'> & {
  readonly areas?: readonly AreaRule[];
  readonly fallback?: string;
  readonly selection: readonly SelectionRule[];
};

export const getAreaRules = (spec: GateProfilesSpec): readonly AreaRule[] => (spec as GateSpec).areas ?? [];

export const getSelectionRules = (spec: GateProfilesSpec): readonly SelectionRule[] => (spec as GateSpec).selection;

/** The profile used when no rule matches: the spec's fallback, else the strongest profile (never a silent pass). */
export function getFallbackProfile(spec: GateProfilesSpec): string | undefined {
  const fallback = (spec as GateSpec).fallback;
  if (fallback !== undefined) return fallback;
  return [...spec.profiles].sort((a, b) => b.strength - a.strength)[0]?.id;
}

/**
 * Meaning checks the schema cannot express; each returned string is one problem. An unknown area in a
 * rule would never match (a silent hole in the gate), and two profiles of equal strength would make
 * "the strongest wins" a tie.
 */
export function getGateSpecProblems(spec: GateProfilesSpec): string[] {
  const problems: string[] = [];
  const areas = new Set(getAreaRules(spec).map((a) => a.id));
  const profiles = new Set(spec.profiles.map((p) => p.id));
  for (const rule of getSelectionRules(spec)) {
    for (const area of rule.when.areas ?? []) {
      if (!areas.has(area)) problems.push(`selection rule '${rule.id}' names unknown area '${area}' (known: ${[...areas].join(', ') || 'none'})`);
    }
    if (!profiles.has(rule.profile)) problems.push(`selection rule '${rule.id}' names unknown profile '${rule.profile}'`);
  }
  const fallback = (spec as GateSpec).fallback;
  if (fallback !== undefined && !profiles.has(fallback)) problems.push(`fallback names unknown profile '${fallback}'`);
  const byStrength = new Map<number, string>();
  for (const p of spec.profiles) {
    const other = byStrength.get(p.strength);
    if (other !== undefined) problems.push(`profiles '${other}' and '${p.id}' have the same strength ${p.strength}`);
    byStrength.set(p.strength, p.id);
  }
  return problems;
}
