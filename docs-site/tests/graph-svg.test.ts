import { describe, expect, it } from 'vitest';
import { computeDepths, escapeXml, getIsolated, renderGraphSvg, type GraphNode } from '../src/lib/graph-svg.ts';

const node = (name: string, slot = 0): GraphNode => ({ name, slot, href: `/modules/${name}/`, title: name });

describe('graph svg', () => {
  const cases = [
    {
      title: 'gives leaves depth 0 and importers the longest path',
      edges: [
        ['a', 'b'],
        ['b', 'c'],
        ['a', 'c'],
      ],
      expected: { a: 2, b: 1, c: 0 },
    },
    {
      title: 'lays out a cycle instead of recursing forever',
      edges: [
        ['a', 'b'],
        ['b', 'a'],
      ],
      expected: { a: 1, b: 0 },
    },
    { title: 'puts unconnected modules at depth 0', edges: [], expected: { a: 0, b: 0, c: 0 } },
  ];
  for (const c of cases) {
    it(c.title, () => {
      const names = Object.keys(c.expected);
      const depths = computeDepths(
        names.map((n) => node(n)),
        c.edges.map(([from, to]) => ({ from: from!, to: to! })),
      );
      expect(Object.fromEntries(depths)).toEqual(c.expected);
    });
  }

  it('renders one linked box per module, coloured by slot, and one path per known edge', () => {
    const svg = renderGraphSvg(
      [node('core', 0), node('x/tenant', 1)],
      [
        { from: 'x/tenant', to: 'core' },
        { from: 'x/tenant', to: 'ghost' },
      ],
    );
    expect(svg.match(/<a href=/g)).toHaveLength(2);
    expect(svg).toContain('class="graph-node tier-slot-1"');
    expect(svg.match(/class="graph-edge"/g)).toHaveLength(1);
    expect(svg).toContain('href="/modules/x/tenant/"');
  });

  it('is the same SVG for the same graph and escapes text', () => {
    const nodes = [node('b'), node('a<&>')];
    expect(renderGraphSvg(nodes, [])).toBe(renderGraphSvg([...nodes].reverse(), []));
    expect(escapeXml('a<&>"')).toBe('a&lt;&amp;&gt;&quot;');
  });
});

describe('graph svg isolated modules', () => {
  it('leaves modules without edges out of the drawing and names them', () => {
    const nodes = [node('a'), node('b'), node('lonely')];
    const edges = [{ from: 'a', to: 'b' }];
    expect(getIsolated(nodes, edges)).toEqual(['lonely']);
    expect(renderGraphSvg(nodes, edges)).not.toContain('lonely');
  });
});
