import { rmSync, utimesSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { writeFixture } from '../control-plane/testing/fixture-repo.ts';
import { buildFileGraph } from './file-graph.ts';
import { peekGraphCache, planExtraction } from './graph-cache.ts';
import { listSourceFiles } from './scan-files.ts';
import type { FileDependency } from './types.ts';

const dep = (target: FileDependency['target'], resolved: string): FileDependency => ({
  specifier: resolved,
  target,
  resolved,
  kind: 'import',
  via: 'relative',
  line: 1,
  column: 1,
});
const record = (file: string, hash: string, dependencies: FileDependency[] = []) => ({ file, hash, dependencies });

let cleanups: (() => void)[] = [];
afterEach(() => {
  cleanups.forEach((c) => c());
  cleanups = [];
});

/** src/a.ts imports src/b.ts; `extra` adds files. */
function demoRepo(extra: Record<string, string> = {}): string {
  const { root, cleanup } = writeFixture({
    'package.json': '{ "name": "demo", "type": "module" }\n',
    'src/a.ts': "import { b } from './b.ts';\nexport const a = b;\n",
    'src/b.ts': 'export const b = 1;\n',
    ...extra,
  });
  cleanups.push(cleanup);
  return root;
}

describe('file-level graph cache', () => {
  it('plans only changed files when the file set is the same', () => {
    const cached = new Map([
      ['a.ts', record('a.ts', '1', [dep('unresolved', './x.ts')])],
      ['b.ts', record('b.ts', '2')],
    ]);
    const plan = planExtraction(
      new Map([
        ['a.ts', '1'],
        ['b.ts', '3'],
      ]),
      cached,
    );
    expect(plan.extract).toEqual(['b.ts']);
    expect(plan.reuse.map((r) => r.file)).toEqual(['a.ts']);
  });

  it('re-extracts unresolved importers when a file appears, and importers of a removed file', () => {
    const cached = new Map([
      ['a.ts', record('a.ts', '1', [dep('unresolved', './x.ts')])],
      ['b.ts', record('b.ts', '2', [dep('file', 'gone.ts')])],
      ['c.ts', record('c.ts', '3', [dep('file', 'a.ts')])],
      ['gone.ts', record('gone.ts', '4')],
    ]);
    const plan = planExtraction(
      new Map([
        ['a.ts', '1'],
        ['b.ts', '2'],
        ['c.ts', '3'],
        ['x.ts', '5'],
      ]),
      cached,
    );
    expect([...plan.extract].sort()).toEqual(['a.ts', 'b.ts', 'x.ts']);
  });

  it('reuses the cache on an unchanged re-run and re-extracts only an edited file', async () => {
    const root = demoRepo({ 'src/c.ts': "export { a } from './a.ts';\n" });
    const files = listSourceFiles(root, ['src']);
    const cold = await buildFileGraph(root, 'demo', files);
    expect(cold.stats).toEqual({ files: 3, extracted: 3, reused: 0 });
    const warm = await buildFileGraph(root, 'demo', files);
    expect(warm.stats).toEqual({ files: 3, extracted: 0, reused: 3 });
    expect(warm.graph).toEqual(cold.graph);
    writeFileSync(`${root}/src/b.ts`, "import { c } from './c.ts';\nexport const b = c;\n");
    const edited = await buildFileGraph(root, 'demo', files);
    expect(edited.stats).toEqual({ files: 3, extracted: 1, reused: 2 });
    expect(edited.graph.files.find((f) => f.file === 'src/b.ts')?.dependencies.map((d) => d.resolved)).toEqual([
      'src/c.ts',
    ]);
    // The incremental cruise must not drop what unchanged files import.
    expect(edited.graph.files.find((f) => f.file === 'src/a.ts')?.dependencies.map((d) => d.resolved)).toEqual([
      'src/b.ts',
    ]);
    // A touched but unchanged file is re-hashed, not re-extracted.
    utimesSync(`${root}/src/c.ts`, new Date(), new Date(Date.now() + 5000));
    expect((await buildFileGraph(root, 'demo', files)).stats).toEqual({ files: 3, extracted: 0, reused: 3 });
    writeFileSync(`${root}/package.json`, '{ "name": "demo", "type": "module", "private": true }\n');
    expect((await buildFileGraph(root, 'demo', files)).stats.extracted).toBe(3);
  });

  it('guesses before the specs load whether a run will extract: no cache, an edit, a new or a removed file', async () => {
    const root = demoRepo();
    const list = (roots: readonly string[]): string[] => listSourceFiles(root, roots);
    const needed = (): boolean => peekGraphCache(root, list).needed;
    expect(needed()).toBe(true);
    await buildFileGraph(root, 'demo', list(['src']), { scanRoots: ['src'] });
    expect(needed()).toBe(false);
    writeFileSync(`${root}/src/b.ts`, 'export const b = 2222;\n');
    expect(needed()).toBe(true);
    await buildFileGraph(root, 'demo', list(['src']), { scanRoots: ['src'] });
    writeFileSync(`${root}/src/new.ts`, 'export const n = 1;\n');
    expect(needed()).toBe(true);
    await buildFileGraph(root, 'demo', list(['src']), { scanRoots: ['src'] });
    expect(needed()).toBe(false);
    rmSync(`${root}/src/new.ts`);
    expect(needed()).toBe(true);
    writeFileSync(`${root}/node_modules/.cache/plumego/boundaries-graph.json`, '{ not json');
    expect(needed()).toBe(true);
  });

  it('hands what it read on to the gate, which then gives the same graph as without it', async () => {
    const root = demoRepo();
    const files = listSourceFiles(root, ['src']);
    const cold = await buildFileGraph(root, 'demo', files, { scanRoots: ['src'] });
    writeFileSync(`${root}/src/b.ts`, "import { a } from './a.ts';\nexport const b = a;\n");
    const peek = peekGraphCache(root, (roots) => listSourceFiles(root, roots));
    expect(peek.needed).toBe(true);
    const run = await buildFileGraph(root, 'demo', files, { scanRoots: ['src'], start: { graphCache: peek.snapshot } });
    expect(run.stats).toEqual({ files: 2, extracted: 1, reused: 1 });
    expect(run.graph.files.find((f) => f.file === 'src/b.ts')?.dependencies.map((d) => d.resolved)).toEqual([
      'src/a.ts',
    ]);
    expect(run.graph.files.find((f) => f.file === 'src/a.ts')).toEqual(
      cold.graph.files.find((f) => f.file === 'src/a.ts'),
    );
    const warm = peekGraphCache(root, (roots) => listSourceFiles(root, roots));
    expect(warm.needed).toBe(false);
    expect(
      (await buildFileGraph(root, 'demo', files, { scanRoots: ['src'], start: { graphCache: warm.snapshot } })).stats,
    ).toEqual({ files: 2, extracted: 0, reused: 2 });
  });
});
