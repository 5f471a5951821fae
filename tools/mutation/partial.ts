// The counts of a mutation run that was stopped before its end, from the events Stryker's
// event-recorder reporter wrote while it ran (run.ts turns it on). A stopped run writes no
// incremental file and no result; this tells what it had measured, and which mutants were left.
// Usage: node --conditions=source --import tsx tools/mutation/partial.ts <target>
// (merges the events of a PLUMEGO_MUTATION_ONLY re-test of the same target, see run.ts)
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { countStatuses, mutationScore, type MutationCounts } from './score.ts';

export interface PartialRun {
  /** Mutants Stryker planned to test (0 when the plan event was not written yet). */
  readonly planned: number;
  readonly tested: number;
  readonly counts: MutationCounts;
  /** The score of the tested mutants only: not the target's score until `tested === planned`. */
  readonly score: number;
  /** file:line mutator (replacement) of each survivor so far. */
  readonly survivors: readonly string[];
}

interface TestedEvent {
  readonly status: string;
  readonly fileName: string;
  readonly mutatorName: string;
  readonly replacement?: string;
  readonly location: { readonly start: { readonly line: number; readonly column?: number } };
}

/**
 * Sums up the recorded events (file name → JSON text); unreadable or foreign files are skipped. The
 * events of a later re-test of some of the same mutants (`retest`, from PLUMEGO_MUTATION_ONLY) replace
 * their earlier result; a mutant is the same when its file, position, mutator and replacement are.
 */
export function summarisePartial(
  events: ReadonlyMap<string, string>,
  root: string,
  retest: ReadonlyMap<string, string> = new Map(),
): PartialRun {
  const first = readEvents(events);
  const later = new Map(readEvents(retest).tested.map((m) => [keyOf(m), m]));
  const tested = first.tested.map((m) => later.get(keyOf(m)) ?? m);
  const planned = first.planned;
  const counts = countStatuses(tested.map((m) => m.status));
  return {
    planned,
    tested: tested.length,
    counts,
    score: mutationScore(counts),
    survivors: tested
      .filter((m) => m.status === 'Survived' || m.status === 'NoCoverage')
      .map(
        (m) =>
          `${m.fileName.replace(`${root}/`, '')}:${m.location.start.line} ${m.mutatorName}${m.status === 'NoCoverage' ? ' (no coverage)' : ''}${m.replacement ? ` → ${m.replacement.replace(/\s+/g, ' ').slice(0, 60)}` : ''}`,
      ),
  };
}

function readEvents(events: ReadonlyMap<string, string>): { planned: number; tested: TestedEvent[] } {
  let planned = 0;
  const tested: TestedEvent[] = [];
  for (const [name, text] of [...events].sort(([a], [b]) => a.localeCompare(b))) {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      continue;
    }
    if (name.endsWith('-onMutationTestingPlanReady.json')) {
      const plans = (data as { mutantPlans?: unknown }).mutantPlans;
      if (Array.isArray(plans)) planned = plans.length;
    } else if (name.endsWith('-onMutantTested.json') && isTested(data)) tested.push(data);
  }
  return { planned, tested };
}

const keyOf = (m: TestedEvent): string =>
  JSON.stringify([m.fileName, m.location.start, m.mutatorName, m.replacement ?? null]);

function isTested(data: unknown): data is TestedEvent {
  const d = data as Partial<TestedEvent> | null;
  return (
    !!d &&
    typeof d.status === 'string' &&
    typeof d.fileName === 'string' &&
    typeof d.mutatorName === 'string' &&
    typeof d.location?.start?.line === 'number'
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = join(import.meta.dirname, '..', '..');
  const read = (dir: string): Map<string, string> => {
    try {
      return new Map(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')] as const));
    } catch {
      return new Map();
    }
  };
  const base = join(root, 'node_modules/.cache/plumego/stryker-events', process.argv[2] ?? '');
  const run = summarisePartial(read(base), root, read(`${base}-only`));
  process.stdout.write(`${JSON.stringify(run, null, 2)}\n`);
}
