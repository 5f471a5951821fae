/** The module-level graph (for `plumego graph` and the docs site): one edge per module pair, labelled by kind. */
import type { Layer, Tier } from '../control-plane/index.ts';
import { judgeEdge } from './judge.ts';
import { getModuleEdges, isTypeOnly } from './module-edges.ts';
import { createOwnerIndex } from './ownership.ts';
import type { RuleBook } from './rulebook.ts';
import type { BoundaryPlane, EdgeKind, FileGraph } from './types.ts';

export interface GraphNode {
  readonly name: string;
  readonly path: string;
  readonly layer: Layer;
  readonly tier: Tier;
}

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  /** Every kind of import seen between the two modules, sorted. */
  readonly kinds: readonly EdgeKind[];
  /** How many file-level imports make up the edge. */
  readonly count: number;
  /** False when the module-level verdict (layers, allowed_imports, maturity) denies the edge. */
  readonly allowed: boolean;
}

export interface ModuleGraph {
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
}

export function buildModuleGraph(plane: BoundaryPlane, book: RuleBook, graph: FileGraph): ModuleGraph {
  const edges = new Map<
    string,
    { from: string; to: string; kinds: Set<EdgeKind>; count: number; valueEdge: boolean }
  >();
  for (const e of getModuleEdges(graph, createOwnerIndex(plane.modules))) {
    const key = `${e.from.name}\u0000${e.to.name}`;
    const entry = edges.get(key) ?? {
      from: e.from.name,
      to: e.to.name,
      kinds: new Set<EdgeKind>(),
      count: 0,
      valueEdge: false,
    };
    entry.kinds.add(e.dependency.kind);
    entry.count += 1;
    entry.valueEdge ||= !isTypeOnly(e.dependency);
    edges.set(key, entry);
  }
  const nodes = plane.modules.map((m) => ({ name: m.name, path: m.path, layer: m.layer, tier: m.tier }));
  return {
    nodes,
    edges: [...edges.values()]
      .map((e) => ({
        from: e.from,
        to: e.to,
        kinds: [...e.kinds].sort(),
        count: e.count,
        allowed: judgeEdge(plane, book, plane.moduleByName.get(e.from)!, plane.moduleByName.get(e.to)!, {
          typeOnly: !e.valueEdge,
        }).allowed,
      }))
      .sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to)),
  };
}
