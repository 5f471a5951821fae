import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { loadControlPlane } from './load.ts';
import { DEFAULT_SPEC_CACHE_FILE, openSpecCache } from './spec-cache.ts';
import { validFixture, writeFixture } from './testing/fixture-repo.ts';

let cleanups: (() => void)[] = [];
afterEach(() => {
  cleanups.forEach((c) => c());
  cleanups = [];
});

function fixture(): string {
  const { root, cleanup } = writeFixture(validFixture());
  cleanups.push(cleanup);
  return root;
}

const CONTRACT = 'framework/contract/module.yaml';
const cacheOf = (root: string): { entries: Record<string, { data: unknown; valid: string[] }> } =>
  JSON.parse(readFileSync(`${root}/${DEFAULT_SPEC_CACHE_FILE}`, 'utf8')) as {
    entries: Record<string, { data: unknown; valid: string[] }>;
  };

describe('the spec cache', () => {
  it('gives the same plane, violations and positions as a parse without it', async () => {
    const root = fixture();
    const fresh = await loadControlPlane(root, { cache: false });
    expect(existsSync(`${root}/${DEFAULT_SPEC_CACHE_FILE}`)).toBe(false);
    await loadControlPlane(root);
    expect(cacheOf(root).entries[CONTRACT]?.valid).toEqual(['manifest']);
    const cached = await loadControlPlane(root);
    expect(cached.violations).toEqual(fresh.violations);
    expect(cached.plane!.modules).toEqual(fresh.plane!.modules);
    expect(cached.plane!.taskRouting).toEqual(fresh.plane!.taskRouting);
    // Positions come from a parse on demand of the cached file's text.
    expect(cached.plane!.locate(CONTRACT, ['allowed_imports'])).toEqual(
      fresh.plane!.locate(CONTRACT, ['allowed_imports']),
    );
    expect(cached.plane!.locate(CONTRACT, ['allowed_imports']).line).toBeGreaterThan(1);
  });

  it('is used: a cached entry is served instead of the file being parsed again', async () => {
    const root = fixture();
    await loadControlPlane(root);
    // Rewrite the cached data of an unchanged file; a load that parsed the file would not see it.
    const data = cacheOf(root);
    (data.entries[CONTRACT]!.data as { summary: string }).summary = 'served from the cache';
    writeFileSync(`${root}/${DEFAULT_SPEC_CACHE_FILE}`, JSON.stringify(data));
    const { plane } = await loadControlPlane(root);
    expect(plane!.moduleByName.get('contract')!.manifest.summary).toBe('served from the cache');
  });

  it('re-parses an edited file and reports a new schema error at its position', async () => {
    const root = fixture();
    await loadControlPlane(root);
    const path = `${root}/${CONTRACT}`;
    writeFileSync(path, readFileSync(path, 'utf8').replace(/^risk: .*$/m, 'risk: enormous'));
    const { violations } = await loadControlPlane(root);
    expect(violations).toEqual([
      expect.objectContaining({
        rule: 'schema/enum',
        file: CONTRACT,
        message: expect.stringContaining('"enormous" is not one of') as unknown,
      }),
    ]);
    expect(violations[0]!.line).toBeGreaterThan(1);
    // The invalid version is never marked valid, so the error is reported on every run.
    expect(cacheOf(root).entries[CONTRACT]?.valid).toEqual([]);
    expect((await loadControlPlane(root)).violations).toEqual(violations);
  });

  it('reports a syntax error in a file whose earlier version was cached', async () => {
    const root = fixture();
    await loadControlPlane(root);
    writeFileSync(`${root}/${CONTRACT}`, 'name: contract\npath: [unclosed\n');
    const { configErrors } = await loadControlPlane(root);
    expect(configErrors.map((e) => e.message)).toEqual([
      expect.stringMatching(/^framework\/contract\/module\.yaml:\d+:\d+: malformed YAML/),
    ]);
  });

  it('starts empty when the cache file is corrupt, and a cache that cannot be written costs nothing but speed', async () => {
    const root = fixture();
    await loadControlPlane(root);
    writeFileSync(`${root}/${DEFAULT_SPEC_CACHE_FILE}`, '{ not json');
    expect((await loadControlPlane(root)).violations).toEqual([]);
    expect(cacheOf(root).entries[CONTRACT]?.valid).toEqual(['manifest']);
    rmSync(`${root}/node_modules`, { recursive: true, force: true });
    writeFileSync(`${root}/node_modules`, 'a file where the cache directory should be');
    expect((await loadControlPlane(root)).violations).toEqual([]);
  });

  it('keeps other files when one file is read again, and drops files the loader no longer reads', async () => {
    const root = fixture();
    await loadControlPlane(root);
    const before = Object.keys(cacheOf(root).entries).sort();
    const { readValidatedSpec } = await import('./spec-reader.ts');
    const { problems } = await readValidatedSpec(root, CONTRACT, 'manifest', 'test');
    expect(problems).toEqual([]);
    expect(Object.keys(cacheOf(root).entries).sort()).toEqual(before);
    rmSync(`${root}/tasks/cards/active/T-0001.yaml`);
    await loadControlPlane(root);
    expect(Object.keys(cacheOf(root).entries)).not.toContain('tasks/cards/active/T-0001.yaml');
    expect(Object.keys(cacheOf(root).entries).length).toBe(before.length - 1);
  });

  it('is dropped when the schemas change', () => {
    const dir = mkdtempSync(`${tmpdir()}/plumego-spec-cache-`);
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const schemas = `${dir}/schemas`;
    cpSync(fileURLToPath(new URL('../../specs/schemas/', import.meta.url)), schemas, { recursive: true });
    const first = openSpecCache(`${dir}/cache.json`, schemas);
    first.remember('a.yaml', 'a: 1\n', { a: 1 });
    first.markValid('a.yaml', 'repo');
    first.save(true);
    expect(openSpecCache(`${dir}/cache.json`, schemas).lookup('a.yaml', 'a: 1\n')).toEqual({ data: { a: 1 } });
    expect(openSpecCache(`${dir}/cache.json`, schemas).lookup('a.yaml', 'a: 2\n')).toBeUndefined();
    writeFileSync(`${schemas}/repo.schema.json`, `${readFileSync(`${schemas}/repo.schema.json`, 'utf8')}\n`);
    expect(openSpecCache(`${dir}/cache.json`, schemas).lookup('a.yaml', 'a: 1\n')).toBeUndefined();
  });
});
