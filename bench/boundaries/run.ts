/**
 * Benchmark: `plumego check --only boundaries` against dependency-cruiser's own CLI on the same
 * synthetic repository with an equivalent generated config; cold, warm (cache) and one file changed,
 * several rounds, order alternating per round. Writes results/boundaries-<date>.json and results/boundaries.md.
 *
 *   node --import tsx bench/boundaries/run.ts [--files 5000] [--modules 40] [--rounds 3] [--seed 7]
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateRepo, type Planted } from './generate-repo.ts';
import { comparePlanted, describeComparison, type Finding } from './planted.ts';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PLUMEGO = `${ROOT}tools/cli/bin.mjs`;
const DEPCRUISE = `${ROOT}node_modules/dependency-cruiser/bin/dependency-cruise.mjs`;

const { values } = parseArgs({
  options: {
    files: { type: 'string', default: '5000' },
    modules: { type: 'string', default: '40' },
    rounds: { type: 'string', default: '3' },
    seed: { type: 'string', default: '7' },
  },
});
const files = Number(values.files);
const rounds = Number(values.rounds);
const repo = `${HERE}generated/repo-${files}`;

interface Timing {
  readonly seconds: number;
  readonly cpu: number;
  readonly exitCode: number | null;
  readonly stdout: string;
}

/**
 * Wall clock and CPU time (user + sys, from /usr/bin/time) of one CLI process. CPU time is the number
 * to compare on a shared machine: wall clock grows with every other process, CPU time hardly does.
 * plumego exits 0/1 (2 is a broken setup); dependency-cruiser exits with its number of errors.
 */
function time(command: string, args: readonly string[]): Timing {
  const start = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '__TIME__ %e %U %S', process.execPath, command, ...args], {
    cwd: repo,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  const seconds = (performance.now() - start) / 1000;
  if (r.status === null || (command === PLUMEGO && r.status > 1))
    throw new Error(`${command} ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(0, 2000)}`);
  const [, user, sys] = (/__TIME__ ([\d.]+) ([\d.]+) ([\d.]+)/.exec(r.stderr) ?? []).slice(1).map(Number);
  return { seconds, cpu: (user ?? NaN) + (sys ?? NaN), exitCode: r.status, stdout: r.stdout };
}

const plumego = (extra: string[] = []): Timing =>
  time(PLUMEGO, ['check', '--only', 'boundaries', '--format', 'json', ...extra]);
const DC_CACHE = ['--cache', 'node_modules/.cache/depcruise', '--cache-strategy', 'content'];
const depcruise = (cache: boolean): Timing =>
  time(DEPCRUISE, [
    '--config',
    '.dependency-cruiser.cjs',
    '--output-type',
    'err',
    ...(cache ? DC_CACHE : []),
    'framework',
    'tools',
  ]);
const clearCaches = (): void => {
  rmSync(`${repo}/node_modules/.cache/plumego`, { recursive: true, force: true });
  rmSync(`${repo}/node_modules/.cache/depcruise`, { recursive: true, force: true });
};

/** One-file change: a new export in a unit file (different each time, so no cache can have seen it). */
let touches = 0;
function touchOneFile(planted: readonly Planted[]): void {
  const file = `${repo}/${planted[0]!.file.replace(/unit-\d+/, 'unit-5')}`;
  touches += 1;
  appendFileSync(file, `export const touched${touches} = ${touches};\n`);
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

console.error(`generating ${files} files in ${repo} …`);
const generated = generateRepo({
  sourceRoot: ROOT.replace(/\/$/, ''),
  outDir: repo,
  files,
  modules: Number(values.modules),
  seed: Number(values.seed),
});
const loadBefore = loadavg();
const samples: Record<string, number[]> = {};
const cpuSamples: Record<string, number[]> = {};
const record = (key: string, t: Timing): Timing => {
  (samples[key] ??= []).push(t.seconds);
  (cpuSamples[key] ??= []).push(t.cpu);
  console.error(`  ${key.padEnd(22)} ${t.seconds.toFixed(2)} s wall, ${t.cpu.toFixed(2)} s cpu (exit ${t.exitCode})`);
  return t;
};
let found: Finding[] = [];
let depcruiseViolations = 0;

for (let round = 0; round < rounds; round += 1) {
  console.error(`round ${round + 1}/${rounds}`);
  const runPlumego = (): void => {
    clearCaches();
    record('plumego no-cache', plumego(['--no-cache']));
    clearCaches();
    const cold = record('plumego cold', plumego());
    found = (JSON.parse(cold.stdout) as { violations: Finding[] }).violations.map((v) => ({
      rule: v.rule,
      file: v.file,
    }));
    // Both tools must be doing the work the repository was built for: exactly the planted findings.
    const problems = describeComparison(comparePlanted(generated.planted, found));
    if (problems)
      throw new Error(`plumego's findings on the synthetic repository are not the planted set:\n${problems}`);
    record('plumego warm', plumego());
    touchOneFile(generated.planted);
    record('plumego one-file', plumego());
  };
  const runDepcruise = (): void => {
    clearCaches();
    const nocache = record('depcruise no-cache', depcruise(false));
    depcruiseViolations = (nocache.stdout.match(/^\s*(error|warn)\s/gm) ?? []).length;
    clearCaches();
    record('depcruise cold', depcruise(true));
    record('depcruise warm', depcruise(true));
    touchOneFile(generated.planted);
    record('depcruise one-file', depcruise(true));
  };
  if (round % 2 === 0) {
    runPlumego();
    runDepcruise();
  } else {
    runDepcruise();
    runPlumego();
  }
}

const m = Object.fromEntries(Object.entries(samples).map(([k, xs]) => [k, median(xs)]));
const c = Object.fromEntries(Object.entries(cpuSamples).map(([k, xs]) => [k, median(xs)]));
const { missed } = comparePlanted(generated.planted, found);
const result = {
  date: new Date().toISOString(),
  machine: {
    cpus: cpus().length,
    model: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    loadavgBefore: loadBefore,
    loadavgAfter: loadavg(),
  },
  repo: {
    files: generated.files,
    modules: generated.modules,
    planted: generated.planted.length,
    seed: Number(values.seed),
  },
  rounds,
  medianSeconds: m,
  medianCpuSeconds: c,
  samples,
  cpuSamples,
  ratios: {
    coldVsDepcruiseCold: m['plumego cold']! / m['depcruise cold']!,
    noCacheVsDepcruiseNoCache: m['plumego no-cache']! / m['depcruise no-cache']!,
    warmSpeedup: m['plumego cold']! / m['plumego warm']!,
    oneFileSeconds: m['plumego one-file']!,
    depcruiseWarmSpeedup: m['depcruise cold']! / m['depcruise warm']!,
    cpu: {
      coldVsDepcruiseCold: c['plumego cold']! / c['depcruise cold']!,
      noCacheVsDepcruiseNoCache: c['plumego no-cache']! / c['depcruise no-cache']!,
      warmSpeedup: c['plumego cold']! / c['plumego warm']!,
      oneFileSeconds: c['plumego one-file']!,
    },
  },
  targets: { coldRatioMax: 1.15, warmSpeedupMin: 5, oneFileSecondsMax: 1.5 },
  plumego: { violations: found.length, plantedMissed: missed },
  depcruise: { violations: depcruiseViolations },
};
mkdirSync(`${HERE}results`, { recursive: true });
const stamp = result.date.slice(0, 16).replace(/[:T]/g, '-');
writeFileSync(`${HERE}results/boundaries-${stamp}.json`, `${JSON.stringify(result, null, 2)}\n`);
const f = (x: number | undefined): string => (x === undefined ? '—' : x.toFixed(2));
const md = [
  `# Boundary gate benchmark — ${result.date}`,
  '',
  `Synthetic repository: ${generated.files} TypeScript files, ${generated.modules} modules, ${generated.planted.length} planted violations (seed ${values.seed}).`,
  `Machine: ${result.machine.cpus} × ${result.machine.model}, Node ${result.machine.node}, load average before ${loadBefore.map((x) => x.toFixed(1)).join(' / ')}, after ${result.machine.loadavgAfter.map((x) => x.toFixed(1)).join(' / ')}.`,
  `Median of ${rounds} rounds, wall clock of the whole CLI process (startup included).`,
  '',
  '| run | plumego wall (s) | plumego cpu (s) | dependency-cruiser wall (s) | dependency-cruiser cpu (s) |',
  '|---|---|---|---|---|',
  ...[
    ['no cache', 'no-cache'],
    ['cold (empty cache, writes it)', 'cold'],
    ['warm (unchanged re-run)', 'warm'],
    ['one file changed', 'one-file'],
  ].map(
    ([label, k]) =>
      `| ${label} | ${f(m[`plumego ${k}`])} | ${f(c[`plumego ${k}`])} | ${f(m[`depcruise ${k}`])} | ${f(c[`depcruise ${k}`])} |`,
  ),
  '',
  `- cold ratio plumego / dependency-cruiser: **${f(result.ratios.coldVsDepcruiseCold)}×** wall, **${f(result.ratios.cpu.coldVsDepcruiseCold)}×** cpu (target ≤ 1.15×); without caches ${f(result.ratios.noCacheVsDepcruiseNoCache)}× wall, ${f(result.ratios.cpu.noCacheVsDepcruiseNoCache)}× cpu`,
  `- warm speed-up over cold: **${f(result.ratios.warmSpeedup)}×** wall, **${f(result.ratios.cpu.warmSpeedup)}×** cpu (target ≥ 5×; dependency-cruiser's own: ${f(result.ratios.depcruiseWarmSpeedup)}× wall)`,
  `- one file changed: **${f(result.ratios.oneFileSeconds)} s** wall, **${f(result.ratios.cpu.oneFileSeconds)} s** cpu (target ≤ 1.5 s)`,
  `- violations: plumego ${found.length} (planted missed: ${missed.length === 0 ? 'none' : missed.map((p) => p.rule).join(', ')}), dependency-cruiser ${depcruiseViolations}`,
  '',
].join('\n');
writeFileSync(`${HERE}results/boundaries.md`, md);
console.log(md);
