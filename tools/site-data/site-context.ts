import type { ControlPlane, Module, Violation } from '../control-plane/index.ts';
import type { SiteGates, SiteRouteExample, SiteRouterIndex } from './site-data-model.ts';

/** Facts computed by other tools that the site shows when they are available. */
export interface SiteDataExtras {
  /** The real module graph (`plumego graph --format json`); without it the graph shows "not yet computed". */
  readonly graph?: {
    readonly source?: string;
    readonly edges: readonly {
      readonly from: string;
      readonly to: string;
      readonly kind?: string;
      readonly kinds?: readonly string[];
    }[];
  };
  /** The latest boundary-check result; without it every check cell shows "not yet computed". */
  readonly check?: { readonly source?: string; readonly violations: readonly Violation[] };
  /** Gate profiles from the routing export (tools/route buildRoutingExport). */
  readonly gates?: SiteGates;
  /** Router answers for sample descriptions. */
  readonly routeExamples?: readonly SiteRouteExample[];
  /** The routing plane and lexicon the router page runs `plumego route`'s scoring on, in the browser. */
  readonly routerIndex?: SiteRouterIndex;
  /** API evidence per module name (snapshot state, tests, …), as the evidence tool reports it. */
  readonly evidence?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/** The part of the control plane the site data reads; tests build it without the loader. */
export type SitePlane = Pick<ControlPlane, 'repo' | 'taxonomy' | 'taskRouting' | 'releases' | 'modules'> &
  Partial<Pick<ControlPlane, 'errorCodes'>>;

/** Lookups shared by the derive stages, computed once. */
export interface SiteContext {
  readonly plane: SitePlane;
  readonly extras: SiteDataExtras;
  readonly byName: ReadonlyMap<string, Module>;
  readonly tierLabel: (tier: string) => string;
  readonly tierRank: (tier: string) => number;
  readonly stableRoots: readonly string[];
  readonly familyRoots: ReadonlySet<string>;
}

export function createSiteContext(plane: SitePlane, extras: SiteDataExtras): SiteContext {
  const byName = new Map(plane.modules.map((m) => [m.name, m] as const));
  const tiers = new Map(plane.repo.tiers.map((t) => [t.id as string, t] as const));
  return {
    plane,
    extras,
    byName,
    // An id missing from repo.yaml is shown as itself rather than hidden.
    tierLabel: (tier) => tiers.get(tier)?.label ?? tier,
    tierRank: (tier) => tiers.get(tier)?.rank ?? 0,
    stableRoots: plane.repo.layers.stable.roots ?? [],
    familyRoots: new Set(plane.taxonomy.families.map((f) => f.root)),
  };
}

/** Byte-wise comparison: the same order on every machine and locale, so the JSON never drifts. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sortedUnique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort(compareText);
}
