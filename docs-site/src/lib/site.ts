/**
 * The one way pages reach the generated data. Pages never type a count, tier, version or module
 * list: they read it from here (tests/page-literals.test.ts fails the build's tests if one does).
 */
import raw from '../data/plumego.generated.json';
import type { SiteData, SiteModule, SiteTier } from '../data/plumego.generated.types.ts';
import { createNeighbourhoods, type Neighbourhood } from './structure.ts';

export type * from '../data/plumego.generated.types.ts';

export const site = raw as unknown as SiteData;

/** Built by `plumego site` for another repository: pages that carry this repository's own prose are left out. */
export const adopterSite = process.env['PLUMEGO_SITE_MODE'] === 'adopter';

const base = import.meta.env.BASE_URL.replace(/\/?$/, '/');
const modules = new Map(site.modules.map((m) => [m.name, m] as const));
const tiers = new Map(site.tiers.map((t) => [t.id, t] as const));

export function getModule(name: string): SiteModule | undefined {
  return modules.get(name);
}

export function getTier(id: string | null | undefined): SiteTier | undefined {
  return id ? tiers.get(id) : undefined;
}

/** A site-internal URL with the configured base. */
export function href(path: string): string {
  return `${base}${path.replace(/^\//, '')}`;
}

export function moduleHref(name: string): string {
  return href(`modules/${name}/`);
}

/** Row id of a module on the status dashboard. */
export function moduleAnchor(name: string): string {
  return `module-${slugify(name)}`;
}

export function taskAnchor(key: string): string {
  return `task-${slugify(key)}`;
}

export function releaseAnchor(version: string): string {
  return `release-${slugify(version)}`;
}

export function slugify(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/** A count followed by its unit, both read from data. */
export function formatCount(count: number, unit: string): string {
  return `${count} ${unit}`;
}

let neighbourhoods: ((name: string) => Neighbourhood) | undefined;

/** A module's neighbourhood in the graph; the index behind it is built once per build, not once per primer. */
export function getNeighbourhood(name: string): Neighbourhood {
  neighbourhoods ??= createNeighbourhoods(site);
  return neighbourhoods(name);
}
