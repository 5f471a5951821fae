import type { Module } from '../control-plane/index.ts';
import type { SiteModule } from './site-data-model.ts';
import { compareText, sortedUnique, type SiteContext } from './site-context.ts';
import { attributeViolations } from './derive-graph.ts';

/** One row per module: every manifest field plus the facts other tools derived for it. */
export function deriveModules(ctx: SiteContext): SiteModule[] {
  const allowedBy = indexAllowedBy(ctx.plane.modules);
  const realEdges = ctx.extras.graph ? indexEdges(ctx.extras.graph.edges) : undefined;
  const checkCounts = ctx.extras.check ? countByModule(ctx) : undefined;
  return [...ctx.plane.modules]
    .sort((a, b) => compareText(a.name, b.name))
    .map((m) => {
      const mf = m.manifest;
      const isStableRoot = m.layer === 'stable' && ctx.stableRoots.includes(m.name);
      const isFamilyRoot = ctx.familyRoots.has(m.name);
      return {
        name: m.name,
        path: m.path,
        layer: m.layer,
        tier: m.tier,
        tierLabel: ctx.tierLabel(m.tier),
        promotedIn: mf.promoted_in ?? null,
        family: m.family ?? null,
        parent: mf.parent ?? null,
        isStableRoot,
        isFamilyRoot,
        owner: mf.owner.trim(),
        risk: mf.risk,
        summary: mf.summary.trim(),
        primerQuestion: mf.primer_question?.trim() || null,
        responsibilities: [...mf.responsibilities],
        nonGoals: [...mf.non_goals],
        allowedModules: [...mf.allowed_imports.modules],
        allowedPackages: mf.allowed_imports.packages.map((p) => ({ name: p.name, reason: p.reason })),
        lowerTier: [...(mf.allowed_imports.lower_tier ?? [])],
        forbiddenImports: [...(mf.forbidden_imports ?? [])],
        publicEntrypoints: [...mf.public_entrypoints],
        testCommands: [...mf.test_commands],
        reviewChecklist: [...mf.review_checklist],
        agentHints: [...mf.agent_hints],
        stopConditions: [...(mf.stop_conditions ?? [])],
        landingZones: [...(mf.landing_zones ?? [])],
        docPaths: [...(mf.doc_paths ?? [])],
        taskAffinity: [...(mf.task_affinity ?? [])],
        apiChangeCount: mf.api_changes?.length ?? 0,
        manifestFile: m.manifestFile,
        entry: m.entry,
        implemented: m.implemented,
        importSpecifier: m.importSpecifier ?? null,
        allowedBy: allowedBy.get(m.name) ?? [],
        imports: realEdges ? (realEdges.out.get(m.name) ?? []) : null,
        importedBy: realEdges ? (realEdges.in.get(m.name) ?? []) : null,
        check: checkCounts ? (checkCounts.get(m.name) ?? { errors: 0, warnings: 0 }) : null,
        evidence: ctx.extras.evidence?.[m.name] ?? null,
        missing: findMissing(m, isStableRoot || isFamilyRoot),
      };
    });
}

/** Facts a page needs that the manifest leaves empty; the page shows them as red cells. */
function findMissing(m: Module, needsPrimerQuestion: boolean): string[] {
  const mf = m.manifest;
  const missing: string[] = [];
  if (!mf.summary.trim()) missing.push('summary');
  if (!mf.owner.trim()) missing.push('owner');
  if (mf.responsibilities.length === 0) missing.push('responsibilities');
  if (mf.non_goals.length === 0) missing.push('non_goals');
  if (mf.test_commands.length === 0) missing.push('test_commands');
  if (needsPrimerQuestion && !mf.primer_question?.trim()) missing.push('primer_question');
  return missing;
}

function indexAllowedBy(modules: readonly Module[]): Map<string, string[]> {
  const index = new Map<string, string[]>();
  for (const m of modules) {
    for (const target of m.manifest.allowed_imports.modules) index.set(target, [...(index.get(target) ?? []), m.name]);
  }
  for (const [k, v] of index) index.set(k, sortedUnique(v));
  return index;
}

function indexEdges(edges: readonly { readonly from: string; readonly to: string }[]): {
  out: Map<string, string[]>;
  in: Map<string, string[]>;
} {
  const out = new Map<string, Set<string>>();
  const inn = new Map<string, Set<string>>();
  for (const e of edges) {
    if (e.from === e.to) continue;
    (out.get(e.from) ?? out.set(e.from, new Set()).get(e.from)!).add(e.to);
    (inn.get(e.to) ?? inn.set(e.to, new Set()).get(e.to)!).add(e.from);
  }
  const toSorted = (m: Map<string, Set<string>>) => new Map([...m].map(([k, v]) => [k, sortedUnique(v)] as const));
  return { out: toSorted(out), in: toSorted(inn) };
}

function countByModule(ctx: SiteContext): Map<string, { errors: number; warnings: number }> {
  const counts = new Map<string, { errors: number; warnings: number }>();
  for (const v of attributeViolations(ctx)) {
    if (!v.module) continue;
    const c = counts.get(v.module) ?? { errors: 0, warnings: 0 };
    counts.set(v.module, v.severity === 'error' ? { ...c, errors: c.errors + 1 } : { ...c, warnings: c.warnings + 1 });
  }
  return counts;
}
