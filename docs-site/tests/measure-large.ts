/**
 * Builds the site from a generated repository of N modules (default 500) and prints build time and
 * the transferred weight (gzip) of every page: its HTML plus the CSS and JS it links. Not a test —
 * timing depends on the machine. Run: node --import tsx docs-site/tests/measure-large.ts [N]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { SiteData } from '../src/data/plumego.generated.types.ts';
import { generateLargeData } from './large-data.ts';
import { DIST } from './site-dist.ts';

const total = Number(process.argv[2] ?? 500);
const SITE = join(DIST, '..');
const dir = mkdtempSync(join(tmpdir(), 'plumego-site-large-'));
const data = generateLargeData(
  JSON.parse(readFileSync(join(SITE, 'src/data/plumego.generated.json'), 'utf8')) as SiteData,
  total,
);
writeFileSync(join(dir, 'data.json'), JSON.stringify(data));
const out = join(dir, 'dist');
const started = Date.now();
const build = spawnSync(
  process.execPath,
  [join(SITE, '..', 'node_modules', 'astro', 'astro.js'), 'build', '--outDir', out],
  {
    cwd: SITE,
    env: { ...process.env, PLUMEGO_SITE_DATA: join(dir, 'data.json'), ASTRO_TELEMETRY_DISABLED: '1' },
    encoding: 'utf8',
  },
);
const seconds = (Date.now() - started) / 1000;
if (build.status !== 0) throw new Error(`build failed:\n${build.stdout.slice(-3000)}\n${build.stderr.slice(-3000)}`);
const gz = (file: string): number => gzipSync(readFileSync(file)).length;
const pages = readdirSync(out, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.html'));
const weights = pages
  .map((p) => {
    const html = readFileSync(join(out, p), 'utf8');
    const assets = [...new Set([...html.matchAll(/(?:href|src)="(\/_astro\/[^"]+\.(?:css|js))"/g)].map((m) => m[1]!))];
    return { page: p, html: gz(join(out, p)), assets: assets.reduce((sum, a) => sum + gz(join(out, a)), 0) };
  })
  .sort((a, b) => b.html + b.assets - (a.html + a.assets));
const kb = (n: number): string => `${(n / 1024).toFixed(1)} KB`;
console.log(
  `${data.modules.length} modules, ${data.graph.edges.length} edges: ${pages.length} pages built in ${seconds.toFixed(1)} s (${out})`,
);
for (const w of weights.slice(0, 8))
  console.log(`${w.page}: html ${kb(w.html)} + css/js ${kb(w.assets)} = ${kb(w.html + w.assets)} gzip`);
const median = weights[Math.floor(weights.length / 2)]!;
console.log(
  `median page ${median.page}: ${kb(median.html + median.assets)} gzip; pages over 500 KB: ${weights.filter((w) => w.html + w.assets > 500 * 1024).length}`,
);
