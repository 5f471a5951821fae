import { describe, expect, it } from 'vitest';
import { createFixturePlane } from '../route/testing/fixture-plane.ts';
import { classifyChanges } from './classify.ts';
import { fillCommands, GateSpecError, selectGate } from './select-gate.ts';

// The fixture modules with the repository's real specs/gate-profiles.yaml.
const plane = createFixturePlane();

describe('selectGate over fixture diffs (strongest matching profile wins)', () => {
  const table: {
    title: string;
    files: string[];
    entrypointChanges?: string[];
    profile: string;
    commands?: string[];
  }[] = [
    {
      title: 'docs only needs no tests',
      files: ['README.md', 'framework/router/README.md', 'docs-site/src/content/docs/guide.mdx'],
      profile: 'docs_only',
      commands: ['npx plumego sync --check'],
    },
    {
      title: 'one stable root gets its tests plus the boundary and manifest checks',
      files: ['framework/router/match.ts', 'framework/router/match.test.ts'],
      profile: 'stable_root_change',
      commands: [
        'npx tsc --noEmit -p tsconfig.json',
        'npx vitest run --passWithNoTests framework/router',
        'npx plumego check',
        'npx plumego sync --check',
      ],
    },
    {
      title: 'one extension gets its own tests',
      files: ['framework/x/gateway/proxy.ts'],
      profile: 'single_module_behavior',
      commands: [
        'npx vitest run --passWithNoTests framework/x/gateway',
        'npx plumego check',
        'npx plumego sync --check',
      ],
    },
    {
      title: 'a subordinate module is its own module, not its family',
      files: ['framework/x/gateway/discovery/static.ts'],
      profile: 'single_module_behavior',
      commands: [
        'npx vitest run --passWithNoTests framework/x/gateway/discovery',
        'npx plumego check',
        'npx plumego sync --check',
      ],
    },
    {
      title: 'two modules get the cross-module gate',
      files: ['framework/x/gateway/proxy.ts', 'framework/x/frontend/serve.ts'],
      profile: 'cross_module_public_api_release',
    },
    {
      title: 'two modules with the extension listed first still get the cross-module gate',
      files: ['framework/x/frontend/a.ts', 'framework/router/b.ts'],
      profile: 'cross_module_public_api_release',
    },
    {
      title: 'a spec change re-verifies the control plane',
      files: ['specs/dependency-rules.yaml'],
      profile: 'control_plane_change',
      commands: [
        'npx tsc --noEmit -p tsconfig.json',
        'npx vitest run tools',
        'npx plumego check',
        'npx plumego sync --check',
      ],
    },
    {
      title: "a spec change with a module change also runs that module's tests",
      files: ['specs/repo.yaml', 'framework/router/match.ts'],
      profile: 'control_plane_change',
      commands: [
        'npx tsc --noEmit -p tsconfig.json',
        'npx vitest run tools',
        'npx vitest run --passWithNoTests framework/router',
        'npx plumego check',
        'npx plumego sync --check',
      ],
    },
    {
      title: 'a public API change through index.ts gets the strongest gate',
      files: ['framework/x/frontend/index.ts'],
      profile: 'cross_module_public_api_release',
    },
    {
      title: 'a public API change through public_entrypoints gets the strongest gate',
      files: ['framework/x/frontend/module.yaml'],
      entrypointChanges: ['framework/x/frontend/module.yaml'],
      profile: 'cross_module_public_api_release',
    },
    {
      title: 'a manifest change without new entrypoints is a control-plane change',
      files: ['framework/x/frontend/module.yaml'],
      profile: 'control_plane_change',
    },
    {
      title: 'docs plus a stable root is never weaker than the stable root',
      files: ['docs-site/src/content/docs/a.md', 'framework/router/match.ts'],
      profile: 'stable_root_change',
    },
    {
      title: 'task cards are checked against their templates',
      files: ['tasks/cards/active/T-0001.yaml'],
      profile: 'task_cards',
    },
    {
      title: 'the package surface gets the full suite',
      files: ['package.json'],
      profile: 'cross_module_public_api_release',
    },
    {
      title: 'a file in no area and no module falls to the full suite',
      files: ['.github/workflows/ci.yml'],
      profile: 'cross_module_public_api_release',
    },
    {
      title: 'a tools change is a single-module change of the tooling',
      files: ['tools/route/score.ts'],
      profile: 'single_module_behavior',
      commands: ['npx vitest run --passWithNoTests tools', 'npx plumego check', 'npx plumego sync --check'],
    },
  ];
  for (const row of table) {
    it(row.title, () => {
      const s = selectGate(plane, {
        files: row.files,
        ...(row.entrypointChanges ? { entrypointChanges: row.entrypointChanges } : {}),
      });
      expect(s.profile?.id).toBe(row.profile);
      if (row.commands) expect(s.commands).toEqual(row.commands);
      // Never weaker than any rule that matched.
      expect(s.profile!.strength).toBe(Math.max(...s.matched.map((m) => m.strength)));
    });
  }

  it('file order does not change the gate', () => {
    const files = ['docs-site/src/content/docs/a.md', 'framework/x/gateway/proxy.ts', 'framework/router/match.ts'];
    expect(selectGate(plane, { files }).profile).toEqual(selectGate(plane, { files: [...files].reverse() }).profile);
  });

  it('explains which rules asked for the chosen profile and which weaker ones also matched', () => {
    const s = selectGate(plane, { files: ['framework/router/index.ts', 'README.md'] });
    expect(s.chosenBy).toEqual(['public-api']);
    expect(s.matched.map((m) => m.rule)).toEqual(['public-api', 'stable-root', 'docs']);
  });

  it('no changed files means nothing to gate', () => {
    const s = selectGate(plane, { files: [] });
    expect(s.profile).toBeUndefined();
    expect(s.commands).toEqual([]);
  });

  it('uses the fallback profile when no rule matches', () => {
    const narrow = createFixturePlane({
      gateProfiles: {
        ...plane.gateProfiles,
        selection: [{ id: 'docs', when: { areas: ['docs'] }, profile: 'docs_only' }],
      },
    });
    const s = selectGate(narrow, { files: ['framework/router/match.ts'] });
    expect(s.chosenBy).toEqual(['fallback']);
    expect(s.profile?.id).toBe('cross_module_public_api_release');
  });

  it.each([
    [
      'an unknown area',
      { selection: [{ id: 'x', when: { areas: ['doc'] }, profile: 'docs_only' }] },
      "unknown area 'doc'",
    ],
    [
      'two profiles of equal strength',
      {
        profiles: [
          { id: 'a', strength: 1, summary: 'first one', commands: ['x y'] },
          { id: 'b', strength: 1, summary: 'second one', commands: ['x y'] },
        ],
        selection: [{ id: 'x', when: { areas: ['docs'] }, profile: 'a' }],
        fallback: 'a',
      },
      'same strength 1',
    ],
    ['an unknown fallback', { fallback: 'nope' }, "fallback names unknown profile 'nope'"],
  ])('%s is a spec error', (_title, patch, message) => {
    const broken = createFixturePlane({
      gateProfiles: { ...plane.gateProfiles, ...patch } as typeof plane.gateProfiles,
    });
    expect(() => selectGate(broken, { files: ['README.md'] })).toThrow(message);
  });

  it('an unknown profile in a rule is a spec error, not a silent pass', () => {
    const broken = createFixturePlane({
      gateProfiles: { ...plane.gateProfiles, selection: [{ id: 'x', when: { areas: ['docs'] }, profile: 'nope' }] },
    });
    expect(() => selectGate(broken, { files: ['README.md'] })).toThrow(GateSpecError);
  });
});

describe('classifyChanges', () => {
  it('maps files to areas and to modules by the longest path prefix', () => {
    const facts = classifyChanges(plane, {
      files: [
        'framework/x/gateway/discovery/a.ts',
        'framework/x/gateway/b.ts',
        'framework/index.ts',
        'module.yaml',
        'specs/repo.yaml',
        'bench/run.sh',
      ],
    });
    expect(facts.files).toEqual([
      { path: 'bench/run.sh', publicApi: false },
      { path: 'framework/index.ts', module: 'plumego', publicApi: true },
      { path: 'framework/x/gateway/b.ts', module: 'x/gateway', publicApi: false },
      { path: 'framework/x/gateway/discovery/a.ts', module: 'x/gateway/discovery', publicApi: false },
      { path: 'module.yaml', area: 'manifests', module: 'plumego', publicApi: false },
      { path: 'specs/repo.yaml', area: 'specs', publicApi: false },
    ]);
    expect(facts.unclassified).toEqual(['bench/run.sh']);
    expect(facts.publicApi).toEqual(['plumego']);
  });
});

describe('fillCommands', () => {
  it('repeats templated commands per module and drops them without one', () => {
    const modules = plane.modules.filter((m) => m.name === 'router' || m.name === 'tools');
    expect(fillCommands(['a {module} {module_path}', 'b'], { modules })).toEqual([
      'a router framework/router',
      'a tools tools',
      'b',
    ]);
    expect(fillCommands(['a {module_path}', 'b'], { modules: [] })).toEqual(['b']);
  });
});
