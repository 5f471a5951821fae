import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadControlPlane, type ControlPlane, type Module, type Violation } from '../control-plane/index.ts';
import {
  buildSiteData,
  renderSiteDataFiles,
  SITE_DATA_FILE,
  SITE_DATA_HEADER,
  SITE_TYPES_FILE,
  type SiteData,
} from './index.ts';

// A small repository on disk, read by the real loader: stable roots (one without a manifest), a beta
// family with an experimental subpackage, an experimental family with a beta surface, and a family
// with neither subpackages nor a manifest.
const FIXTURE = fileURLToPath(new URL('./fixtures/repo/', import.meta.url));
let plane: ControlPlane;
let data: SiteData;

beforeAll(async () => {
  const loaded = await loadControlPlane(FIXTURE);
  expect(loaded.configErrors).toEqual([]);
  plane = loaded.plane!;
  data = buildSiteData(plane);
});

function withModule(name: string, patch: (m: Module) => Module): ControlPlane {
  return { ...plane, modules: plane.modules.map((m) => (m.name === name ? patch(m) : m)) };
}

describe('buildSiteData tiers and lists', () => {
  const cases = [
    { title: 'ga counts stable roots that have a manifest', tier: 'ga', count: 2, units: ['core', 'router'] },
    { title: 'beta counts family roots, not subpackages', tier: 'beta', count: 1, units: ['x/alpha'] },
    { title: 'experimental counts family roots only', tier: 'experimental', count: 1, units: ['x/omega'] },
  ];
  for (const c of cases) {
    it(c.title, () => {
      const tier = data.tiers.find((t) => t.id === c.tier)!;
      expect({ count: tier.count, units: tier.units }).toEqual({ count: c.count, units: c.units });
    });
  }

  it('orders tiers by rank with badges and colour slots from that order', () => {
    expect(data.tiers.map((t) => [t.id, t.slot, t.badge, t.unit])).toEqual([
      ['ga', 0, 'success', 'packages'],
      ['beta', 1, 'note', 'families'],
      ['experimental', 2, 'caution', 'primary families'],
    ]);
    expect(data.tiers.map((t) => t.moduleCount)).toEqual([2, 2, 3]);
  });

  it('keeps stable roots in repo.yaml order and families in taxonomy order', () => {
    expect(data.stableRoots).toEqual(['core', 'router', 'store']);
    expect(data.overview.primaryFamilies).toEqual(['x/alpha', 'x/omega', 'x/empty']);
    expect(data.overview.stablePrimers.map((p) => p.module)).toEqual(['core', 'router']);
  });

  it('starts the JSON with the do-not-edit header', () => {
    expect(data.$comment).toBe(SITE_DATA_HEADER);
    const [json, types] = renderSiteDataFiles(data, 'export interface X {}\n');
    expect(json!.path).toBe(SITE_DATA_FILE);
    expect(json!.content.split('\n')[1]).toContain('do not edit');
    expect(types!.path).toBe(SITE_TYPES_FILE);
    expect(types!.content.split('\n')[0]).toBe(`// ${SITE_DATA_HEADER}`);
  });
});

describe('buildSiteData families and surfaces', () => {
  it('marks a subpackage whose tier differs from its family root', () => {
    const alpha = data.families.find((f) => f.root === 'x/alpha')!;
    expect(alpha.subordinates).toEqual([
      {
        name: 'x/alpha/sub',
        module: true,
        when: 'sub things',
        tier: 'experimental',
        tierLabel: 'Experimental',
        promotedIn: null,
        differs: true,
      },
    ]);
    expect(alpha.promotedIn).toBe('v0.2.0');
  });

  it('gives a folder subordinate its family tier', () => {
    const omega = data.families.find((f) => f.root === 'x/omega')!;
    expect(omega.subordinates.find((s) => s.name === 'x/omega/inner')).toMatchObject({
      module: false,
      tier: 'experimental',
      differs: false,
    });
  });

  it('lists a higher-tier subpackage as a surface of that tier, with what remains', () => {
    const beta = data.overview.tierSections.find((s) => s.tier === 'beta')!;
    expect(beta.families).toEqual(['x/alpha']);
    expect(beta.surfaces).toEqual([
      {
        family: 'x/omega',
        familyTierLabel: 'Experimental',
        modules: ['x/omega/surface'],
        promotedIn: ['v1.1.0'],
        remaining: ['x/omega/inner'],
      },
    ]);
  });

  it('keeps a family with no subpackages and no manifest, plainly empty', () => {
    const empty = data.families.find((f) => f.root === 'x/empty')!;
    expect(empty).toMatchObject({ hasModule: false, tier: null, tierLabel: null, subordinates: [] });
    expect(data.tiers.flatMap((t) => t.units)).not.toContain('x/empty');
  });
});

describe('buildSiteData routing and releases', () => {
  it('resolves layer, module and path targets to modules', () => {
    expect(data.routing.rules.map((r) => [r.id, r.target.resolved])).toEqual([
      ['stable_work', ['core', 'router']],
      ['repo_rules', ['tools']],
    ]);
    // Listed modules keep the spec's reading order.
    expect(data.routing.learningPath.map((s) => [s.step, s.target.resolved])).toEqual([
      [1, ['router', 'core']],
      [2, ['x/alpha', 'x/alpha/sub', 'x/omega', 'x/omega/surface']],
    ]);
  });

  it('lists tasks in spec order with absent fields as null or empty', () => {
    expect(data.routing.tasks.map((t) => [t.key, t.keywords, t.gateProfile])).toEqual([
      ['http_endpoint', [], null],
      ['alpha_work', ['alpha'], null],
    ]);
    expect(data.totals.tasks).toBe(2);
  });

  it('builds the release matrix from promoted_in', () => {
    expect(data.releaseMatrix.versions).toEqual(['v0.2.0', 'v1.0.0', 'v1.1.0']);
    expect(data.releaseMatrix.rows.map((r) => [r.module, r.cells])).toEqual([
      ['core', ['before', 'promoted', 'held']],
      ['router', ['before', 'promoted', 'held']],
      ['x/alpha', ['promoted', 'held', 'held']],
      ['x/omega/surface', ['before', 'before', 'promoted']],
    ]);
    expect(data.releaseMatrix.unreleased).toEqual(['tools', 'x/alpha/sub', 'x/omega']);
    expect(data.releases[1]!.promoted.map((p) => p.module)).toEqual(['core', 'router']);
  });
});

describe('buildSiteData modules', () => {
  it('carries manifest fields and derived facts', () => {
    const core = data.modules.find((m) => m.name === 'core')!;
    expect(core).toMatchObject({
      layer: 'stable',
      tier: 'ga',
      tierLabel: 'Stable (GA)',
      isStableRoot: true,
      isFamilyRoot: false,
      implemented: true,
      importSpecifier: 'fixture/core',
      allowedModules: ['router'],
      allowedBy: ['x/alpha', 'x/omega'],
      publicEntrypoints: ['createApp'],
      imports: null,
      importedBy: null,
      check: null,
      evidence: null,
      missing: [],
    });
    expect(data.modules.map((m) => m.name)).toEqual([...data.modules.map((m) => m.name)].sort());
    expect(data.totals).toMatchObject({ modules: 7, implemented: 1, publicEntrypoints: 5, families: 3 });
  });

  it('reports an empty summary and owner as missing instead of failing', () => {
    const bad = withModule('router', (m) => ({
      ...m,
      manifest: { ...m.manifest, summary: ' ', owner: '', primer_question: '' },
    }));
    const router = buildSiteData(bad).modules.find((m) => m.name === 'router')!;
    expect(router.missing).toEqual(['summary', 'owner', 'primer_question']);
    expect(buildSiteData(bad).overview.stablePrimers.find((p) => p.module === 'router')).toEqual({
      module: 'router',
      question: '',
      why: '',
    });
  });

  it('leaves graph and check "not computed" without extras, and declares edges from manifests', () => {
    expect(data.graph).toMatchObject({ computed: false, edges: [] });
    expect(data.graph.declaredEdges).toContainEqual({ from: 'core', to: 'router' });
    expect(data.check).toMatchObject({ computed: false, errors: 0, warnings: 0, violations: [] });
  });
});

describe('buildSiteData extras', () => {
  const violation = (over: Partial<Violation>): Violation => ({
    check: 'boundaries',
    rule: 'default-deny',
    severity: 'error',
    file: 'framework/x/alpha/a.ts',
    line: 3,
    column: 1,
    message: 'x/alpha imports router',
    ...over,
  });

  it('attributes violations to modules by from, else by the longest directory match', () => {
    const result = buildSiteData(plane, {
      check: {
        violations: [
          violation({}),
          violation({ file: 'framework/x/alpha/sub/b.ts', severity: 'warn', rule: 'maturity', message: 'warn' }),
          violation({ file: 'elsewhere/c.ts', from: 'core', message: 'by from' }),
          violation({ file: 'nowhere/d.ts', message: 'unowned' }),
        ],
      },
    });
    expect(result.check).toMatchObject({ computed: true, errors: 3, warnings: 1 });
    expect(result.check.violations.map((v) => [v.file, v.module])).toEqual([
      ['elsewhere/c.ts', 'core'],
      ['framework/x/alpha/a.ts', 'x/alpha'],
      ['framework/x/alpha/sub/b.ts', 'x/alpha/sub'],
      ['nowhere/d.ts', null],
    ]);
    const byName = new Map(result.modules.map((m) => [m.name, m.check] as const));
    expect([byName.get('x/alpha'), byName.get('x/alpha/sub'), byName.get('router')]).toEqual([
      { errors: 1, warnings: 0 },
      { errors: 0, warnings: 1 },
      { errors: 0, warnings: 0 },
    ]);
  });

  it('merges real edges by pair, drops self edges and fills imports both ways', () => {
    const result = buildSiteData(plane, {
      graph: {
        edges: [
          { from: 'x/alpha', to: 'core', kind: 'import' },
          { from: 'x/alpha', to: 'core', kind: 'type-only' },
          { from: 'core', to: 'core', kind: 'import' },
          { from: 'core', to: 'router', kinds: ['re-export'] },
        ],
      },
      evidence: { core: { snapshot: 'matches' } },
    });
    expect(result.graph.computed).toBe(true);
    expect(result.graph.edges).toEqual([
      { from: 'core', to: 'router', kinds: ['re-export'] },
      { from: 'x/alpha', to: 'core', kinds: ['import', 'type-only'] },
    ]);
    const core = result.modules.find((m) => m.name === 'core')!;
    expect([core.imports, core.importedBy, core.evidence]).toEqual([['router'], ['x/alpha'], { snapshot: 'matches' }]);
  });

  it('is deterministic: the same plane gives byte-identical files, with no timestamps', () => {
    const first = renderSiteDataFiles(buildSiteData(plane), '');
    const reordered = { ...plane, modules: [...plane.modules].reverse() };
    const second = renderSiteDataFiles(buildSiteData(reordered), '');
    expect(second).toEqual(first);
    expect(first[0]!.content).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:/);
  });
});
