/**
 * Stage 2: file dependencies → module edges. Every dependency gets the module that owns its file and
 * the module (or package, builtin) it reaches; edges inside one module are kept for the graph only.
 */
import type { Module } from '../control-plane/index.ts';
import type { GetOwner } from './ownership.ts';
import type { FileDependency, FileGraph } from './types.ts';

export interface ModuleEdge {
  readonly file: string;
  readonly from: Module;
  readonly to: Module;
  readonly dependency: FileDependency;
}

export function isTypeOnly(d: Pick<FileDependency, 'kind'>): boolean {
  return d.kind === 'type-only' || d.kind === 'type-only re-export';
}

/** Every dependency from a file of one module to a file of another module. */
export function getModuleEdges(graph: FileGraph, getOwner: GetOwner): ModuleEdge[] {
  const edges: ModuleEdge[] = [];
  for (const source of graph.files) {
    const from = getOwner(source.file);
    if (!from) continue;
    for (const dependency of source.dependencies) {
      if (dependency.target !== 'file') continue;
      const to = getOwner(dependency.resolved);
      if (to && to !== from) edges.push({ file: source.file, from, to, dependency });
    }
  }
  return edges;
}
