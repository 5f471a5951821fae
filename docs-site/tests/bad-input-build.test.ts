import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { SiteData, SiteModule } from '../src/data/plumego.generated.types.ts';
import { checkLinks } from './link-check.ts';

/**
 * The site must build from bad data and show it plainly (red cells), and refuse to build without
 * data, naming the fix. Runs real `astro build`s against data written to a temporary directory.
 */
const SITE = fileURLToPath(new URL('..', import.meta.url));
const ASTRO = join(SITE, '..', 'node_modules', 'astro', 'astro.js');

function build(dataFile: string, outDir: string): { status: number | null; output: string } {
  // A working folder of its own (as plumego site does): from docs-site itself, Astro would stage this
  // out-of-tree build in docs-site/.astro and delete it afterwards, under the other builds' feet.
  mkdirSync(join(SITE, 'node_modules', '.cache'), { recursive: true });
  const cwd = mkdtempSync(join(SITE, 'node_modules', '.cache', 'plumego-site-bad-'));
  const result = spawnSync(process.execPath, [ASTRO, 'build', '--root', SITE, '--outDir', outDir], {
    cwd,
    env: { ...process.env, PLUMEGO_SITE_DATA: dataFile, ASTRO_TELEMETRY_DISABLED: '1' },
    encoding: 'utf8',
  });
  rmSync(cwd, { recursive: true, force: true });
  return { status: result.status, output: `${result.stdout}\n${result.stderr}` };
}

function makeBadData(): { data: SiteData; broken: SiteModule; declared: string; stableDeclared: string } {
  const data = JSON.parse(readFileSync(join(SITE, 'src/data/plumego.generated.json'), 'utf8')) as SiteData;
  const index = data.modules.findIndex((m) => m.isFamilyRoot);
  const broken: SiteModule = {
    ...data.modules[index]!,
    summary: '',
    owner: '',
    missing: ['summary', 'owner'],
    check: { errors: 1, warnings: 0 },
  };
  // The real graph not computed yet: structure views fall back to the declared edges and say so.
  // A declared family without code (#22 item 6): the overview must say so wherever the family is named.
  const declared = data.families.find(
    (f) => f.root !== broken.name && data.overview.primaryFamilies.includes(f.root),
  )!.root;
  const stableDeclared = data.stableRoots[0]!;
  const modules = data.modules
    .map((m, i) => (i === index ? broken : m))
    .map((m) => ({
      ...m,
      imports: null,
      importedBy: null,
      ...(m.name === declared || m.name === stableDeclared ? { implemented: false } : {}),
    }));
  const violation = {
    check: 'boundaries',
    rule: 'default-deny',
    severity: 'error',
    file: `${broken.path}/index.ts`,
    line: 1,
    message: 'a planted violation',
    module: broken.name,
  };
  // A family with no subpackages must render too: make sure one exists.
  const families = data.families.map((f, i) => (i === 0 ? { ...f, subordinates: [] } : f));
  return {
    declared,
    stableDeclared,
    data: {
      ...data,
      modules,
      families,
      graph: { ...data.graph, computed: false, edges: [] },
      check: { ...data.check, computed: true, errors: 1, warnings: 0, violations: [violation] },
    },
    broken,
  };
}

describe('building from bad input', () => {
  it('builds with an empty summary and owner, an empty family and a violation, and shows them in red', () => {
    const dir = mkdtempSync(join(tmpdir(), 'plumego-site-bad-'));
    const { data, broken, declared, stableDeclared } = makeBadData();
    writeFileSync(join(dir, 'data.json'), JSON.stringify(data));
    const out = join(dir, 'dist');
    const result = build(join(dir, 'data.json'), out);
    expect(result.status, result.output.slice(-2000)).toBe(0);
    const status = readFileSync(join(out, 'status/index.html'), 'utf8');
    const row = status.slice(
      status.indexOf(`data-module="${broken.name}"`),
      status.indexOf('</tr>', status.indexOf(`data-module="${broken.name}"`)),
    );
    expect(row).toContain('data-missing="owner"');
    expect(status).toContain('a planted violation');
    const primer = readFileSync(join(out, 'modules', ...broken.name.split('/'), 'index.html'), 'utf8');
    expect(primer).toContain('data-missing="summary"');
    expect(primer).toMatch(/data-near="allowed-unused"[^]*?not yet computed/);
    const matrix = readFileSync(join(out, 'matrix/index.html'), 'utf8');
    expect(matrix).toContain('not yet computed');
    expect(matrix.match(/class="dsm-cell dsm-used/g)?.length).toBe(
      data.graph.declaredEdges.filter((e) => e.from !== e.to).length,
    );
    expect(checkLinks(out).broken).toEqual([]);
    const overview = readFileSync(join(out, 'modules/index.html'), 'utf8');
    const item = (list: string, name: string): string => {
      const at = overview.indexOf(`href="/modules/${name}/"`, overview.indexOf(`class="${list}"`));
      return overview.slice(at, overview.indexOf('</li>', at));
    };
    expect(item('primary-families', declared)).toContain('data-implemented="false"');
    expect(item('stable-roots', stableDeclared)).toContain('no code yet');
    expect(item('stable-roots', data.stableRoots[1]!)).not.toContain('no code yet');
    expect(overview).toMatch(/data-no-code-count> · 1 without code yet/);
  }, 240_000);

  it('refuses to build without a data file and says to run plumego sync', () => {
    const dir = mkdtempSync(join(tmpdir(), 'plumego-site-none-'));
    const result = build(join(dir, 'missing.json'), join(dir, 'dist'));
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('npx plumego sync');
  }, 120_000);
});
