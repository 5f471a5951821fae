/**
 * Structure facts derived at build time from the generated graph: the dependency structure matrix
 * and each module's neighbourhood. Pure functions over SiteData, so tests feed them fixtures.
 *
 * "Allowed" is what the manifest permits: allowed_imports.modules plus lower-tier opt-ins, minus
 * forbidden imports. A real edge outside that set is "used but not allowed" — the default-deny
 * violation of the boundary check (a baselined one shows here too: the matrix shows the code as it is).
 * Until the real graph is computed the matrix shows declared edges and nothing is "unused".
 */
import type { SiteData, SiteModule } from '../data/plumego.generated.types.ts';

export interface StructureEdge {
  readonly from: string;
  readonly to: string;
  /** Import kinds of a real edge (import, type-only, re-export, …); empty for an allowed-but-unused cell. */
  readonly kinds: readonly string[];
  readonly used: boolean;
  readonly allowed: boolean;
  /** Both ends sit in one strongly connected component: the edge is part of an import cycle. */
  readonly cycle: boolean;
}

export interface MatrixModule {
  readonly name: string;
  readonly layer: string;
  readonly tier: string;
  /** The tier's rank slot (colour); the tier count when the tier is unknown. */
  readonly slot: number;
}

export interface MatrixGroup {
  readonly layer: string;
  readonly start: number;
  readonly count: number;
}

export interface StructureMatrix {
  /** False when the real graph is not computed: cells are the declared edges. */
  readonly computed: boolean;
  /** Rows and columns, in the same order: by layer (the data's layer order), then tier rank, then name. */
  readonly order: readonly MatrixModule[];
  readonly groups: readonly MatrixGroup[];
  readonly cells: readonly (StructureEdge & { readonly row: number; readonly col: number })[];
  readonly cycles: readonly (readonly string[])[];
  readonly counts: {
    readonly used: number;
    readonly notAllowed: number;
    readonly unused: number;
    readonly cycleEdges: number;
  };
}

export interface Neighbour {
  readonly name: string;
  readonly kinds: readonly string[];
  readonly allowed: boolean;
  readonly cycle: boolean;
}

export interface Neighbourhood {
  readonly computed: boolean;
  /** Modules this one imports (real graph), with whether the manifest allows each. */
  readonly imports: readonly Neighbour[];
  /** Modules that import this one. */
  readonly importedBy: readonly Neighbour[];
  /** Allowed by the manifest but not imported by the code; empty until the graph is computed. */
  readonly allowedUnused: readonly string[];
  /** Imported by the code but not allowed by the manifest. */
  readonly usedNotAllowed: readonly Neighbour[];
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The set of modules a module's manifest lets it import. */
export function getAllowedImports(
  m: Pick<SiteModule, 'allowedModules' | 'lowerTier' | 'forbiddenImports'>,
): Set<string> {
  const forbidden = new Set(m.forbiddenImports);
  return new Set([...m.allowedModules, ...m.lowerTier].filter((n) => !forbidden.has(n)));
}

/** Strongly connected components with more than one module (Tarjan, iterative so a large repository cannot overflow the stack). */
export function findCycles(
  names: readonly string[],
  edges: readonly { readonly from: string; readonly to: string }[],
): string[][] {
  const out = new Map<string, string[]>(names.map((n) => [n, []]));
  for (const e of edges) if (e.from !== e.to && out.has(e.to)) out.get(e.from)?.push(e.to);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  let next = 0;
  for (const root of names) {
    if (index.has(root)) continue;
    const work: { name: string; i: number }[] = [{ name: root, i: 0 }];
    index.set(root, next);
    low.set(root, next++);
    stack.push(root);
    onStack.add(root);
    while (work.length) {
      const frame = work[work.length - 1]!;
      const targets = out.get(frame.name)!;
      if (frame.i < targets.length) {
        const t = targets[frame.i++]!;
        if (!index.has(t)) {
          index.set(t, next);
          low.set(t, next++);
          stack.push(t);
          onStack.add(t);
          work.push({ name: t, i: 0 });
        } else if (onStack.has(t)) low.set(frame.name, Math.min(low.get(frame.name)!, index.get(t)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.name, Math.min(low.get(parent.name)!, low.get(frame.name)!));
      if (low.get(frame.name) === index.get(frame.name)) {
        const component: string[] = [];
        let n: string;
        do {
          n = stack.pop()!;
          onStack.delete(n);
          component.push(n);
        } while (n !== frame.name);
        if (component.length > 1) components.push(component.sort(byName));
      }
    }
  }
  return components.sort((a, b) => byName(a[0]!, b[0]!));
}

/** Every cell of the structure: real edges (or declared ones before the graph exists) and allowed-but-unused pairs. */
export function deriveEdges(data: Pick<SiteData, 'graph' | 'modules'>): { edges: StructureEdge[]; cycles: string[][] } {
  const names = data.graph.nodes.map((n) => n.name);
  const known = new Set(names);
  const allowed = new Map(data.modules.map((m) => [m.name, getAllowedImports(m)] as const));
  const used = (
    data.graph.computed ? data.graph.edges : data.graph.declaredEdges.map((e) => ({ ...e, kinds: [] as string[] }))
  ).filter((e) => e.from !== e.to && known.has(e.from) && known.has(e.to));
  const cycles = findCycles(names, used);
  const component = new Map(cycles.flatMap((c, i) => c.map((n) => [n, i] as const)));
  const inCycle = (from: string, to: string): boolean =>
    component.has(from) && component.get(from) === component.get(to);
  const edges: StructureEdge[] = used.map((e) => ({
    from: e.from,
    to: e.to,
    kinds: [...e.kinds],
    used: true,
    allowed: allowed.get(e.from)?.has(e.to) ?? false,
    cycle: inCycle(e.from, e.to),
  }));
  if (data.graph.computed) {
    const seen = new Set(used.map((e) => `${e.from}\n${e.to}`));
    for (const [from, targets] of allowed) {
      if (!known.has(from)) continue;
      for (const to of targets) {
        if (known.has(to) && to !== from && !seen.has(`${from}\n${to}`))
          edges.push({ from, to, kinds: [], used: false, allowed: true, cycle: false });
      }
    }
  }
  edges.sort((a, b) => byName(a.from, b.from) || byName(a.to, b.to));
  return { edges, cycles };
}

export function deriveMatrix(data: Pick<SiteData, 'graph' | 'modules' | 'layers' | 'tiers'>): StructureMatrix {
  const layerRank = new Map(data.layers.map((l, i) => [l.id, i] as const));
  const slot = new Map(data.tiers.map((t) => [t.id, t.slot] as const));
  const order: MatrixModule[] = data.graph.nodes
    .map((n) => ({ name: n.name, layer: n.layer, tier: n.tier, slot: slot.get(n.tier) ?? data.tiers.length }))
    .sort(
      (a, b) =>
        (layerRank.get(a.layer) ?? layerRank.size) - (layerRank.get(b.layer) ?? layerRank.size) ||
        byName(a.layer, b.layer) ||
        a.slot - b.slot ||
        byName(a.name, b.name),
    );
  const groups: MatrixGroup[] = [];
  order.forEach((m, i) => {
    const last = groups[groups.length - 1];
    if (last && last.layer === m.layer) groups[groups.length - 1] = { ...last, count: last.count + 1 };
    else groups.push({ layer: m.layer, start: i, count: 1 });
  });
  const position = new Map(order.map((m, i) => [m.name, i] as const));
  const { edges, cycles } = deriveEdges(data);
  const cells = edges.map((e) => ({ ...e, row: position.get(e.from)!, col: position.get(e.to)! }));
  return {
    computed: data.graph.computed,
    order,
    groups,
    cells,
    cycles,
    counts: {
      used: edges.filter((e) => e.used).length,
      notAllowed: edges.filter((e) => e.used && !e.allowed).length,
      unused: edges.filter((e) => !e.used).length,
      cycleEdges: edges.filter((e) => e.cycle).length,
    },
  };
}

/** A lookup built once per build: each primer then reads its neighbourhood in time proportional to its degree. */
export function createNeighbourhoods(data: Pick<SiteData, 'graph' | 'modules'>): (name: string) => Neighbourhood {
  const { edges } = deriveEdges(data);
  const from = new Map<string, StructureEdge[]>();
  const to = new Map<string, StructureEdge[]>();
  for (const e of edges) {
    (from.get(e.from) ?? from.set(e.from, []).get(e.from)!).push(e);
    (to.get(e.to) ?? to.set(e.to, []).get(e.to)!).push(e);
  }
  const neighbour = (e: StructureEdge, name: string): Neighbour => ({
    name,
    kinds: e.kinds,
    allowed: e.allowed,
    cycle: e.cycle,
  });
  return (name) => {
    const outgoing = from.get(name) ?? [];
    const incoming = (to.get(name) ?? []).filter((e) => e.used);
    const imports = outgoing.filter((e) => e.used).map((e) => neighbour(e, e.to));
    return {
      computed: data.graph.computed,
      imports,
      importedBy: incoming.map((e) => neighbour(e, e.from)),
      allowedUnused: outgoing.filter((e) => !e.used).map((e) => e.to),
      usedNotAllowed: data.graph.computed ? imports.filter((n) => !n.allowed) : [],
    };
  };
}
