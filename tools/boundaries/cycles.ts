/**
 * Stage 4: cycles between modules. Tarjan's strongly connected components find every tangle; every
 * edge inside a tangle is reported with the shortest cycle through it. One violation per edge (not
 * per tangle) means a baseline entry freezes one edge: a new edge that joins an existing tangle is a
 * new violation, never hidden behind the old one.
 */

export type Adjacency = ReadonlyMap<string, ReadonlySet<string>>;

/** Strongly connected components with more than one node, each sorted by name; sorted by first name. */
export function findTangles(graph: Adjacency): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const connect = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of [...(graph.get(node) ?? [])].sort()) {
      if (!index.has(next)) {
        connect(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let top: string;
      do {
        top = stack.pop()!;
        onStack.delete(top);
        component.push(top);
      } while (top !== node);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) connect(node);
  return found.sort((a, b) => a[0]!.localeCompare(b[0]!));
}

/** The shortest path from `start` to `goal` within `members` ([start, …, goal]); breadth-first, neighbours by name. */
export function getShortestPath(
  graph: Adjacency,
  start: string,
  goal: string,
  members: ReadonlySet<string>,
): string[] | undefined {
  if (start === goal) return [start];
  const previous = new Map<string, string>([[start, start]]);
  const queue = [start];
  for (let i = 0; i < queue.length; i += 1) {
    const node = queue[i]!;
    for (const next of [...(graph.get(node) ?? [])].sort()) {
      if (!members.has(next) || previous.has(next)) continue;
      previous.set(next, node);
      if (next === goal) {
        const path = [goal];
        while (path[0] !== start) path.unshift(previous.get(path[0]!)!);
        return path;
      }
      queue.push(next);
    }
  }
  return undefined;
}

/** The shortest cycle through `start` within `members`: [start, …, start]. */
export function getShortestCycle(graph: Adjacency, start: string, members: ReadonlySet<string>): string[] {
  let best: string[] | undefined;
  for (const next of [...(graph.get(start) ?? [])].sort()) {
    const cycle = members.has(next) ? getEdgeCycle(graph, start, next, members) : undefined;
    if (cycle && (!best || cycle.length < best.length)) best = cycle;
  }
  return best ?? [start, start];
}

/** The shortest cycle through the edge `from → to`: [from, to, …, from]; undefined when the edge closes no cycle. */
export function getEdgeCycle(
  graph: Adjacency,
  from: string,
  to: string,
  members: ReadonlySet<string>,
): string[] | undefined {
  const back = getShortestPath(graph, to, from, members);
  return back ? [from, ...back] : undefined;
}

export interface CycleEdge {
  readonly from: string;
  readonly to: string;
  /** The shortest cycle through this edge: [from, to, …, from]. */
  readonly cycle: readonly string[];
  /** Every module of the tangle the edge belongs to, sorted. */
  readonly tangle: readonly string[];
}

/** Every edge inside every tangle, with the shortest cycle through it; sorted by tangle, then from, then to. */
export function findCycleEdges(graph: Adjacency): CycleEdge[] {
  const out: CycleEdge[] = [];
  for (const tangle of findTangles(graph)) {
    const members = new Set(tangle);
    for (const from of tangle) {
      for (const to of [...(graph.get(from) ?? [])].sort()) {
        if (!members.has(to)) continue;
        // Inside a strongly connected component every edge lies on a cycle.
        out.push({ from, to, cycle: getEdgeCycle(graph, from, to, members)!, tangle });
      }
    }
  }
  return out;
}

/** One cycle path per tangle (the shortest through its first module). */
export function findModuleCycles(graph: Adjacency): string[][] {
  return findTangles(graph).map((members) => getShortestCycle(graph, members[0]!, new Set(members)));
}
