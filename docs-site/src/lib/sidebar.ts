/**
 * Builds Starlight's sidebar from the generated data, so astro.config.mjs types no module, family
 * or tier. Links are root-relative; the site is built at base "/".
 */
import type { SiteData, SiteModule, SiteTier } from '../data/plumego.generated.types.ts';
import { GUIDES } from './guides.ts';

interface SidebarLink {
  label: string;
  link: string;
  badge?: { text: string; variant: SiteTier['badge'] | 'danger' };
}
interface SidebarGroup {
  label: string;
  collapsed?: boolean;
  items: (SidebarLink | SidebarGroup)[];
}
export type SidebarItem = SidebarLink | SidebarGroup;

/** Site pages that are not modules; their titles are page names, not facts. */
export const SITE_PAGES: readonly SidebarLink[] = [
  { label: 'Modules overview', link: '/modules/' },
  { label: 'Status dashboard', link: '/status/' },
  { label: 'Dependency graph', link: '/graph/' },
  { label: 'Structure matrix', link: '/matrix/' },
  { label: 'Task router', link: '/router/' },
  { label: 'Task routing', link: '/routing/' },
];

/** Pages of this repository's own site only: an adopter's site (`plumego site`) has none of our prose. */
export const OWN_PAGES: readonly SidebarLink[] = [{ label: 'About this site', link: '/about/' }];

export interface SidebarOptions {
  /** This repository's guides and about page (false on an adopter's site). */
  readonly guides: boolean;
  /** The adopter's own prose pages. */
  readonly notes: readonly SidebarLink[];
}

export function buildSidebar(data: SiteData, options: SidebarOptions = { guides: true, notes: [] }): SidebarItem[] {
  const byName = new Map(data.modules.map((m) => [m.name, m] as const));
  const link = (m: SiteModule): SidebarLink => {
    const tier = data.tiers.find((t) => t.id === m.tier);
    // A declared module without code says so in the badge itself: its tier alone reads as shipped code.
    const badge =
      tier &&
      (m.implemented
        ? { text: tier.label, variant: tier.badge }
        : { text: `${tier.label} · no code`, variant: 'danger' as const });
    return { label: m.name, link: `/modules/${m.name}/`, ...(badge ? { badge } : {}) };
  };
  const stable = data.stableRoots.flatMap((n) => (byName.has(n) ? [link(byName.get(n)!)] : []));
  const families = data.families.flatMap((f): SidebarItem[] => {
    const root = byName.get(f.root);
    const subs = f.subordinates.flatMap((s) => (s.module && byName.has(s.name) ? [link(byName.get(s.name)!)] : []));
    if (!root) return subs;
    return subs.length ? [{ label: f.root, collapsed: true, items: [link(root), ...subs] }] : [link(root)];
  });
  const placed = new Set([...stable, ...families.flatMap(flattenLinks)].map((l) => l.label));
  // Every other layer (facade, tooling, reference, …) gets a group named after it.
  const others = data.layers.flatMap((layer): SidebarItem[] => {
    const items = data.modules.filter((m) => m.layer === layer.id && !placed.has(m.name)).map(link);
    return items.length ? [{ label: `Layer: ${layer.id}`, collapsed: true, items }] : [];
  });
  return [
    { label: 'Start here', items: [...SITE_PAGES, ...(options.guides ? OWN_PAGES : [])] },
    ...(options.guides
      ? [{ label: 'Guides', items: GUIDES.map((g) => ({ label: g.title, link: `/guides/${g.slug}/` })) }]
      : []),
    ...(options.notes.length ? [{ label: 'Notes', items: [...options.notes] }] : []),
    { label: 'Stable roots', items: stable },
    { label: 'Extension families', items: families },
    ...others,
  ];
}

function flattenLinks(item: SidebarItem): SidebarLink[] {
  return 'items' in item ? item.items.flatMap(flattenLinks) : [item];
}
