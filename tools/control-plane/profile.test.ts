import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { getDefaultChecks } from '../checks/index.ts';
import { runSync } from '../sync/index.ts';
import { loadControlPlane } from './load.ts';
import { minimalFixture, type FixtureFiles, useFixtureRoots } from './testing/fixture-repo.ts';

const fixtureRoot = useFixtureRoots();
async function load(files: FixtureFiles) {
  const root = fixtureRoot(files);
  return { root, result: await loadControlPlane(root, { cache: false }) };
}

const module = (name: string, extra: object = {}): object => ({
  name,
  path: `src/${name}`,
  layer: 'stable',
  allowed_imports: { modules: [], packages: [] },
  ...extra,
});

/** A repository that wants boundary checks only: repo.yaml, the rules and two manifests. */
function minimalRepo(): FixtureFiles {
  return {
    ...minimalFixture(),
    'src/a/module.yaml': module('a', { allowed_imports: { modules: ['b'], packages: [] } }),
    'src/a/index.ts': "export { b } from '../b/index.ts';\n",
    'src/b/module.yaml': module('b'),
    'src/b/b.ts': 'export const b = 1;\n',
  };
}

describe('the minimal profile', () => {
  it('loads a repository with only repo.yaml, the rules and name/path/layer/allowed_imports manifests', async () => {
    const { result } = await load(minimalRepo());
    expect(result.configErrors).toEqual([]);
    expect(result.violations).toEqual([]);
    const plane = result.plane!;
    expect(plane.profile).toBe('minimal');
    expect([...plane.features]).toEqual(['boundaries']);
    expect(plane.generators.size).toBe(0);
    expect(getDefaultChecks(plane)).toEqual(['specs', 'manifests', 'layout', 'boundaries']);
    // A module with code but no index.ts is implemented.
    expect(plane.moduleByName.get('b')).toMatchObject({
      implemented: true,
      tier: 'experimental',
      entry: 'src/b/index.ts',
    });
    expect(result.notImplemented).toEqual([]);
  });

  it('checks every key a minimal manifest does write exactly as the full profile does', async () => {
    const files = minimalRepo();
    files['src/b/module.yaml'] = module('b', { status: 'stable', ownr: 'x' });
    delete (files['src/a/module.yaml'] as Record<string, unknown>)['allowed_imports'];
    const { result } = await load(files);
    const got = result.violations.map((v) => `${v.file} ${v.rule} ${v.message}`);
    expect(got).toContain("src/a/module.yaml schema/required missing required key 'allowed_imports'");
    expect(got).toContain('src/b/module.yaml schema/enum status: "stable" is not one of: ga, beta, experimental');
    expect(got).toContain("src/b/module.yaml schema/additionalProperties unknown key 'ownr'");
  });

  it('still requires identity and layers in repo.yaml', async () => {
    const files = minimalRepo();
    files['specs/repo.yaml'] = { profile: 'minimal', identity: { name: 'mini', package: 'mini' } };
    const { result } = await load(files);
    expect(result.plane).toBeUndefined();
    expect(result.violations.map((v) => v.message)).toEqual(
      expect.arrayContaining(["identity: missing required key 'library_root'", "missing required key 'layers'"]),
    );
  });

  it('turns a feature on when its spec exists: task routing then requires every module to be reachable', async () => {
    const files = minimalRepo();
    files['specs/task-routing.yaml'] = {
      context_policy: { read_first: ['specs/repo.yaml'], rules: ['read the manifest'] },
      routing_rules: [
        {
          id: 'code',
          work_type: 'Library code',
          start_here: 'src',
          target: { layer: 'stable' },
          why: 'All code lives in src.',
        },
      ],
      learning_path: [{ title: 'Start', summary: 'module a', target: { modules: ['a'] } }],
      tasks: { t: { intent: 'Change module a.', modules: ['a'], start_with: ['src/a'], avoid: [] } },
    };
    const { result } = await load(files);
    expect(result.plane!.features.has('routing')).toBe(true);
    expect(getDefaultChecks(result.plane!)).toContain('routing');
    expect(result.violations.map((v) => `${v.rule} ${v.file}`)).toEqual(['module-reachable src/b/module.yaml']);
  });

  it('reports a manifest outside every module directory instead of skipping it', async () => {
    const files = {
      ...minimalRepo(),
      'lib/c/module.yaml': {
        name: 'lib/c',
        path: 'lib/c',
        layer: 'tooling',
        allowed_imports: { modules: [], packages: [] },
      },
    };
    const { result } = await load(files);
    expect(result.violations.map((v) => `${v.rule}: ${v.message}`)).toEqual([
      'manifest-not-loaded: lib/c/module.yaml is outside every directory that holds modules (src), so it governs nothing',
    ]);
  });

  it('finds manifests under every layer base and path, not a fixed list of folders', async () => {
    const files = minimalRepo();
    files['specs/repo.yaml'] = {
      ...(files['specs/repo.yaml'] as object),
      layers: {
        stable: { description: 'The src folders.', base: 'src' },
        tooling: { description: 'Repository scripts.', paths: ['scripts'] },
      },
    };
    files['scripts/module.yaml'] = {
      name: 'scripts',
      path: 'scripts',
      layer: 'tooling',
      allowed_imports: { modules: [], packages: [] },
    };
    files['scripts/run.ts'] = 'export {};\n';
    const { result } = await load(files);
    expect(result.violations).toEqual([]);
    expect(result.plane!.modules.map((m) => m.name)).toEqual(['a', 'b', 'scripts']);
  });

  it('takes the entry file from the manifest', async () => {
    const files = {
      ...minimalRepo(),
      'src/b/module.yaml': module('b', { entry: 'main.ts' }),
      'src/b/main.ts': 'export const b = 1;\n',
    };
    const { result } = await load(files);
    expect(result.plane!.moduleByName.get('b')!.entry).toBe('src/b/main.ts');
  });

  it('reads npm, yarn-object and pnpm workspace patterns with globs', async () => {
    const files = {
      ...minimalRepo(),
      'package.json': JSON.stringify({ name: 'mini', workspaces: { packages: ['packages/*'] } }),
      'pnpm-workspace.yaml': 'packages:\n  - "apps/**"\n  - "!apps/ignored"\n  - "examples/.*/*"\n  - "tools/*-kit"\n',
      'examples/.hidden/demo/package.json': JSON.stringify({ name: 'demo' }),
      'examples/visible/other/package.json': JSON.stringify({ name: 'other' }),
      'tools/ui-kit/package.json': JSON.stringify({ name: 'ui-kit' }),
      'tools/ui-lib/package.json': JSON.stringify({ name: 'ui-lib' }),
      'packages/p1/package.json': JSON.stringify({ name: '@mini/p1', dependencies: { zod: '3' } }),
      'packages/notapkg/readme.md': 'no package.json here\n',
      'apps/web/package.json': JSON.stringify({ name: 'web' }),
    };
    const { result } = await load(files);
    expect(result.configErrors).toEqual([]);
    expect([...result.plane!.workspaces.keys()].sort()).toEqual([
      'apps/web',
      'examples/.hidden/demo',
      'packages/p1',
      'tools/ui-kit',
    ]);
  });

  it('sync generates nothing unless repo.yaml asks, and then touches only the exports key of package.json', async () => {
    const { root, result } = await load(minimalRepo());
    expect(await runSync(result.plane!, true)).toEqual([]);
    expect(readFileSync(`${root}/package.json`, 'utf8')).toBe('{\n    "name": "mini",\n    "version": "1.0.0"\n}\n');

    const files = minimalRepo();
    files['specs/repo.yaml'] = { ...(files['specs/repo.yaml'] as object), generate: ['package-exports'] };
    const second = await load(files);
    const outcomes = await runSync(second.result.plane!, true);
    expect(outcomes.map((o) => o.generator.id)).toEqual(['package-exports']);
    const text = readFileSync(`${second.root}/package.json`, 'utf8');
    expect(text.startsWith('{\n    "name": "mini",\n    "version": "1.0.0",\n    "exports": {\n')).toBe(true);
    expect(Object.keys(JSON.parse(text) as object)).toEqual(['name', 'version', 'exports']);
  });
});

describe('the full profile keeps every spec required', () => {
  it('a repository without a profile key needs tiers and top_level', async () => {
    const files = minimalRepo();
    files['specs/repo.yaml'] = {
      identity: { name: 'mini', package: 'mini', library_root: 'src' },
      layers: { stable: { description: 'The src folders.', base: 'src' } },
    };
    const { result } = await load(files);
    expect(result.plane).toBeUndefined();
    expect(result.configErrors.map((e) => e.file)).toContain('specs/task-routing.yaml');
  });
});
