// Mutation testing (StrykerJS + vitest) for the targets in targets.ts, one at a time.
// Usage: npm run mutation [-- <target> ...]   (no target: all of them; takes minutes per target)
// Writes tools/mutation/results/<target>.json and regenerates tools/mutation/results/summary.md.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LogLevel } from '@stryker-mutator/api/core';
import { Stryker } from '@stryker-mutator/core';
import { countStatuses, mutationScore, type MutationCounts } from './score.ts';
import { findTargets, type MutationTarget } from './targets.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const resultsDir = join(here, 'results');

export interface TargetResult {
  readonly target: string;
  readonly module: string;
  readonly when: string;
  readonly threshold: number;
  readonly score: number;
  readonly counts: MutationCounts;
  readonly seconds: number;
  /** file:line mutator (replacement) for each survivor, for the next round of tests. */
  readonly survivors: readonly string[];
}

/**
 * Re-testing chosen lines only (a stopped run's survivors after new tests): `file:line-line` ranges
 * replace the target's files, the events go to `<target>-only`, and no result is recorded (a subset's
 * score is not the target's). partial.ts merges them into the stopped run's counts.
 */
const ONLY = (process.env['PLUMEGO_MUTATION_ONLY'] ?? '').split(',').filter(Boolean);

async function runTarget(target: MutationTarget): Promise<TargetResult> {
  process.env['PLUMEGO_MUTATION_TARGET'] = target.id;
  const started = Date.now();
  const stryker = new Stryker({
    testRunner: 'vitest',
    plugins: ['@stryker-mutator/vitest-runner'],
    vitest: { configFile: 'tools/mutation/vitest.config.ts', related: false },
    mutate: ONLY.length ? ONLY : [...target.mutate],
    // String-literal mutants only change messages and names; they are counted as equivalent (excluded).
    mutator: { excludedMutations: ['StringLiteral'] },
    coverageAnalysis: 'perTest',
    concurrency: 2,
    timeoutMS: 10_000,
    disableTypeChecks: false,
    tempDirName: 'node_modules/.cache/plumego/stryker-tmp',
    // Re-runs only re-test mutants whose source or covering tests changed (PLUMEGO_MUTATION_FULL=1 forces all).
    incremental: ONLY.length === 0,
    incrementalFile: `node_modules/.cache/plumego/stryker-incremental/${target.id}.json`,
    force: process.env['PLUMEGO_MUTATION_FULL'] === '1',
    // event-recorder writes each mutant's result as it is decided, so a run stopped before its end
    // still shows what it measured (partial.ts sums it up); the incremental file is written only at the end.
    reporters: ['progress', 'event-recorder'],
    eventReporter: { baseDir: `node_modules/.cache/plumego/stryker-events/${target.id}${ONLY.length ? '-only' : ''}` },
    logLevel: 'warn' as LogLevel,
    fileLogLevel: 'off' as LogLevel,
  });
  const results = await stryker.runMutationTest();
  const counts = countStatuses(results.map((m) => m.status));
  return {
    target: target.id,
    module: target.module,
    when: new Date().toISOString(),
    threshold: target.threshold,
    score: mutationScore(counts),
    counts,
    seconds: Math.round((Date.now() - started) / 1000),
    survivors: results
      .filter((m) => m.status === 'Survived' || m.status === 'NoCoverage')
      .map(
        (m) =>
          `${m.fileName.replace(`${root}/`, '')}:${m.location.start.line} ${m.mutatorName}${m.status === 'NoCoverage' ? ' (no coverage)' : ''}${m.replacement ? ` → ${m.replacement.replace(/\s+/g, ' ').slice(0, 60)}` : ''}`,
      ),
  };
}

function writeSummary(): void {
  const rows = readdirSync(resultsDir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(resultsDir, f), 'utf8')) as TargetResult);
  const md = [
    '# Mutation scores',
    '',
    'StrykerJS 9.6.1, vitest runner, each target run against its own tests only; string-literal mutants excluded as equivalent.',
    '',
    '| target | module | score | threshold | killed | timeout | survived | no coverage | when | seconds |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows
      .sort((a, b) => a.target.localeCompare(b.target))
      .map(
        (r) =>
          `| ${r.target} | ${r.module} | ${r.score}%${r.score < r.threshold ? ' **below**' : ''} | ${r.threshold}% | ${r.counts.killed} | ${r.counts.timeout} | ${r.counts.survived} | ${r.counts.noCoverage} | ${r.when.slice(0, 16)} | ${r.seconds} |`,
      ),
    '',
  ].join('\n');
  writeFileSync(join(resultsDir, 'summary.md'), md);
}

const targets = findTargets(process.argv.slice(2));
mkdirSync(resultsDir, { recursive: true });
let below = 0;
for (const target of targets) {
  process.stdout.write(`mutation: ${target.id} (load average ${loadavg()[0]!.toFixed(1)})\n`);
  const result = await runTarget(target);
  if (ONLY.length === 0) writeFileSync(join(resultsDir, `${target.id}.json`), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(
    `mutation: ${target.id} ${result.score}% (threshold ${target.threshold}%), ${result.counts.survived} survived, ${result.counts.noCoverage} uncovered, ${result.seconds} s\n`,
  );
  if (result.score < target.threshold) below++;
}
if (ONLY.length === 0) writeSummary();
process.exitCode = below > 0 ? 1 : 0;
