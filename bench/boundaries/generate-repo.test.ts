import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { generateRepo, getModuleEdges, hasBareEntry, pickPlantTarget } from './generate-repo.ts';
import { comparePlanted, describeComparison, type Finding } from './planted.ts';
import type { SynthModule } from './synth-modules.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const synth = (name: string, over: Partial<SynthModule> = {}): SynthModule => ({
  name,
  path: `tools/${name}`,
  layer: 'tooling',
  tier: 'experimental',
  manifestFile: `tools/${name}/module.yaml`,
  entry: `tools/${name}/index.ts`,
  library: false,
  allowed: [],
  lowerTier: [],
  packages: [],
  ...over,
});

const names = (edges: ReadonlyMap<string, readonly SynthModule[]>, from: string): string[] =>
  (edges.get(from) ?? []).map((m) => m.name);

describe('getModuleEdges', () => {
  it('keeps the first of two modules that allow each other and drops the edge that would close the cycle', () => {
    const edges = getModuleEdges([synth('a', { allowed: ['b'] }), synth('b', { allowed: ['a'] })]);
    expect(names(edges, 'a')).toEqual(['b']);
    expect(names(edges, 'b')).toEqual([]);
  });

  it('drops an edge that closes a longer cycle, and keeps the acyclic rest', () => {
    const edges = getModuleEdges([
      synth('a', { allowed: ['b', 'c'] }),
      synth('b', { allowed: ['c'] }),
      synth('c', { allowed: ['a'] }),
    ]);
    expect(names(edges, 'a')).toEqual(['b', 'c']);
    expect(names(edges, 'b')).toEqual(['c']);
    expect(names(edges, 'c')).toEqual([]);
  });

  it('uses a lower-tier module only when the manifest opts in with lower_tier', () => {
    const modules = [
      synth('ga', { tier: 'ga', allowed: ['beta', 'exp'], lowerTier: ['exp'] }),
      synth('beta', { tier: 'beta' }),
      synth('exp'),
    ];
    expect(names(getModuleEdges(modules), 'ga')).toEqual(['exp']);
  });

  it('ignores allowed modules that are not generated and a module allowing itself', () => {
    expect(names(getModuleEdges([synth('a', { allowed: ['a', 'missing'] })]), 'a')).toEqual([]);
  });
});

describe('pickPlantTarget', () => {
  const edges = getModuleEdges([
    synth('from'),
    synth('pref', { allowed: ['from'] }),
    synth('root'),
    synth('root/leaf'),
    synth('other'),
  ]);
  const candidates = [synth('pref'), synth('root'), synth('root/leaf', { path: 'tools/root/leaf' }), synth('other')];

  it('takes the preferred module when importing it closes no cycle', () => {
    expect(pickPlantTarget('from', 'other', candidates, edges)?.name).toBe('other');
  });

  it('skips a preferred module that reaches the importer, and prefers leaves to family roots', () => {
    expect(pickPlantTarget('from', 'pref', candidates, edges)?.name).toBe('root/leaf');
  });

  it('never picks the importer itself, and gives up when every candidate closes a cycle', () => {
    expect(pickPlantTarget('from', 'from', [synth('from')], edges)).toBeUndefined();
    expect(pickPlantTarget('from', 'pref', [synth('pref')], edges)).toBeUndefined();
  });
});

describe('hasBareEntry', () => {
  const dir = mkdtempSync(join(tmpdir(), 'plumego-pkg-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const pkg = (name: string, manifest: object | string, files: string[] = []): string => {
    mkdirSync(`${dir}/${name}`, { recursive: true });
    writeFileSync(`${dir}/${name}/package.json`, typeof manifest === 'string' ? manifest : JSON.stringify(manifest));
    for (const f of files) {
      mkdirSync(join(dir, name, f, '..'), { recursive: true });
      writeFileSync(`${dir}/${name}/${f}`, '');
    }
    return `${dir}/${name}`;
  };

  it('accepts a "." export, a conditional one, a bare string export, main, or index.js that exists', () => {
    expect(hasBareEntry(pkg('a', { exports: { '.': { import: './dist/a.js' } } }, ['dist/a.js']))).toBe(true);
    expect(hasBareEntry(pkg('b', { exports: { types: './b.d.ts', default: './b.js' } }, ['b.js']))).toBe(true);
    expect(hasBareEntry(pkg('c', { exports: './c.js' }, ['c.js']))).toBe(true);
    expect(hasBareEntry(pkg('d', { main: './lib/d.js' }, ['lib/d.js']))).toBe(true);
    expect(hasBareEntry(pkg('e', {}, ['index.js']))).toBe(true);
  });

  it('refuses subpath-only exports, an export or main naming a missing file, and a missing or broken package.json', () => {
    expect(hasBareEntry(pkg('f', { exports: { './core': './core.js' } }, ['core.js']))).toBe(false);
    expect(hasBareEntry(pkg('g', { exports: { '.': { import: './dist/esm/index.js' } } }))).toBe(false);
    expect(hasBareEntry(pkg('h', { main: './gone.js' }))).toBe(false);
    expect(hasBareEntry(pkg('i', '{ not json'))).toBe(false);
    expect(hasBareEntry(`${dir}/nothing-here`)).toBe(false);
  });
});

describe('comparePlanted', () => {
  const planted = [
    { rule: 'default-deny', file: 'framework/a/x.ts' },
    { rule: 'builtin-policy', file: 'tools/y.ts' },
  ];

  it('finds nothing to say when the findings are exactly the planted set, duplicates included', () => {
    const c = comparePlanted(planted, [...planted, planted[0]!]);
    expect(c).toEqual({ missed: [], unexpected: [] });
    expect(describeComparison(c)).toBe('');
  });

  it('names a missed plant and every unexpected finding, grouped by rule', () => {
    const found: Finding[] = [
      planted[0]!,
      { rule: 'builtin-policy', file: 'tools/z.ts' },
      { rule: 'unresolved-import', file: 'b.ts' },
      { rule: 'unresolved-import', file: 'c.ts' },
    ];
    const c = comparePlanted(planted, found);
    expect(c.missed).toEqual([planted[1]]);
    expect(c.unexpected).toHaveLength(3);
    expect(describeComparison(c, 1).split('\n')).toEqual([
      'missed planted builtin-policy in tools/y.ts',
      'unexpected builtin-policy ×1: tools/z.ts',
      'unexpected unresolved-import ×2: b.ts, …',
    ]);
  });

  it('does not count the same rule in another file, or another rule in the same file, as the plant', () => {
    const c = comparePlanted(
      [planted[0]!],
      [
        { rule: 'default-deny', file: 'framework/a/other.ts' },
        { rule: 'maturity', file: 'framework/a/x.ts' },
      ],
    );
    expect(c.missed).toEqual([planted[0]]);
    expect(c.unexpected).toHaveLength(2);
  });
});

describe('the synthetic repository', () => {
  const out = mkdtempSync(join(tmpdir(), 'plumego-synth-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('makes the gate report exactly the planted violations, with this repository manifests (tools folders included)', () => {
    const repo = `${out}/repo`;
    const generated = generateRepo({
      sourceRoot: ROOT.replace(/\/$/, ''),
      outDir: repo,
      files: 600,
      modules: 40,
      seed: 7,
    });
    expect(generated.planted).toHaveLength(7);
    expect(JSON.parse(readFileSync(`${repo}/PLANTED.json`, 'utf8'))).toEqual(generated.planted);
    // Tools folders get code, reached through their own entries (tools/cli's is main.ts).
    expect(existsSync(`${repo}/tools/control-plane/index.ts`) && existsSync(`${repo}/tools/cli/main.ts`)).toBe(true);
    const r = spawnSync(
      process.execPath,
      [`${ROOT}tools/cli/bin.mjs`, 'check', '--only', 'boundaries', '--format', 'json', '--no-cache'],
      { cwd: repo, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    expect(r.status, r.stderr).toBe(1);
    const found = (JSON.parse(r.stdout) as { violations: Finding[] }).violations;
    expect(describeComparison(comparePlanted(generated.planted, found))).toBe('');
  }, 60_000);
});
