import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findManifests, listDirs, listYamlFiles } from './discover.ts';
import { hasWorkspaces, listWorkspaceDirs } from './workspaces.ts';

let root = '';
afterEach(() => {
  if (root) rmSync(root, { recursive: true, force: true });
  root = '';
});

function repo(files: readonly string[]): string {
  root = mkdtempSync(join(tmpdir(), 'plumego-ws-'));
  for (const f of files) {
    mkdirSync(f.endsWith('/') ? join(root, f) : dirname(join(root, f)), { recursive: true });
    if (!f.endsWith('/')) writeFileSync(join(root, f), f.endsWith('.json') ? '{}' : 'x: 1\n');
  }
  return root;
}

const PACKAGES = [
  'packages/a/package.json',
  'packages/b/package.json',
  'packages/no-pkg/readme.md',
  'packages/.hidden/package.json',
  'packages/node_modules/package.json',
  'apps/web/package.json',
  'apps/nested/deep/x/package.json',
  'lib-one/package.json',
  'lib-two/package.json',
  'other/package.json',
];

describe('listWorkspaceDirs', () => {
  it('expands * to folders holding a package.json, skipping dot-folders and node_modules', () => {
    expect(listWorkspaceDirs(repo(PACKAGES), { workspaces: ['packages/*'] })).toEqual(['packages/a', 'packages/b']);
  });

  it("reads yarn's { packages } form, ./ prefixes and trailing slashes, and sorts unique results", () => {
    expect(
      listWorkspaceDirs(repo(PACKAGES), {
        workspaces: { packages: ['./packages/b/', 'packages/*', 'apps/web', 'apps/web'] },
      }),
    ).toEqual(['apps/web', 'packages/a', 'packages/b']);
  });

  it('applies ! exclusions, keeps a literal folder as written, and drops the root and parents', () => {
    expect(
      listWorkspaceDirs(repo(PACKAGES), {
        workspaces: ['packages/*', '!packages/b', '!./packages/a/', 'missing/dir', './', '../outside'],
      }),
    ).toEqual(['missing/dir']);
  });

  it('expands ** to any depth and * inside a segment', () => {
    expect(listWorkspaceDirs(repo(PACKAGES), { workspaces: ['apps/**'] })).toEqual(['apps/nested/deep/x', 'apps/web']);
    expect(listWorkspaceDirs(repo(PACKAGES), { workspaces: ['lib-*'] })).toEqual(['lib-one', 'lib-two']);
    expect(listWorkspaceDirs(repo(PACKAGES), { workspaces: ['packages/.*'] })).toEqual(['packages/.hidden']);
    expect(listWorkspaceDirs(repo(PACKAGES), { workspaces: ['lib.*'] })).toEqual([]);
  });

  it('stops ** five folders deep', () => {
    const deep = ['d/1/2/3/4/package.json', 'd/1/2/3/4/5/package.json', 'd/1/2/3/4/5/6/package.json'];
    expect(listWorkspaceDirs(repo(deep), { workspaces: ['d/**'] })).toEqual(['d/1/2/3/4', 'd/1/2/3/4/5']);
  });

  it('adds pnpm-workspace.yaml packages, and ignores a broken or shapeless one', () => {
    const r = repo(PACKAGES);
    writeFileSync(join(r, 'pnpm-workspace.yaml'), "packages:\n  - 'apps/*'\n  - 7\n");
    expect(listWorkspaceDirs(r, {})).toEqual(['apps/web']);
    expect(hasWorkspaces(r, {})).toBe(true);
    writeFileSync(join(r, 'pnpm-workspace.yaml'), 'packages: [unclosed\n');
    expect(listWorkspaceDirs(r, { workspaces: ['other'] })).toEqual(['other']);
    writeFileSync(join(r, 'pnpm-workspace.yaml'), 'packages: apps/*\n');
    expect(listWorkspaceDirs(r, {})).toEqual([]);
  });

  it('has no workspaces without either declaration, and ignores non-string entries', () => {
    const r = repo(PACKAGES);
    expect(hasWorkspaces(r, {})).toBe(false);
    expect(hasWorkspaces(r, { workspaces: [] })).toBe(true);
    expect(listWorkspaceDirs(r, { workspaces: 'packages/*' })).toEqual([]);
    expect(listWorkspaceDirs(r, { workspaces: [1, null, 'other'] })).toEqual(['other']);
    expect(listWorkspaceDirs(r, { workspaces: { packages: 'packages/*' } })).toEqual([]);
  });
});

describe('manifest discovery', () => {
  it('finds module.yaml files below the given folders, skipping dot, dependency, build, fixture and results folders', async () => {
    const r = repo([
      'framework/module.yaml',
      'framework/a/module.yaml',
      'framework/a/b/module.yaml',
      'framework/.cache/module.yaml',
      'framework/node_modules/x/module.yaml',
      'framework/dist/module.yaml',
      'framework/a/fixtures/module.yaml',
      'framework/__fixtures__/module.yaml',
      'framework/generated/module.yaml',
      'framework/results/module.yaml',
      'tools/module.yaml',
      'other/module.yaml',
      'framework/a/module.yml',
    ]);
    expect(await findManifests(r, ['tools', 'framework', 'missing'])).toEqual([
      'framework/a/b/module.yaml',
      'framework/a/module.yaml',
      'framework/module.yaml',
      'tools/module.yaml',
    ]);
  });

  it('lists folders and YAML files in order, and nothing for a missing folder', async () => {
    const r = repo(['specs/b.yaml', 'specs/a.yml', 'specs/c.json', 'specs/sub/d.yaml', 'specs/z/', 'top/']);
    expect(await listYamlFiles(r, 'specs')).toEqual(['a.yml', 'b.yaml']);
    expect(await listDirs(r, 'specs')).toEqual(['sub', 'z']);
    expect(await listDirs(r, '')).toEqual(['specs', 'top']);
    expect(await listDirs(r, 'nope')).toEqual([]);
    expect(await listYamlFiles(r, 'nope')).toEqual([]);
  });
});
