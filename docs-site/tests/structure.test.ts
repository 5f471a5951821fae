import { describe, expect, it } from 'vitest';
import type { SiteData, SiteModule } from '../src/data/plumego.generated.types.ts';
import { renderGraphSvg } from '../src/lib/graph-svg.ts';
import { buildKindLegend, renderMatrixSvg } from '../src/lib/matrix-svg.ts';
import { readFileSync } from 'node:fs';
import { generateLargeData } from './large-data.ts';
import {
  createNeighbourhoods,
  deriveEdges,
  deriveMatrix,
  findCycles,
  getAllowedImports,
} from '../src/lib/structure.ts';

type Fixture = Pick<SiteData, 'graph' | 'modules' | 'layers' | 'tiers'>;

const mod = (
  name: string,
  layer: string,
  tier: string,
  allowed: string[] = [],
  extra: Partial<SiteModule> = {},
): SiteModule =>
  ({
    name,
    layer,
    tier,
    allowedModules: allowed,
    lowerTier: [],
    forbiddenImports: [],
    ...extra,
  }) as unknown as SiteModule;

/** Two layers, three tiers; b→c is not allowed, c↔d is a cycle, a allows d but does not import it. */
function fixture(computed = true): Fixture {
  const modules = [
    mod('a', 'top', 't2', ['b', 'd']),
    mod('b', 'base', 't1', [], { lowerTier: ['z'] }),
    mod('c', 'top', 't1', ['d']),
    mod('d', 'top', 't1', ['c']),
    mod('e', 'base', 't0', ['a'], { forbiddenImports: ['a'] }),
  ];
  return {
    modules,
    layers: [{ id: 'base' }, { id: 'top' }] as unknown as SiteData['layers'],
    tiers: [
      { id: 't0', slot: 0 },
      { id: 't1', slot: 1 },
      { id: 't2', slot: 2 },
    ] as unknown as SiteData['tiers'],
    graph: {
      computed,
      source: 'fixture',
      nodes: modules.map((m) => ({ name: m.name, tier: m.tier, layer: m.layer })),
      edges: computed
        ? [
            { from: 'a', to: 'b', kinds: ['import'] },
            { from: 'b', to: 'c', kinds: ['type-only'] },
            { from: 'c', to: 'd', kinds: ['import', 're-export'] },
            { from: 'd', to: 'c', kinds: ['import'] },
            { from: 'd', to: 'd', kinds: ['import'] },
            { from: 'a', to: 'ghost', kinds: ['import'] },
          ]
        : [],
      declaredEdges: modules.flatMap((m) => m.allowedModules.map((to) => ({ from: m.name, to }))),
    },
  };
}

describe('structure derivation', () => {
  it('allows allowed_imports and lower-tier opt-ins, minus forbidden imports', () => {
    expect(
      [...getAllowedImports({ allowedModules: ['a', 'b'], lowerTier: ['c'], forbiddenImports: ['b'] })].sort(),
    ).toEqual(['a', 'c']);
  });

  const cycleCases = [
    {
      title: 'finds a two-module cycle and ignores self edges',
      edges: [
        ['a', 'b'],
        ['b', 'a'],
        ['c', 'c'],
      ],
      expected: [['a', 'b']],
    },
    {
      title: 'finds two separate cycles, each sorted',
      edges: [
        ['c', 'b'],
        ['b', 'c'],
        ['x', 'y'],
        ['y', 'z'],
        ['z', 'x'],
      ],
      expected: [
        ['b', 'c'],
        ['x', 'y', 'z'],
      ],
    },
    {
      title: 'finds none in a chain and ignores edges to unknown modules',
      edges: [
        ['a', 'b'],
        ['b', 'c'],
        ['c', 'nowhere'],
      ],
      expected: [],
    },
  ];
  for (const c of cycleCases) {
    it(c.title, () => {
      const names = [...new Set(c.edges.flat())].filter((n) => n !== 'nowhere');
      expect(
        findCycles(
          names,
          c.edges.map(([from, to]) => ({ from: from!, to: to! })),
        ),
      ).toEqual(c.expected);
    });
  }

  it('walks a 2000-module chain closed into one cycle without overflowing the stack', () => {
    const names = Array.from({ length: 2000 }, (_, i) => `m${String(i).padStart(4, '0')}`);
    const edges = names.map((n, i) => ({ from: n, to: names[(i + 1) % names.length]! }));
    expect(findCycles(names, edges).map((c) => c.length)).toEqual([2000]);
  });

  it('marks each real edge allowed or not and in a cycle or not, adds allowed-but-unused pairs, drops self and unknown edges', () => {
    const { edges, cycles } = deriveEdges(fixture());
    expect(cycles).toEqual([['c', 'd']]);
    expect(
      edges.map(
        (e) =>
          `${e.from}>${e.to} ${e.used ? 'used' : 'unused'} ${e.allowed ? 'allowed' : 'NOT'}${e.cycle ? ' cycle' : ''}`,
      ),
    ).toEqual([
      'a>b used allowed',
      'a>d unused allowed',
      'b>c used NOT',
      'c>d used allowed cycle',
      'd>c used allowed cycle',
    ]);
  });

  it('uses the declared edges, all allowed and none unused, before the real graph is computed', () => {
    const { edges } = deriveEdges(fixture(false));
    expect(edges.every((e) => e.used && e.kinds.length === 0)).toBe(true);
    // e allows a but also forbids it: a declared edge the manifest itself contradicts is not allowed.
    expect(edges.filter((e) => !e.allowed).map((e) => `${e.from}>${e.to}`)).toEqual(['e>a']);
  });

  it('orders the matrix by layer, then tier rank, then name, and groups it by layer', () => {
    const matrix = deriveMatrix(fixture());
    expect(matrix.order.map((m) => m.name)).toEqual(['e', 'b', 'c', 'd', 'a']);
    expect(matrix.groups).toEqual([
      { layer: 'base', start: 0, count: 2 },
      { layer: 'top', start: 2, count: 3 },
    ]);
    const bc = matrix.cells.find((c) => c.from === 'b' && c.to === 'c')!;
    expect([bc.row, bc.col]).toEqual([1, 2]);
    expect(matrix.counts).toEqual({ used: 4, notAllowed: 1, unused: 1, cycleEdges: 2 });
  });

  it('puts modules of an unknown layer or tier last instead of failing', () => {
    const data = fixture();
    const odd = { name: 'odd', tier: 'mystery', layer: 'elsewhere' };
    const modules = data.modules.map((m) => (m.name === 'a' ? { ...m, name: 'a<&>' } : m));
    const matrix = deriveMatrix({ ...data, modules, graph: { ...data.graph, nodes: [odd, ...data.graph.nodes] } });
    expect(matrix.order.at(-1)).toEqual({ ...odd, slot: 3 });
  });

  it('gives each module its neighbourhood: imports, importers, allowed-but-unused and used-but-not-allowed', () => {
    const near = createNeighbourhoods(fixture());
    expect(near('a')).toMatchObject({
      imports: [{ name: 'b', allowed: true }],
      importedBy: [],
      allowedUnused: ['d'],
      usedNotAllowed: [],
    });
    expect(near('b')).toMatchObject({
      imports: [{ name: 'c', kinds: ['type-only'], allowed: false }],
      importedBy: [{ name: 'a' }],
      usedNotAllowed: [{ name: 'c' }],
    });
    expect(near('c')).toMatchObject({
      importedBy: [
        { name: 'b', allowed: false },
        { name: 'd', cycle: true },
      ],
    });
    expect(near('unknown')).toEqual({
      computed: true,
      imports: [],
      importedBy: [],
      allowedUnused: [],
      usedNotAllowed: [],
    });
    expect(createNeighbourhoods(fixture(false))('e')).toMatchObject({
      computed: false,
      imports: [{ name: 'a', allowed: false }],
      usedNotAllowed: [],
    });
  });
});

describe('matrix svg', () => {
  it('gives every kind a distinct one-character code, initials first', () => {
    const legend = buildKindLegend(['import', 'type-only', 're-export', 'type-only re-export', 'import']);
    expect(Object.fromEntries(legend)).toEqual({
      import: 'i',
      're-export': 'r',
      'type-only': 't',
      'type-only re-export': 'T',
    });
    const many = buildKindLegend(Array.from({ length: 70 }, (_, i) => `kind ${i}`));
    expect(new Set([...many.values()].filter((c) => c !== '?')).size).toBe(62);
    expect([...many.values()].filter((c) => c === '?').length).toBe(8);
  });

  it('draws one mark per cell with its state, one label pair per module, and escapes names', () => {
    const data = fixture();
    const modules = data.modules.map((m) => (m.name === 'a' ? { ...m, name: 'a<&>' } : m));
    const matrix = deriveMatrix({
      ...data,
      modules,
      graph: {
        ...data.graph,
        nodes: data.graph.nodes.map((n) => (n.name === 'a' ? { ...n, name: 'a<&>' } : n)),
        edges: data.graph.edges.map((e) => (e.from === 'a' ? { ...e, from: 'a<&>' } : e)),
      },
    });
    const svg = renderMatrixSvg(matrix, { href: (n) => `/modules/${n}/` });
    expect(svg.match(/<g class="dsm-cell /g)?.length).toBe(matrix.cells.length);
    expect(svg.match(/class="dsm-cell dsm-used dsm-violation"/g)?.length).toBe(1);
    expect(svg.match(/dsm-cycle/g)?.length).toBe(2);
    expect(svg).toContain('data-from="c" data-to="d" data-kinds="import,re-export"');
    expect(svg).toContain('>ir</text>');
    expect(svg.match(/<a href=/g)?.length).toBe(5);
    expect(svg).toContain('a&lt;&amp;&gt;');
    expect(svg).not.toContain('a<&>');
  });

  it('draws an empty matrix for a repository without modules', () => {
    const empty = deriveMatrix({
      ...fixture(),
      modules: [],
      graph: { computed: true, source: 'x', nodes: [], edges: [], declaredEdges: [] },
    });
    expect(empty.cells).toEqual([]);
    expect(renderMatrixSvg(empty, { href: (n) => n })).toContain('<svg');
  });
});

describe('neighbourhood graph edges', () => {
  it('carries an edge class and title into the drawn path', () => {
    const nodes = ['a', 'b'].map((name) => ({ name, slot: 0, href: `/${name}/`, title: name }));
    const svg = renderGraphSvg(
      nodes,
      [{ from: 'a', to: 'b', className: 'edge-not-allowed', title: 'a → b: not allowed' }],
      { label: 'Neighbourhood of a' },
    );
    expect(svg).toContain('class="graph-edge edge-not-allowed"');
    expect(svg).toContain('<title>a → b: not allowed</title>');
    expect(svg).toContain('aria-label="Neighbourhood of a"');
  });
});

describe('a generated 500-module repository', () => {
  const base = JSON.parse(
    readFileSync(new URL('../src/data/plumego.generated.json', import.meta.url), 'utf8'),
  ) as SiteData;
  const large = generateLargeData(base, 500);

  it('derives a full matrix whose violations and cycle are the ones planted', () => {
    const matrix = deriveMatrix(large);
    expect(matrix.order).toHaveLength(500);
    const real = deriveMatrix(base);
    // Every 50th generated module imports one module it is not allowed to; the first family closes one cycle.
    const planted = large.modules.filter(
      (m) => !base.modules.some((b) => b.name === m.name) && (m.check?.errors ?? 0) > 0,
    ).length;
    expect(planted).toBeGreaterThan(0);
    expect(matrix.counts.notAllowed - real.counts.notAllowed).toBe(planted);
    expect(matrix.cycles.length - real.cycles.length).toBe(1);
    const svg = renderMatrixSvg(matrix, { href: (n) => `/modules/${n}/` });
    expect(svg.match(/<g class="dsm-cell /g)?.length).toBe(matrix.cells.length);
  });

  it('gives every generated module the neighbourhood its edges imply', () => {
    const near = createNeighbourhoods(large);
    for (const m of large.modules) {
      const n = near(m.name);
      expect({
        m: m.name,
        imports: n.imports.map((x) => x.name).sort(),
        importedBy: n.importedBy.map((x) => x.name).sort(),
      }).toEqual({ m: m.name, imports: m.imports, importedBy: m.importedBy });
    }
  });
});
