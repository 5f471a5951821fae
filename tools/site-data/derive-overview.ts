import type { SiteFamily, SiteLayer, SiteOverview, SiteSurfaceGroup, SiteTier } from './site-data-model.ts';
import { sortedUnique, type SiteContext } from './site-context.ts';

/**
 * Tiers in rank order with the overview's counts. A tier's count is its primary units: stable roots
 * and family roots. Subpackages with their own tier are counted in `moduleCount`, not in `count` —
 * the overview counts what a reader adopts, and a subpackage is adopted through its family.
 */
export function deriveTiers(ctx: SiteContext): SiteTier[] {
  const units = primaryUnits(ctx);
  const ranked = [...ctx.plane.repo.tiers].sort((a, b) => b.rank - a.rank);
  return ranked.map((t, slot) => {
    const inTier = units.filter((u) => ctx.byName.get(u)?.tier === t.id);
    return {
      id: t.id,
      label: t.label,
      rank: t.rank,
      unit: t.unit,
      guidance: t.guidance,
      count: inTier.length,
      units: inTier,
      moduleCount: ctx.plane.modules.filter((m) => m.tier === t.id).length,
      badge: badgeFor(slot, ranked.length),
      slot,
    };
  });
}

/** Highest rank reads as safe, lowest as caution; anything between is neutral. */
function badgeFor(slot: number, count: number): SiteTier['badge'] {
  if (slot === 0) return 'success';
  if (slot === count - 1) return 'caution';
  return 'note';
}

/** Stable roots (repo.yaml order) then family roots (taxonomy order) that have a manifest. */
function primaryUnits(ctx: SiteContext): string[] {
  const roots = [...ctx.stableRoots, ...ctx.plane.taxonomy.families.map((f) => f.root)];
  return roots.filter((name) => ctx.byName.has(name));
}

export function deriveLayers(ctx: SiteContext): SiteLayer[] {
  return Object.entries(ctx.plane.repo.layers).map(([id, layer]) => ({
    id,
    description: layer.description,
    members: [...(layer.roots ?? layer.paths ?? [])],
    moduleCount: ctx.plane.modules.filter((m) => m.layer === id).length,
  }));
}

export function deriveFamilies(ctx: SiteContext): SiteFamily[] {
  return ctx.plane.taxonomy.families.map((f) => {
    const root = ctx.byName.get(f.root);
    const rootTier = root?.tier ?? null;
    return {
      root: f.root,
      workAbout: f.work_about,
      narrowerWhen: f.narrower_when ?? null,
      tier: rootTier,
      tierLabel: rootTier ? ctx.tierLabel(rootTier) : null,
      promotedIn: root?.manifest.promoted_in ?? null,
      primerQuestion: root?.manifest.primer_question?.trim() || null,
      hasModule: Boolean(root),
      subordinates: f.subordinates.map((s) => {
        // A subordinate without its own manifest shares the family's tier.
        const own = s.module ? ctx.byName.get(s.name) : undefined;
        const tier = own?.tier ?? rootTier;
        return {
          name: s.name,
          module: s.module,
          when: s.when,
          tier,
          tierLabel: tier ? ctx.tierLabel(tier) : null,
          promotedIn: own?.manifest.promoted_in ?? null,
          differs: Boolean(own && rootTier && own.tier !== rootTier),
        };
      }),
    };
  });
}

export function deriveOverview(
  ctx: SiteContext,
  tiers: readonly SiteTier[],
  families: readonly SiteFamily[],
): SiteOverview {
  const stablePrimers = ctx.stableRoots.flatMap((name) => {
    const m = ctx.byName.get(name);
    return m
      ? [{ module: name, question: m.manifest.primer_question?.trim() ?? '', why: m.manifest.summary.trim() }]
      : [];
  });
  return {
    primaryFamilies: families.map((f) => f.root),
    stablePrimers,
    tierSections: tiers.map((t) => ({
      tier: t.id,
      label: t.label,
      guidance: t.guidance,
      families: families.filter((f) => f.tier === t.id).map((f) => f.root),
      surfaces: deriveSurfaces(ctx, t.id, families),
    })),
    discouragedRoots: [...ctx.plane.repo.top_level.discouraged_roots],
    topLevelRules: ctx.plane.repo.top_level.rules.map((r) => ({ id: r.id, rule: r.rule, rationale: r.rationale })),
  };
}

/** Subpackages that reached `tier` while their family root ranks lower (the mission's "beta surfaces"). */
function deriveSurfaces(ctx: SiteContext, tier: string, families: readonly SiteFamily[]): SiteSurfaceGroup[] {
  return families.flatMap((f) => {
    if (!f.tier || ctx.tierRank(f.tier) >= ctx.tierRank(tier)) return [];
    const surfaces = f.subordinates.filter((s) => s.module && s.tier === tier);
    if (surfaces.length === 0) return [];
    return [
      {
        family: f.root,
        familyTierLabel: f.tierLabel,
        modules: surfaces.map((s) => s.name),
        promotedIn: sortedUnique(surfaces.flatMap((s) => (s.promotedIn ? [s.promotedIn] : []))),
        remaining: f.subordinates.filter((s) => s.tier !== tier).map((s) => s.name),
      },
    ];
  });
}
