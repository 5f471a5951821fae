import { assertGateProfiles, type GateProfilesSpec } from '../control-plane/index.ts';

export type AreaRule = NonNullable<GateProfilesSpec['areas']>[number];
export type SelectionRule = GateProfilesSpec['selection'][number];
export type GateSpec = GateProfilesSpec;

export const getAreaRules = (spec: GateProfilesSpec): readonly AreaRule[] => spec.areas ?? [];

export const getSelectionRules = (spec: GateProfilesSpec): readonly SelectionRule[] => spec.selection;

/** The profile used when no rule matches: the spec's fallback, else the strongest profile (never a silent pass). */
export function getFallbackProfile(spec: GateProfilesSpec): string | undefined {
  if (spec.fallback !== undefined) return spec.fallback;
  return [...spec.profiles].sort((a, b) => b.strength - a.strength)[0]?.id;
}

/** Meaning problems of the gate spec, as one line each (the specs check reports the same, located). */
export function getGateSpecProblems(spec: GateProfilesSpec): string[] {
  return assertGateProfiles(spec).map((f) => f.message);
}
