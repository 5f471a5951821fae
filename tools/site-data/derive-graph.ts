import type { SiteCheck, SiteGraph, SiteViolation } from './site-data-model.ts';
import { compareText, sortedUnique, type SiteContext } from './site-context.ts';

export const GRAPH_SOURCE = 'plumego graph --format json';
export const CHECK_SOURCE = 'plumego check (boundaries)';

/** The module graph: real edges when the boundary tools supplied them, declared edges always. */
export function deriveGraph(ctx: SiteContext): SiteGraph {
  const nodes = [...ctx.plane.modules]
    .sort((a, b) => compareText(a.name, b.name))
    .map((m) => ({ name: m.name, tier: m.tier, layer: m.layer }));
  const declaredEdges = ctx.plane.modules
    .flatMap((m) => m.manifest.allowed_imports.modules.map((to) => ({ from: m.name, to })))
    .sort(compareEdges);
  const graph = ctx.extras.graph;
  if (!graph) return { computed: false, source: GRAPH_SOURCE, nodes, edges: [], declaredEdges };
  const kinds = new Map<string, { from: string; to: string; kinds: Set<string> }>();
  for (const e of graph.edges) {
    if (e.from === e.to) continue;
    const key = `${e.from}\u0000${e.to}`;
    const entry = kinds.get(key) ?? { from: e.from, to: e.to, kinds: new Set<string>() };
    for (const k of e.kinds ?? (e.kind ? [e.kind] : [])) entry.kinds.add(k);
    kinds.set(key, entry);
  }
  const edges = [...kinds.values()]
    .map((e) => ({ from: e.from, to: e.to, kinds: sortedUnique(e.kinds) }))
    .sort(compareEdges);
  return { computed: true, source: graph.source ?? GRAPH_SOURCE, nodes, edges, declaredEdges };
}

/** The latest boundary-check result, each violation attributed to the module it belongs to. */
export function deriveCheck(ctx: SiteContext): SiteCheck {
  const check = ctx.extras.check;
  if (!check) return { computed: false, source: CHECK_SOURCE, errors: 0, warnings: 0, violations: [] };
  const violations = attributeViolations(ctx);
  return {
    computed: true,
    source: check.source ?? CHECK_SOURCE,
    errors: violations.filter((v) => v.severity === 'error').length,
    warnings: violations.filter((v) => v.severity !== 'error').length,
    violations,
  };
}

/** A violation belongs to its `from` module when that names one, else to the module whose directory holds the file. */
export function attributeViolations(ctx: SiteContext): SiteViolation[] {
  const byPath = [...ctx.plane.modules].filter((m) => m.path).sort((a, b) => b.path.length - a.path.length);
  return (ctx.extras.check?.violations ?? [])
    .map((v) => {
      const owner =
        v.from && ctx.byName.has(v.from)
          ? v.from
          : (byPath.find((m) => v.file === m.path || v.file.startsWith(`${m.path}/`))?.name ?? null);
      return {
        check: v.check,
        rule: v.rule,
        severity: v.severity,
        file: v.file,
        line: v.line,
        message: v.message,
        module: owner,
      };
    })
    .sort(
      (a, b) =>
        compareText(a.file, b.file) ||
        a.line - b.line ||
        compareText(a.rule, b.rule) ||
        compareText(a.message, b.message),
    );
}

function compareEdges(a: { from: string; to: string }, b: { from: string; to: string }): number {
  return compareText(a.from, b.from) || compareText(a.to, b.to);
}
