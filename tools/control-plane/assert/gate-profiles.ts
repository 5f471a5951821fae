import type { GateProfilesSpec } from '../model.ts';
import type { Finding } from './violation-at.ts';

const FILE = 'specs/gate-profiles.yaml';

/**
 * Meaning the schema cannot express. An unknown area or profile in a rule would never match (a
 * silent hole in the gate), and two profiles of equal strength would make "the strongest wins" a tie.
 */
export function assertGateProfiles(spec: GateProfilesSpec): Finding[] {
  const out: Finding[] = [];
  const areas = new Set((spec.areas ?? []).map((a) => a.id));
  const profiles = new Set(spec.profiles.map((p) => p.id));
  const known = (set: Set<string>): string => [...set].join(', ') || 'none';
  spec.selection.forEach((rule, i) => {
    (rule.when.areas ?? []).forEach((area, j) => {
      if (!areas.has(area))
        out.push({
          rule: 'references-exist',
          file: FILE,
          path: ['selection', i, 'when', 'areas', j],
          message: `selection rule '${rule.id}' names unknown area '${area}' (known: ${known(areas)})`,
          fix: 'Use an area id declared under areas, or declare the area.',
        });
    });
    if (!profiles.has(rule.profile))
      out.push({
        rule: 'references-exist',
        file: FILE,
        path: ['selection', i, 'profile'],
        message: `selection rule '${rule.id}' names unknown profile '${rule.profile}'`,
        fix: `Use one of: ${known(profiles)}.`,
      });
  });
  if (spec.fallback !== undefined && !profiles.has(spec.fallback)) {
    out.push({
      rule: 'references-exist',
      file: FILE,
      path: ['fallback'],
      message: `fallback names unknown profile '${spec.fallback}'`,
      fix: `Use one of: ${known(profiles)}.`,
    });
  }
  const byStrength = new Map<number, string>();
  spec.profiles.forEach((p, i) => {
    const other = byStrength.get(p.strength);
    if (other !== undefined)
      out.push({
        rule: 'unique-ids',
        file: FILE,
        path: ['profiles', i, 'strength'],
        message: `profiles '${other}' and '${p.id}' have the same strength ${p.strength}`,
        fix: 'Give every profile its own strength so the strongest match is never a tie.',
      });
    byStrength.set(p.strength, p.id);
  });
  return out;
}
