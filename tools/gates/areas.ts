/**
 * Typed access to the parts of specs/gate-profiles.yaml that the shared model does not name yet
 * (`areas`, `fallback`, the `unclassified` condition). The schema validates them; this only types them.
 */
import { assertGateProfiles } from '../control-plane/assert/gate-profiles.ts';
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

/** Meaning problems of the gate spec, as one line each (the specs check reports the same, located). */
export function getGateSpecProblems(spec: GateProfilesSpec): string[] {
  return assertGateProfiles(spec).map((f) => f.message);
}
