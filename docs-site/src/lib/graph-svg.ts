/**
 * A static SVG of the module graph, laid out at build time (no browser-side rendering, no network).
 *
 * Layout: columns by dependency depth — modules nothing depends on at the left, leaves (depth 0) at
 * the right — ordered inside a column by the average position of their neighbours (two sweeps of the
 * barycentre heuristic), which keeps crossings low enough for a graph of a few dozen modules.
 */

export interface GraphNode {
  readonly name: string;
  /** CSS colour slot (the tier's rank position). */
  readonly slot: number;
  readonly href: string;
  readonly title: string;
}

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  /** Extra CSS classes of the drawn path (a neighbourhood marks violations, cycles, unused permissions). */
  readonly className?: string;
  /** Tooltip; "from → to" when absent. */
  readonly title?: string;
}

export interface GraphSvgOptions {
  readonly columnWidth?: number;
  readonly rowHeight?: number;
  readonly nodeWidth?: number;
  readonly nodeHeight?: number;
}

interface Placed {
  readonly node: GraphNode;
  readonly x: number;
  readonly y: number;
}

type Layout = Required<GraphSvgOptions>;
const DEFAULTS: Layout = { columnWidth: 225, rowHeight: 32, nodeWidth: 185, nodeHeight: 24 };
const PAD = 12;

/** Names of the modules that have no edge in the graph (not drawn). */
export function getIsolated(nodes: readonly GraphNode[], edges: readonly GraphEdge[]): string[] {
  const connected = new Set(edges.filter((e) => e.from !== e.to).flatMap((e) => [e.from, e.to]));
  return nodes.filter((n) => !connected.has(n.name)).map((n) => n.name);
}

export function renderGraphSvg(
  nodes: readonly GraphNode[],
  edges: readonly GraphEdge[],
  options: GraphSvgOptions & { readonly label?: string } = {},
): string {
  const o: Layout = { ...DEFAULTS, ...options };
  const names = new Set(nodes.map((n) => n.name));
  const kept = edges.filter((e) => e.from !== e.to && names.has(e.from) && names.has(e.to));
  // Modules without any edge say nothing in a graph; the page lists them instead of stretching a column.
  const connected = new Set(kept.flatMap((e) => [e.from, e.to]));
  const columns = orderColumns(
    nodes.filter((n) => connected.has(n.name)),
    kept,
  );
  const placed = new Map<string, Placed>();
  columns.forEach((column, c) =>
    column.forEach((node, r) => {
      placed.set(node.name, { node, x: PAD + c * o.columnWidth, y: PAD + r * o.rowHeight });
    }),
  );
  const width = PAD * 2 + Math.max(0, columns.length - 1) * o.columnWidth + o.nodeWidth;
  const height = PAD * 2 + Math.max(0, ...columns.map((c) => c.length)) * o.rowHeight;
  const paths = kept.map((e) => renderEdge(placed.get(e.from)!, placed.get(e.to)!, o, e)).join('\n');
  const boxes = [...placed.values()].map((p) => renderNode(p, o)).join('\n');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="module-graph" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="group" aria-label="${escapeXml(options.label ?? 'Module dependency graph')}">`,
    '<defs><marker id="graph-arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L8,4 L0,8 z" class="graph-arrow"/></marker></defs>',
    `<g class="graph-edges">${paths}</g>`,
    `<g class="graph-nodes">${boxes}</g>`,
    '</svg>',
  ].join('\n');
}

/** Depth = longest path to a leaf; back edges of cycles are ignored so every graph gets a layout. */
export function computeDepths(nodes: readonly GraphNode[], edges: readonly GraphEdge[]): Map<string, number> {
  const out = new Map<string, string[]>(nodes.map((n) => [n.name, []]));
  for (const e of edges) out.get(e.from)?.push(e.to);
  const depth = new Map<string, number>();
  const onStack = new Set<string>();
  const visit = (name: string): number => {
    const known = depth.get(name);
    if (known !== undefined) return known;
    onStack.add(name);
    let d = 0;
    for (const next of out.get(name) ?? []) {
      if (onStack.has(next)) continue;
      d = Math.max(d, visit(next) + 1);
    }
    onStack.delete(name);
    depth.set(name, d);
    return d;
  };
  for (const n of nodes) visit(n.name);
  return depth;
}

function orderColumns(nodes: readonly GraphNode[], edges: readonly GraphEdge[]): GraphNode[][] {
  const depth = computeDepths(nodes, edges);
  const maxDepth = Math.max(0, ...depth.values());
  const columns: GraphNode[][] = Array.from({ length: maxDepth + 1 }, () => []);
  const sorted = [...nodes].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const n of sorted) columns[maxDepth - (depth.get(n.name) ?? 0)]!.push(n);
  const neighbours = new Map<string, string[]>(nodes.map((n) => [n.name, []]));
  for (const e of edges) {
    neighbours.get(e.from)!.push(e.to);
    neighbours.get(e.to)!.push(e.from);
  }
  for (let sweep = 0; sweep < 2; sweep++) {
    const position = new Map<string, number>();
    columns.forEach((col) => col.forEach((n, i) => position.set(n.name, i / Math.max(1, col.length - 1))));
    for (const col of columns) {
      const score = (n: GraphNode): number => {
        const ps = neighbours.get(n.name)!.map((m) => position.get(m)!);
        return ps.length ? ps.reduce((a, b) => a + b, 0) / ps.length : position.get(n.name)!;
      };
      const scored = col.map((n) => ({ n, s: score(n) }));
      scored.sort((a, b) => a.s - b.s || (a.n.name < b.n.name ? -1 : 1));
      col.splice(0, col.length, ...scored.map((x) => x.n));
    }
  }
  return columns;
}

function renderEdge(from: Placed, to: Placed, o: Layout, edge: GraphEdge): string {
  const midY = o.nodeHeight / 2;
  // Edges run left to right between columns; an edge inside one column loops around its right side.
  const sameColumn = from.x === to.x;
  const x1 = from.x + o.nodeWidth;
  const y1 = from.y + midY;
  const x2 = sameColumn ? to.x + o.nodeWidth : to.x;
  const y2 = to.y + midY;
  const bend = sameColumn ? o.columnWidth / 3 : (x2 - x1) / 2;
  const c2x = sameColumn ? x2 + bend : x2 - bend;
  return `<path d="M${x1},${y1} C${x1 + bend},${y1} ${c2x},${y2} ${x2},${y2}" class="${escapeXml(['graph-edge', edge.className].filter(Boolean).join(' '))}" marker-end="url(#graph-arrow)"><title>${escapeXml(edge.title ?? `${from.node.name} → ${to.node.name}`)}</title></path>`;
}

function renderNode(p: Placed, o: Layout): string {
  const label = p.node.name.length > 26 ? `${p.node.name.slice(0, 25)}…` : p.node.name;
  return [
    `<a href="${escapeXml(p.node.href)}" class="graph-node tier-slot-${p.node.slot}">`,
    `<title>${escapeXml(p.node.title)}</title>`,
    `<rect x="${p.x}" y="${p.y}" width="${o.nodeWidth}" height="${o.nodeHeight}" rx="5"/>`,
    `<text x="${p.x + 8}" y="${p.y + o.nodeHeight / 2 + 4}">${escapeXml(label)}</text>`,
    '</a>',
  ].join('');
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
