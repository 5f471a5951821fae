import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/testing/run-cli.ts';
import { getDevArgs, startDev } from './dev-process.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'plumego-dev-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const app = (version: string): string =>
  [
    `import { greeting } from './greeting.ts';`,
    `const label: string = '${version}';`,
    'console.log(`up ${label} ${greeting} ${process.argv.slice(2).join(" ")}`);',
    'setInterval(() => {}, 1000);',
    '',
  ].join('\n');

describe('plumego dev', () => {
  it('runs the TypeScript entry under node --watch and restarts it when an imported module changes', async () => {
    writeFileSync(join(dir, 'greeting.ts'), "export const greeting: string = 'hello';\n");
    writeFileSync(join(dir, 'main.ts'), app('v1'));
    const child = startDev('main.ts', { cwd: dir, args: ['--port', '0'], stdio: ['ignore', 'pipe', 'pipe'] });
    const seen: string[] = [];
    const waitFor = (pattern: RegExp): Promise<void> =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no line matching ${pattern}; saw ${JSON.stringify(seen)}`)),
          15_000,
        );
        const check = (): void => {
          if (seen.some((l) => pattern.test(l))) {
            clearTimeout(timer);
            resolve();
          }
        };
        lines.on('line', check);
        check();
      });
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => seen.push(line));
    try {
      await waitFor(/^up v1 hello --port 0$/);
      writeFileSync(join(dir, 'greeting.ts'), "export const greeting: string = 'bonjour';\n");
      await waitFor(/^up v1 bonjour --port 0$/);
      writeFileSync(join(dir, 'main.ts'), app('v2'));
      await waitFor(/^up v2 bonjour --port 0$/);
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('passes conditions to node before the loader', () => {
    const args = getDevArgs('/app/main.ts', { conditions: ['source'], args: ['--addr', ':0'] });
    expect(args[0]).toBe('--watch');
    expect(args[1]).toBe('--conditions=source');
    expect(args.slice(-3)).toEqual(['/app/main.ts', '--addr', ':0']);
  });

  it('refuses a missing entry file instead of watching nothing', async () => {
    const run = await runCli(dir, 'dev', 'nope.ts');
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/nope\.ts: no such file \[PLUMEGO_SCAFFOLD_ENTRY_INVALID\]/);
    expect((await runCli(dir, 'dev')).err).toMatch(/missing <entry-file>/);
  });
});
