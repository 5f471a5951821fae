/**
 * Builds Starlight's sidebar from the generated data, so astro.config.mjs types no module, family
 * or tier. Links are root-relative; the site is built at base "/".
 */
import type { SiteData, SiteModule, SiteTier } from '../data/plumego.generated.types.ts';

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
  { label: 'About this site', link: '/about/' },
];

export function buildSidebar(data: SiteData): SidebarItem[] {
  const byName = new Map(data.modules.map((m) => [m.name, m] as const));
  const link = (m: SiteModule): SidebarLink => {
    const tier = data.tiers.find((t) => t.id === m.tier);
    // A declared module without code says so in the badge itself: its tier alone reads as shipped code.
    const badge = tier && (m.implemented ? { text: tier.label, variant: tier.badge } : { text: `${tier.label} · no code`, variant: 'danger' as const });
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
    { label: 'Start here', items: [...SITE_PAGES] },
    { label: 'Stable roots', items: stable },
    { label: 'Extension families', items: families },
    ...others,
  ];
}

function flattenLinks(item: SidebarItem): SidebarLink[] {
  return 'items' in item ? item.items.flatMap(flattenLinks) : [item];
}
