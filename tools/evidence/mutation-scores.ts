import { readdirSync, readFileSync } from 'node:fs';

/**
 * Where `npm run mutation` records each target's score (tools/mutation/run.ts). The scheduled
 * workflow and whoever raises a score commit these files; checks only read them — a Stryker run
 * takes minutes and has no place in `plumego check`.
 */
export const MUTATION_RESULTS_DIR = 'tools/mutation/results';

/** One mutation target's recorded result, as evidence for the module it names. */
export interface MutationEvidence {
  readonly target: string;
  /** Percent, string-literal mutants excluded (tools/mutation/score.ts). */
  readonly score: number;
  readonly threshold: number;
  /** ISO time of the run. */
  readonly when: string;
  readonly mutants: number;
  readonly survived: number;
  readonly noCoverage: number;
}

/**
 * Recorded scores by module name, each module's targets sorted by id. A file that is not a result
 * (unparseable, or without a module, score or threshold) is left out: for the check it is the same
 * as no result, which it reports as missing evidence rather than as a pass.
 */
export function readMutationScores(root: string): Map<string, MutationEvidence[]> {
  const byModule = new Map<string, MutationEvidence[]>();
  let files: string[];
  try {
    files = readdirSync(`${root}/${MUTATION_RESULTS_DIR}`)
      .filter((f) => f.endsWith('.json'))
      .sort();
  } catch {
    return byModule;
  }
  for (const file of files) {
    const parsed = parseResult(readFileSync(`${root}/${MUTATION_RESULTS_DIR}/${file}`, 'utf8'));
    if (!parsed) continue;
    const list = byModule.get(parsed.module) ?? [];
    list.push(parsed.evidence);
    byModule.set(parsed.module, list);
  }
  for (const list of byModule.values()) list.sort((a, b) => a.target.localeCompare(b.target));
  return byModule;
}

function parseResult(text: string): { module: string; evidence: MutationEvidence } | undefined {
  let r: unknown;
  try {
    r = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!r || typeof r !== 'object') return undefined;
  const o = r as Record<string, unknown>;
  const counts = (o['counts'] && typeof o['counts'] === 'object' ? o['counts'] : {}) as Record<string, unknown>;
  const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  if (
    typeof o['module'] !== 'string' ||
    typeof o['target'] !== 'string' ||
    typeof o['score'] !== 'number' ||
    typeof o['threshold'] !== 'number'
  )
    return undefined;
  const survived = num(counts['survived']);
  const noCoverage = num(counts['noCoverage']);
  return {
    module: o['module'],
    evidence: {
      target: o['target'],
      score: o['score'],
      threshold: o['threshold'],
      when: typeof o['when'] === 'string' ? o['when'] : '',
      mutants: num(counts['killed']) + num(counts['timeout']) + survived + noCoverage,
      survived,
      noCoverage,
    },
  };
}

/** Below threshold when any of the module's targets is (a module may have several, each with its own bar). */
export function isBelowThreshold(scores: readonly MutationEvidence[]): boolean {
  return scores.some((s) => s.score < s.threshold);
}
