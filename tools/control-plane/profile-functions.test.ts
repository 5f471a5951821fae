import { describe, expect, it } from 'vitest';
import { GENERATOR_IDS, type ModuleManifest, type RepoSpec } from './model.ts';
import { getGenerators, getModuleRoots, getProfile, resolveManifest, resolveRepoSpec } from './profile.ts';

const repo = (over: Partial<RepoSpec> = {}): RepoSpec =>
  ({
    identity: { name: 'x', package: 'x', library_root: 'framework', description: 'd' },
    layers: { stable: { description: '' } },
    ...over,
  }) as unknown as RepoSpec;

describe('profile helpers', () => {
  it('reads the profile only from a minimal profile key on an object', () => {
    expect([
      getProfile({ profile: 'minimal' }),
      getProfile({ profile: 'full' }),
      getProfile({}),
      getProfile(null),
      getProfile('minimal'),
      getProfile(undefined),
    ]).toEqual(['minimal', 'full', 'full', 'full', 'full', 'full']);
  });

  it('fills a minimal repo spec and leaves a full one as it is', () => {
    const full = repo();
    expect(resolveRepoSpec(full, 'full')).toBe(full);
    const minimal = resolveRepoSpec(
      repo({ identity: { name: 'x', package: 'x', library_root: 'framework' } as RepoSpec['identity'] }),
      'minimal',
    );
    expect(minimal.identity.description).toBe('');
    expect(Object.keys(minimal.layers).sort()).toEqual(['extension', 'facade', 'reference', 'stable', 'tooling']);
    expect(minimal.tiers.map((t) => [t.id, t.rank])).toEqual([
      ['ga', 3],
      ['beta', 2],
      ['experimental', 1],
    ]);
    expect(minimal.top_level).toEqual({ directories: [], discouraged_roots: [], rules: [] });
    const own = resolveRepoSpec(
      repo({
        tiers: [{ id: 'ga', label: 'GA', rank: 9, unit: 'modules', guidance: 'g' }] as RepoSpec['tiers'],
        top_level: { directories: ['a'], discouraged_roots: [], rules: [] } as unknown as RepoSpec['top_level'],
        layers: { stable: { description: 'mine' } } as RepoSpec['layers'],
      }),
      'minimal',
    );
    expect(own.tiers.map((t) => t.rank)).toEqual([9]);
    expect(own.top_level.directories).toEqual(['a']);
    expect(own.layers.stable.description).toBe('mine');
    expect(own.identity.description).toBe('d');
  });

  it('runs the listed generators, else every one for full and none for minimal', () => {
    expect([...getGenerators(repo(), 'full')]).toEqual([...GENERATOR_IDS]);
    expect([...getGenerators(repo(), 'minimal')]).toEqual([]);
    expect([...getGenerators(repo({ generate: [GENERATOR_IDS[0]!] } as Partial<RepoSpec>), 'full')]).toEqual([
      GENERATOR_IDS[0],
    ]);
  });

  it('fills a minimal manifest under its own keys, and leaves a full one as it is', () => {
    const m = {
      name: 'a',
      path: 'framework/a',
      layer: 'stable',
      allowed_imports: { modules: [], packages: [] },
    } as unknown as ModuleManifest;
    expect(resolveManifest(m, 'full')).toBe(m);
    expect(resolveManifest(m, 'minimal')).toMatchObject({
      status: 'experimental',
      owner: '',
      risk: 'low',
      summary: '',
      responsibilities: [],
      non_goals: [],
      public_entrypoints: [],
      test_commands: [],
      review_checklist: [],
      agent_hints: [],
      name: 'a',
    });
    expect(resolveManifest({ ...m, status: 'ga' } as ModuleManifest, 'minimal').status).toBe('ga');
  });

  it('lists module roots once, cleaned, without nested or outside folders', () => {
    const layers = {
      stable: { description: '', base: './framework/' },
      extension: { description: '', base: 'framework/x', paths: ['ext', 'ext/inner'] },
      tooling: { description: '', paths: ['tools', '.', '../up', '/abs', ''] },
      reference: { description: '', paths: ['reference//'] },
    };
    expect(getModuleRoots(repo({ layers } as unknown as Partial<RepoSpec>))).toEqual([
      'ext',
      'framework',
      'reference',
      'tools',
    ]);
    expect(
      getModuleRoots(repo({ identity: { name: 'x', package: 'x', library_root: 'lib' } } as Partial<RepoSpec>)),
    ).toEqual(['lib']);
  });
});
