/** Renderers of the module graph: Mermaid (docs site), Graphviz DOT and JSON. Pure and deterministic. */
import type { GraphNode, ModuleGraph } from './module-graph.ts';

export const GRAPH_FORMATS = ['mermaid', 'dot', 'json'] as const;
export type GraphFormat = (typeof GRAPH_FORMATS)[number];

/** Tier colours shared by both drawings: green ga, amber beta, red experimental. */
const TIER_STYLE: Record<GraphNode['tier'], { fill: string; stroke: string }> = {
  ga: { fill: '#d1fadf', stroke: '#12b76a' },
  beta: { fill: '#fef0c7', stroke: '#f79009' },
  experimental: { fill: '#fee4e2', stroke: '#f04438' },
};

export interface GraphRenderOptions {
  /** Leave out modules with no edge (declared, not implemented, or isolated). Default: true. */
  readonly connectedOnly?: boolean;
}

function visibleNodes(graph: ModuleGraph, options: GraphRenderOptions): readonly GraphNode[] {
  if (options.connectedOnly === false) return graph.nodes;
  const used = new Set(graph.edges.flatMap((e) => [e.from, e.to]));
  return graph.nodes.filter((n) => used.has(n.name));
}

const nodeId = (name: string): string => `m_${name.replace(/[^A-Za-z0-9]/g, '_')}`;
const edgeLabel = (kinds: readonly string[], count: number): string =>
  `${kinds.join(', ')}${count > 1 ? ` ×${count}` : ''}`;

export function renderMermaid(graph: ModuleGraph, options: GraphRenderOptions = {}): string {
  const lines = ['flowchart LR'];
  for (const [tier, style] of Object.entries(TIER_STYLE))
    lines.push(`  classDef ${tier} fill:${style.fill},stroke:${style.stroke},color:#101828`);
  for (const n of visibleNodes(graph, options))
    lines.push(`  ${nodeId(n.name)}["${n.name}<br/><small>${n.tier} · ${n.layer}</small>"]:::${n.tier}`);
  // Denied edges are dotted so a reader sees at once what the gate rejects.
  for (const e of graph.edges)
    lines.push(
      `  ${nodeId(e.from)} ${e.allowed ? '-->' : '-.->'}|"${edgeLabel(e.kinds, e.count)}${e.allowed ? '' : ' (denied)'}"| ${nodeId(e.to)}`,
    );
  return `${lines.join('\n')}\n`;
}

export function renderDot(graph: ModuleGraph, options: GraphRenderOptions = {}): string {
  const lines = [
    'digraph modules {',
    '  rankdir=LR;',
    '  node [shape=box, style="rounded,filled", fontname="Helvetica"];',
    '  edge [fontname="Helvetica", fontsize=10];',
  ];
  for (const n of visibleNodes(graph, options)) {
    const style = TIER_STYLE[n.tier];
    lines.push(
      `  "${n.name}" [label="${n.name}\\n${n.tier} · ${n.layer}", fillcolor="${style.fill}", color="${style.stroke}"];`,
    );
  }
  for (const e of graph.edges) {
    lines.push(
      `  "${e.from}" -> "${e.to}" [label="${edgeLabel(e.kinds, e.count)}"${e.allowed ? '' : ', style=dashed, color="#d92d20", fontcolor="#d92d20"'}];`,
    );
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

export function renderGraphJson(graph: ModuleGraph, options: GraphRenderOptions = {}): string {
  return `${JSON.stringify({ nodes: visibleNodes(graph, options), edges: graph.edges }, null, 2)}\n`;
}

export function renderGraph(graph: ModuleGraph, format: GraphFormat, options: GraphRenderOptions = {}): string {
  if (format === 'dot') return renderDot(graph, options);
  if (format === 'json') return renderGraphJson(graph, options);
  return renderMermaid(graph, options);
}
