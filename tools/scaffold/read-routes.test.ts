import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/testing/run-cli.ts';
import { readRoutes } from './read-routes.ts';

// The entries are TypeScript with an app-shaped object (no plumego import: the temporary folder has
// no node_modules); the packed-package test runs the command on real generated projects.
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'plumego-routes-'));
  writeFileSync(
    join(dir, 'service.ts'),
    [
      'interface Route { method: string; path: string; name: string; tags: string[]; middleware?: string[] }',
      "const table: Route[] = [{ method: 'GET', path: '/items/:id', name: 'item', tags: ['items'], middleware: ['auth', 'audit'] }, { method: 'POST', path: '/items', name: '', tags: [] }];",
      "console.log('noise on stdout must not break the table');",
      'export function createService(): { routes(): Route[] } { return { routes: () => table }; }',
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'config.ts'), 'export const PORT: number = 8080;\n');
  writeFileSync(join(dir, 'broken.ts'), "import { nothing } from './missing.ts';\nexport const app = nothing;\n");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('plumego routes', () => {
  it('prints the route table of the app an entry file builds', async () => {
    const run = await runCli(dir, 'routes', 'service.ts');
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^METHOD\s+PATTERN\s+NAME\s+TAGS\s+MIDDLEWARE$/m);
    expect(run.out).toMatch(/^GET\s+\/items\/:id\s+item\s+items\s+auth > audit$/m);
    expect(run.out).toMatch(/^POST\s+\/items\s+—\s+—\s+—$/m);
    expect(run.out).toMatch(/2 route\(s\)/);
  });

  it('gives the table as JSON', async () => {
    expect(await readRoutes('service.ts', { cwd: dir })).toEqual([
      { method: 'GET', path: '/items/:id', name: 'item', tags: ['items'], middleware: ['auth', 'audit'] },
      { method: 'POST', path: '/items', name: '', tags: [], middleware: [] },
    ]);
    const run = await runCli(dir, 'routes', 'service.ts', '--format', 'json');
    expect(JSON.parse(run.out).routes).toHaveLength(2);
  });

  it.each([
    { file: 'missing.ts', why: /missing\.ts: no such file/ },
    { file: 'config.ts', why: /no app found.*\(it exports PORT\)/ },
    { file: 'broken.ts', why: /broken\.ts: could not be loaded: .*missing\.ts/ },
  ])('refuses $file with exit code 2 and the reason', async ({ file, why }) => {
    const run = await runCli(dir, 'routes', file);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(why);
    expect(run.err).toMatch(/\[PLUMEGO_SCAFFOLD_ENTRY_INVALID\]/);
  });

  it('needs exactly one entry file', async () => {
    expect((await runCli(dir, 'routes')).err).toMatch(/missing <entry-file>/);
    expect((await runCli(dir, 'routes', 'a.ts', 'b.ts')).code).toBe(2);
  });
});
