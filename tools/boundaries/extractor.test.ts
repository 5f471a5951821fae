import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { writeFixture } from '../control-plane/testing/fixture-repo.ts';
import { ConfigError } from '../control-plane/index.ts';
import { getCruiseOptions, readFileGraph } from './extract-graph.ts';
import { IN_THREAD_EXTRACTOR, startWorkerExtractor, type Extractor } from './extractor.ts';

let cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups) await c();
  cleanups = [];
});

function repo(extra: Record<string, string> = {}): string {
  const { root, cleanup } = writeFixture({
    'package.json': '{ "name": "demo", "type": "module" }\n',
    'tsconfig.json': '{ "compilerOptions": { "baseUrl": ".", "paths": { "#c": ["src/lib/c.ts"] } } }\n',
    'src/a.ts':
      "import type { B } from './b.ts';\nimport { c } from '#c';\nexport const a: B = c;\nexport const later = () => import('./b.ts');\n",
    'src/b.ts': "import { readFileSync } from 'node:fs';\nexport type B = number;\nexport const b = readFileSync;\n",
    'src/lib/c.ts': 'export const c = 1;\n',
    'src/broken.ts': 'export const = ;\n',
    ...extra,
  });
  cleanups.push(cleanup);
  return root;
}

function worker(preload: boolean, root?: string): Extractor {
  const w = startWorkerExtractor({ preload, ...(root ? { root } : {}) });
  cleanups.push(() => w.close());
  return w;
}

const FILES = ['src/a.ts', 'src/b.ts', 'src/broken.ts', 'src/lib/c.ts'];

describe('extraction on a worker thread', () => {
  it('gives the same graph as in-thread: every edge kind, tsconfig paths and syntax errors', async () => {
    const root = repo();
    const options = { root, packageName: 'demo' };
    const here = await readFileGraph(FILES, options, FILES, IN_THREAD_EXTRACTOR);
    const there = await readFileGraph(FILES, options, FILES, worker(true, root));
    expect(there).toEqual(here);
    const a = here.find((f) => f.file === 'src/a.ts')!;
    expect(a.dependencies.map((d) => [d.resolved, d.kind, d.via])).toEqual(
      expect.arrayContaining([
        ['src/b.ts', 'type-only', 'relative'],
        ['src/lib/c.ts', 'import', 'tsconfig-paths'],
        ['src/b.ts', 'dynamic', 'relative'],
      ]),
    );
    expect(here.find((f) => f.file === 'src/broken.ts')?.parseError).toMatchObject({ line: 1, column: 14 });
  });

  it('serves several requests from one worker, an incremental one included', async () => {
    const root = repo();
    const w = worker(false);
    const options = { root, packageName: 'demo' };
    await readFileGraph(FILES, options, FILES, w);
    writeFileSync(`${root}/src/lib/c.ts`, "import { b } from '../b.ts';\nexport const c = b;\n");
    const [c] = await readFileGraph(
      ['src/lib/c.ts'],
      options,
      [...FILES, ...Array.from({ length: 20 }, (_, i) => `src/pad${i}.ts`)],
      w,
    );
    expect(c!.dependencies.map((d) => d.resolved)).toEqual(['src/b.ts']);
  });

  it('falls back to this thread when the worker is gone, with the same result', async () => {
    const root = repo();
    const w = startWorkerExtractor({ preload: false });
    await w.close();
    const options = { root, packageName: 'demo' };
    expect(await readFileGraph(FILES, options, FILES, w)).toEqual(await readFileGraph(FILES, options, FILES));
  });

  it('reports an unreadable tsconfig.json as a configuration error, not a crash, from the worker too', async () => {
    const root = repo({ 'tsconfig.json': '{ "extends": "./missing-base.json" }\n' });
    const attempt = readFileGraph(FILES, { root, packageName: 'demo' }, FILES, worker(true, root));
    await expect(attempt).rejects.toBeInstanceOf(ConfigError);
    await expect(attempt).rejects.toMatchObject({ code: 'PLUMEGO_ERR_TSCONFIG' });
  });
});

describe('syntax errors of the cruised files', () => {
  it('are reported for broken files among many, in-thread and on a worker', async () => {
    const many: Record<string, string> = {};
    for (let i = 0; i < 240; i += 1) many[`src/gen/f${i}.ts`] = `export const v${i}: number = ${i};\n`;
    many['src/gen/f3.ts'] = 'export const = = ;\n';
    const root = repo(many);
    const files = [...FILES, ...Object.keys(many)].sort();
    for (const extractor of [IN_THREAD_EXTRACTOR, worker(true, root)]) {
      const graph = await readFileGraph(files, { root, packageName: 'demo' }, files, extractor);
      const broken = graph.filter((f) => f.parseError).map((f) => [f.file, f.parseError!.line, f.parseError!.column]);
      expect(broken).toEqual([
        ['src/broken.ts', 1, 14],
        ['src/gen/f3.ts', 1, 14],
      ]);
    }
    // On a fresh worker TypeScript is loaded by the extractor, so every parse comes from the cruise itself.
    const direct = await worker(true, root).extract({
      files,
      cruiseOptions: getCruiseOptions(root),
      tsConfigFile: `${root}/tsconfig.json`,
    });
    expect(direct.reparsed).toBe(0);
    expect(direct.problems.map(([file]) => file).sort()).toEqual(['src/broken.ts', 'src/gen/f3.ts']);
  });
});

describe('overlapping cruises in one thread', () => {
  it('each gets its files and syntax errors (sync builds several graphs at once)', async () => {
    const first = repo();
    const second = repo({ 'src/lib/c.ts': 'export const = 2;\n' });
    const [a, b] = await Promise.all([
      readFileGraph(FILES, { root: first, packageName: 'demo' }),
      readFileGraph(FILES, { root: second, packageName: 'demo' }),
    ]);
    expect(a.filter((f) => f.parseError).map((f) => f.file)).toEqual(['src/broken.ts']);
    expect(b.filter((f) => f.parseError).map((f) => f.file)).toEqual(['src/broken.ts', 'src/lib/c.ts']);
  });
});
