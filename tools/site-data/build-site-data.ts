import type { SiteData } from './site-data-model.ts';
import { createSiteContext, type SiteDataExtras, type SitePlane } from './site-context.ts';
import { deriveModules } from './derive-modules.ts';
import { deriveFamilies, deriveLayers, deriveOverview, deriveTiers } from './derive-overview.ts';
import { deriveReleaseMatrix, deriveReleases, deriveRouting } from './derive-routing.ts';
import { deriveCheck, deriveGraph } from './derive-graph.ts';

/** The first key of the generated JSON and the first line of the generated types module. */
export const SITE_DATA_HEADER = 'generated from specs/*.yaml and every module.yaml by `plumego sync` — do not edit';

/**
 * Everything the docs site shows, derived from the control plane (and other tools' results when
 * given). Pure and deterministic: no clock, no file system, every list in a fixed order — so
 * `plumego sync --check` only fails when a fact changed.
 */
export function buildSiteData(plane: SitePlane, extras: SiteDataExtras = {}): SiteData {
  const ctx = createSiteContext(plane, extras);
  const tiers = deriveTiers(ctx);
  const families = deriveFamilies(ctx);
  const modules = deriveModules(ctx);
  const routing = deriveRouting(ctx);
  return {
    $comment: SITE_DATA_HEADER,
    identity: {
      name: plane.repo.identity.name,
      package: plane.repo.identity.package,
      description: plane.repo.identity.description,
    },
    // The loader reads these files; the site names them next to the lists they feed.
    sources: {
      repo: 'specs/repo.yaml',
      taxonomy: 'specs/extension-taxonomy.yaml',
      routing: 'specs/task-routing.yaml',
      releases: 'specs/releases.yaml',
      manifests: 'module.yaml of each module',
    },
    tiers,
    layers: deriveLayers(ctx),
    modules,
    stableRoots: [...ctx.stableRoots],
    families,
    overview: deriveOverview(ctx, tiers, families),
    routing,
    releases: deriveReleases(ctx),
    releaseMatrix: deriveReleaseMatrix(ctx),
    graph: deriveGraph(ctx),
    check: deriveCheck(ctx),
    totals: {
      modules: modules.length,
      implemented: modules.filter((m) => m.implemented).length,
      publicEntrypoints: modules.reduce((n, m) => n + m.publicEntrypoints.length, 0),
      families: families.length,
      tasks: routing.tasks.length,
    },
    errorCodes: (plane.errorCodes ?? []).map((e) => ({
      code: e.code,
      status: e.status,
      category: e.category,
      type: e.type ?? null,
      module: e.module,
      description: e.description,
    })),
  };
}
