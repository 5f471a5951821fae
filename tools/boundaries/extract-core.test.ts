import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { writeFixture } from '../control-plane/testing/fixture-repo.ts';

const CORE = fileURLToPath(new URL('./extract-core.mjs', import.meta.url));
let cleanups: (() => void)[] = [];
afterEach(() => {
  cleanups.forEach((c) => c());
  cleanups = [];
});

/** One process: load TypeScript through the code cache, cruise one file, report how TypeScript was compiled. */
function run(cacheDir: string, root: string): { load: string; deps: string[] } {
  const script = `
    const core = await import(${JSON.stringify(CORE)});
    const { modules } = await core.cruiseFiles(['src/a.ts'], { baseDir: ${JSON.stringify(root)}, tsPreCompilationDeps: true, validate: false }, undefined);
    console.log(JSON.stringify({ load: core.getTypeScriptLoad(), deps: modules.find((m) => m.source === 'src/a.ts').dependencies.map((d) => d.resolved) }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { ...process.env, PLUMEGO_CODE_CACHE_DIR: cacheDir },
  });
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as { load: string; deps: string[] };
}

describe('TypeScript through a V8 code cache', () => {
  it(
    'compiles and writes the cache once, is accepted after, and recovers from a corrupt cache',
    { timeout: 90_000 },
    () => {
      const cacheDir = mkdtempSync(`${tmpdir()}/plumego-v8-`);
      const { root, cleanup } = writeFixture({
        'src/a.ts': "import type { B } from './b.ts';\nexport const a = 1;\n",
        'src/b.ts': 'export type B = 1;\n',
      });
      cleanups.push(cleanup, () => rmSync(cacheDir, { recursive: true, force: true }));
      expect(run(cacheDir, root)).toEqual({ load: 'compiled', deps: ['src/b.ts'] });
      const [file] = readdirSync(cacheDir);
      expect(file).toMatch(/^typescript-[\d.]+-[\w-]{16}\.bin$/);
      expect(run(cacheDir, root)).toEqual({ load: 'cached', deps: ['src/b.ts'] });
      writeFileSync(`${cacheDir}/${file!}`, 'not a code cache');
      expect(run(cacheDir, root)).toEqual({ load: 'compiled', deps: ['src/b.ts'] });
      expect(run(cacheDir, root).load).toBe('cached');
    },
  );

  it('parses on its own what it did not see parsed, and names an unreadable file', async () => {
    const { findParseProblems } = await import('./extract-core.mjs');
    const { root, cleanup } = writeFixture({
      'a.ts': 'export const = ;\n',
      'b.tsx': 'export const B = () => <div>ok</div>;\n',
    });
    cleanups.push(cleanup);
    expect(findParseProblems(root, ['a.ts', 'b.tsx', 'gone.ts'])).toEqual([
      ['a.ts', { line: 1, column: 14, message: expect.any(String) as unknown }],
      ['gone.ts', { line: 0, column: 0, message: 'file could not be read' }],
    ]);
  });
});
