/**
 * The benchmark compares two tools doing the same work on a repository whose findings are known: the
 * planted violations. A gate that reports more (a generator bug, a manifest the synthetic repository
 * cannot satisfy) or fewer (a missed rule) is measuring something else, so the run stops.
 */
import type { Planted } from './generate-repo.ts';

export interface Finding {
  readonly rule: string;
  readonly file: string;
}

export interface PlantedComparison {
  /** Planted violations the gate did not report. */
  readonly missed: readonly Planted[];
  /** Reported violations nobody planted, counted per rule (the first few files named). */
  readonly unexpected: readonly Finding[];
}

const key = (f: Finding): string => `${f.rule}\u0000${f.file}`;

/** Compares the gate's findings with the planted set as sets of (rule, file); duplicates of one finding count once. */
export function comparePlanted(planted: readonly Planted[], found: readonly Finding[]): PlantedComparison {
  const foundKeys = new Set(found.map(key));
  const plantedKeys = new Set(planted.map(key));
  const seen = new Set<string>();
  const unexpected = found.filter((f) => {
    const k = key(f);
    if (plantedKeys.has(k) || seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  return { missed: planted.filter((p) => !foundKeys.has(key(p))), unexpected };
}

/** One line per problem, for the error that stops the run; empty when the sets are equal. */
export function describeComparison(c: PlantedComparison, limit = 10): string {
  const byRule = new Map<string, Finding[]>();
  for (const f of c.unexpected) byRule.set(f.rule, [...(byRule.get(f.rule) ?? []), f]);
  return [
    ...c.missed.map((p) => `missed planted ${p.rule} in ${p.file}`),
    ...[...byRule].map(
      ([rule, fs]) =>
        `unexpected ${rule} ×${fs.length}: ${fs
          .slice(0, limit)
          .map((f) => f.file)
          .join(', ')}${fs.length > limit ? ', …' : ''}`,
    ),
  ].join('\n');
}
