import type { RoutingTarget } from '../control-plane/index.ts';
import type { SiteRelease, SiteReleaseCell, SiteReleaseMatrix, SiteRouting, SiteTarget } from './site-data-model.ts';
import { compareText, type SiteContext } from './site-context.ts';

/** Routing rules, the learning path and the task table, in the order specs/task-routing.yaml lists them. */
export function deriveRouting(ctx: SiteContext): SiteRouting {
  const spec = ctx.plane.taskRouting;
  return {
    readFirst: [...spec.context_policy.read_first],
    maxStartFiles: spec.context_policy.max_start_files ?? null,
    policyRules: [...spec.context_policy.rules],
    rules: spec.routing_rules.map((r) => ({
      id: r.id,
      workType: r.work_type,
      startHere: r.start_here,
      why: r.why,
      target: resolveTarget(ctx, r.target),
    })),
    learningPath: spec.learning_path.map((s, i) => ({
      step: i + 1,
      title: s.title,
      summary: s.summary,
      target: resolveTarget(ctx, s.target),
    })),
    tasks: Object.entries(spec.tasks).map(([key, t]) => ({
      key,
      intent: t.intent,
      modules: [...t.modules],
      keywords: [...(t.keywords ?? [])],
      startWith: [...t.start_with],
      avoid: [...t.avoid],
      gateProfile: t.gate_profile ?? null,
    })),
    gates: ctx.extras.gates ?? null,
    router: ctx.extras.routerIndex ?? null,
    examples: [...(ctx.extras.routeExamples ?? [])],
  };
}

/** A target names a layer, modules or paths; `resolved` is the modules a reader should open. */
function resolveTarget(ctx: SiteContext, target: RoutingTarget): SiteTarget {
  const paths = target.paths ?? [];
  const resolved = ctx.plane.modules
    .filter(
      (m) =>
        (target.layer !== undefined && m.layer === target.layer) ||
        (target.modules ?? []).includes(m.name) ||
        paths.some((p) => m.path === p || m.path.startsWith(`${p}/`)),
    )
    .map((m) => m.name);
  // Listed modules keep the spec's order (it is a reading order); layer and path matches follow by name.
  const listed = (target.modules ?? []).filter((n) => resolved.includes(n));
  const rest = resolved.filter((n) => !listed.includes(n)).sort(compareText);
  return {
    layer: target.layer ?? null,
    modules: [...(target.modules ?? [])],
    paths: [...paths],
    resolved: [...listed, ...rest],
  };
}

/** Releases in spec order, each with the modules whose manifest names it as promoted_in. */
export function deriveReleases(ctx: SiteContext): SiteRelease[] {
  return ctx.plane.releases.releases.map((r) => ({
    version: r.version,
    date: String(r.date),
    summary: r.summary,
    promoted: ctx.plane.modules
      .filter((m) => m.manifest.promoted_in === r.version)
      .sort((a, b) => compareText(a.name, b.name))
      .map((m) => ({ module: m.name, tier: m.tier, tierLabel: ctx.tierLabel(m.tier) })),
  }));
}

/**
 * Module × release: where each promoted module reached its tier and that it held it afterwards.
 * Earlier tiers are not recorded anywhere, so cells before the promotion say nothing more than "before".
 */
export function deriveReleaseMatrix(ctx: SiteContext): SiteReleaseMatrix {
  const versions = ctx.plane.releases.releases.map((r) => r.version);
  const sorted = [...ctx.plane.modules].sort((a, b) => compareText(a.name, b.name));
  const rows = sorted.flatMap((m) => {
    const promotedIn = m.manifest.promoted_in;
    if (!promotedIn) return [];
    const at = versions.indexOf(promotedIn);
    const cells = versions.map((_, i): SiteReleaseCell =>
      at < 0 || i < at ? 'before' : i === at ? 'promoted' : 'held',
    );
    return [{ module: m.name, tier: m.tier, tierLabel: ctx.tierLabel(m.tier), promotedIn, cells }];
  });
  return { versions, rows, unreleased: sorted.filter((m) => !m.manifest.promoted_in).map((m) => m.name) };
}
