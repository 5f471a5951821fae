import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkOutDir, findSiteSources, resolveAstro, SITE_MARKER, SiteBuildError } from './build-site.ts';

// The full build (init → plumego site → pages, links, Chromium) is docs-site/tests/adopter-site.test.ts.
describe('plumego site: inputs it refuses before building', () => {
  const repo = mkdtempSync(join(tmpdir(), 'plumego-site-in-'));

  it('names the packages and exact versions to install when Astro or Starlight is missing', () => {
    const bare = mkdtempSync(join(tmpdir(), 'plumego-site-nodeps-'));
    const needs = findSiteSources().needs;
    expect(Object.keys(needs).sort()).toEqual(['@astrojs/starlight', 'astro']);
    let caught: unknown;
    try {
      resolveAstro(bare, needs);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SiteBuildError);
    expect((caught as SiteBuildError).code).toBe('PLUMEGO_ERR_SITE_DEPS');
    expect((caught as SiteBuildError).hint).toBe(
      `npm install --save-dev ${Object.entries(needs)
        .map(([n, v]) => `${n}@${v}`)
        .join(' ')}`,
    );
  });

  it("finds Astro beside this repository's site sources", () => {
    const { dir, needs } = findSiteSources();
    expect(resolveAstro(dir, needs)).toMatch(/node_modules[/\\]astro[/\\]astro\.js$/);
  });

  it('refuses a file, the repository or a folder around it, and a non-empty folder that is no earlier site', () => {
    const file = join(repo, 'f.txt');
    writeFileSync(file, 'x');
    expect(() => checkOutDir(file, repo)).toThrow(/is a file, not a folder/);
    expect(() => checkOutDir(repo, repo)).toThrow(/contains the repository itself/);
    expect(() => checkOutDir(join(repo, '..'), repo)).toThrow(/contains the repository itself/);
    const used = join(repo, 'used');
    mkdirSync(used);
    writeFileSync(join(used, 'keep.me'), 'x');
    expect(() => checkOutDir(used, repo)).toThrow(/not empty and is not an earlier plumego site/);
  });

  it('accepts a new folder, an empty one and an earlier site output', () => {
    expect(() => checkOutDir(join(repo, 'new'), repo)).not.toThrow();
    const empty = join(repo, 'empty');
    mkdirSync(empty);
    expect(() => checkOutDir(empty, repo)).not.toThrow();
    writeFileSync(join(empty, SITE_MARKER), '{}');
    writeFileSync(join(empty, 'index.html'), '<p>old</p>');
    expect(() => checkOutDir(empty, repo)).not.toThrow();
  });
});
