import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import * as launcher from './launcher.mjs';

let dirs: string[] = [];
afterEach(() => {
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
  dirs = [];
});

function tempDir(): string {
  const dir = mkdtempSync(`${tmpdir()}/plumego-launcher-`);
  dirs.push(dir);
  return dir;
}

/** A tiny CLI: a data file found relative to its source, and a lazily imported command. */
function writeSources(dir: string, answer: number): string {
  writeFileSync(`${dir}/data.txt`, 'next to the source');
  writeFileSync(
    `${dir}/dep.ts`,
    [
      "import { readFileSync } from 'node:fs';",
      'export const where: string = import.meta.url;',
      "export const data = (): string => readFileSync(new URL('./data.txt', import.meta.url), 'utf8');",
      `export const answer: number = ${answer};`,
      '',
    ].join('\n'),
  );
  writeFileSync(`${dir}/lazy.ts`, 'export const lazy = (n: number): number => n * 2;\n');
  writeFileSync(
    `${dir}/main.ts`,
    [
      "import { answer, data, where } from './dep.ts';",
      'export { answer, data, where };',
      "export const loadLazy = async (): Promise<number> => (await import('./lazy.ts')).lazy(answer);",
      '',
    ].join('\n'),
  );
  return `${dir}/main.ts`;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('the CLI launcher', () => {
  it('bundles the sources once, keeps each source its own import.meta.url, and keeps lazy imports lazy', async () => {
    const src = tempDir();
    const cache = tempDir();
    const entry = writeSources(src, 21);
    expect(launcher.findFreshBundle(cache, entry)).toBeUndefined();
    const cli = await launcher.loadCli({ entry, cacheDir: cache });
    expect(cli['where']).toBe(pathToFileURL(`${src}/dep.ts`).href);
    expect((cli['data'] as () => string)()).toBe('next to the source');
    expect(await (cli['loadLazy'] as () => Promise<number>)()).toBe(42);
    const bundle = launcher.findFreshBundle(cache, entry);
    expect(bundle).toMatch(/main\.mjs$/);
    // Code splitting: the lazy module is its own chunk.
    expect(readdirSync(dirname(bundle!)).filter((f) => f.endsWith('.mjs')).length).toBeGreaterThan(1);
  });

  it('rebuilds when an input changes, and is fresh again after', async () => {
    const src = tempDir();
    const cache = tempDir();
    const entry = writeSources(src, 1);
    const first = await launcher.buildBundle(cache, entry);
    expect(launcher.findFreshBundle(cache, entry)).toBe(first);
    writeSources(src, 1234);
    expect(launcher.findFreshBundle(cache, entry)).toBeUndefined();
    const second = await launcher.buildBundle(cache, entry);
    expect(second).not.toBe(first);
    expect(launcher.findFreshBundle(cache, entry)).toBe(second);
    const cli = (await import(pathToFileURL(second!).href)) as { answer: number };
    expect(cli.answer).toBe(1234);
  });

  it('gives undefined (the caller falls back to tsx) when the cache cannot be written or the sources do not compile', async () => {
    const src = tempDir();
    const entry = writeSources(src, 1);
    const blocked = `${tempDir()}/file`;
    writeFileSync(blocked, 'a file where the cache directory should be');
    expect(await launcher.buildBundle(blocked, entry)).toBeUndefined();
    writeFileSync(`${src}/dep.ts`, 'export const = ;\n');
    const cache = tempDir();
    expect(await launcher.buildBundle(cache, entry)).toBeUndefined();
    expect(readdirSync(cache)).toEqual([]);
  });

  it('lets two processes build at once: both get a working bundle', async () => {
    const src = tempDir();
    const cache = tempDir();
    const entry = writeSources(src, 7);
    const [a, b] = await Promise.all([launcher.buildBundle(cache, entry), launcher.buildBundle(cache, entry)]);
    expect(a).toBe(b);
    expect(existsSync(a!)).toBe(true);
    expect(readdirSync(cache).filter((f) => f.startsWith('tmp-'))).toEqual([]);
  });

  it('runs the real CLI from the bundle, and from the sources with PLUMEGO_CLI_SOURCE=1', () => {
    const cache = tempDir();
    const run = (env: Record<string, string>) =>
      spawnSync(process.execPath, [`${ROOT}tools/cli/bin.mjs`, '--help'], {
        encoding: 'utf8',
        env: { ...process.env, PLUMEGO_CLI_CACHE: cache, ...env },
      });
    const fromSource = run({ PLUMEGO_CLI_SOURCE: '1' });
    expect(fromSource.status).toBe(0);
    expect(readdirSync(cache)).toEqual([]);
    const bundled = run({});
    expect(bundled.status).toBe(0);
    expect(bundled.stdout).toBe(fromSource.stdout);
    expect(readdirSync(cache)).toContain('current.json');
  });
});
