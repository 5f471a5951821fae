// Router dispatch micro-benchmark: the working-tree router against a baseline commit's router, in
// one process, interleaved round by round, so machine load affects both sides alike.
// Usage: node --conditions=source --import tsx bench/router/run.ts [--baseline <rev>] [--rounds 5] [--ms 300]
// Writes bench/router/results/<timestamp>.json, latest.json and latest.md. Not a test: no gate.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { BufferedResponseWriter, createRequest, type Handler, type Request } from 'plumego/contract';
import { Router } from 'plumego/router';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const { values: args } = parseArgs({
  options: {
    baseline: { type: 'string', default: '221012c' },
    rounds: { type: 'string', default: '5' },
    ms: { type: 'string', default: '300' },
  },
});

interface RouterLike {
  addRoute(method: string, path: string, handler: Handler): void;
  freeze(): void;
  readonly handler: Handler;
}

/** Copies the baseline's router sources under bench/router/generated/ (git-ignored) and loads them. */
async function loadBaseline(rev: string): Promise<new (o?: object) => RouterLike> {
  const dir = join(here, 'generated', `baseline-${rev}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const files = execFileSync('git', ['ls-tree', '--name-only', rev, 'framework/router/'], {
    cwd: root,
    encoding: 'utf8',
  }).split('\n');
  for (const f of files.filter((x) => x.endsWith('.ts') && !x.endsWith('.test.ts'))) {
    writeFileSync(
      join(dir, f.slice('framework/router/'.length)),
      execFileSync('git', ['show', `${rev}:${f}`], { cwd: root }),
    );
  }
  return ((await import(pathToFileURL(join(dir, 'router.ts')).href)) as { Router: new (o?: object) => RouterLike })
    .Router;
}

const ROUTES: [string, string][] = [
  ['GET', '/'],
  ['GET', '/health'],
  ['GET', '/api/v1/users'],
  ['POST', '/api/v1/users'],
  ['GET', '/api/v1/users/:id'],
  ['PUT', '/api/v1/users/:id'],
  ['DELETE', '/api/v1/users/:id'],
  ['GET', '/api/v1/users/:id/posts/:post'],
  ['GET', '/api/v1/orders/:id'],
  ['GET', '/users/:id'],
  ['GET', '/users/new'],
  ['GET', '/static/*path'],
  ['ANY', '/hooks/:name'],
];
const CASES: [string, string][] = [
  ['static /health', '/health'],
  ['param /users/42', '/users/42'],
  ['two params', '/api/v1/users/7/posts/9'],
  ['wildcard', '/static/css/site/main.css'],
  ['encoded param /users/a%20b', '/users/a%20b'],
  ['ANY fallback', '/hooks/deploy'],
  ['miss (404)', '/nope/nothing'],
];

const noop: Handler = () => undefined;
function build(R: new (o?: object) => RouterLike): RouterLike {
  const r = new R({ notFound: noop });
  for (const [m, p] of ROUTES) r.addRoute(m, p, noop);
  r.freeze();
  return r;
}

/** ns per dispatch over a fixed time slice. */
function time(router: RouterLike, req: Request, ms: number): number {
  const w = new BufferedResponseWriter();
  const h = router.handler;
  let n = 0;
  const end = performance.now() + ms;
  const t0 = process.hrtime.bigint();
  while (performance.now() < end) {
    for (let i = 0; i < 1000; i++) h(w, req);
    n += 1000;
  }
  return Number(process.hrtime.bigint() - t0) / n;
}

const Baseline = await loadBaseline(args.baseline);
const sides = { baseline: build(Baseline), current: build(Router as unknown as new (o?: object) => RouterLike) };
const rounds = Number(args.rounds);
const ms = Number(args.ms);
const samples: Record<string, Record<string, number[]>> = {};
const method = (label: string) => (label.startsWith('ANY') ? 'POST' : 'GET');
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? (['baseline', 'current'] as const) : (['current', 'baseline'] as const);
  for (const [label, path] of CASES) {
    for (const side of order) {
      const ns = time(sides[side], createRequest({ method: method(label), url: path }), ms);
      ((samples[label] ??= {})[side] ??= []).push(ns);
    }
  }
  console.log(`round ${round + 1}/${rounds} done`);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rows = CASES.map(([label]) => {
  const b = samples[label]!['baseline']!;
  const c = samples[label]!['current']!;
  return {
    case: label,
    baselineNs: median(b),
    currentNs: median(c),
    ratio: median(c) / median(b),
    baselineMinNs: Math.min(...b),
    currentMinNs: Math.min(...c),
  };
});
const meta = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  baseline: args.baseline,
  rounds,
  msPerSample: ms,
  loadAverage: loadavg()
    .map((x) => x.toFixed(2))
    .join(' '),
};
mkdirSync(join(here, 'results'), { recursive: true });
const out = JSON.stringify({ meta, rows }, null, 2);
writeFileSync(join(here, 'results', `${meta.date.replace(/[:.]/g, '-')}.json`), out);
writeFileSync(join(here, 'results', 'latest.json'), out);
let md = `# Router dispatch — ${meta.date}\n\nNode ${meta.node}, ${meta.cpus} CPUs, baseline ${meta.baseline}, ${rounds} interleaved rounds × ${ms} ms per side and case; median (min) ns per dispatch through \`router.handler\`. Load average at the end: ${meta.loadAverage}.\n\n| case | baseline ns | current ns | current ÷ baseline |\n|---|---:|---:|---:|\n`;
for (const r of rows)
  md += `| ${r.case} | ${r.baselineNs.toFixed(1)} (${r.baselineMinNs.toFixed(1)}) | ${r.currentNs.toFixed(1)} (${r.currentMinNs.toFixed(1)}) | ${r.ratio.toFixed(2)} |\n`;
writeFileSync(join(here, 'results', 'latest.md'), md);
rmSync(join(here, 'generated'), { recursive: true, force: true });
console.log(md);
