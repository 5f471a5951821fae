import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SiteData } from '../src/data/plumego.generated.types.ts';
import { buildSidebar, type SidebarItem } from '../src/lib/sidebar.ts';

const data = JSON.parse(
  readFileSync(new URL('../src/data/plumego.generated.json', import.meta.url), 'utf8'),
) as SiteData;

function links(items: readonly SidebarItem[]): { label: string; link: string; badge?: { text: string } }[] {
  return items.flatMap((i) => ('items' in i ? links(i.items) : [i]));
}

describe('sidebar from data', () => {
  const sidebar = buildSidebar(data);
  const moduleLinks = links(sidebar).filter((l) => l.link.startsWith('/modules/') && l.link !== '/modules/');

  it('links every module exactly once, to its primer', () => {
    expect(moduleLinks.map((l) => l.link).sort()).toEqual(data.modules.map((m) => `/modules/${m.name}/`).sort());
  });

  it('badges each module with its tier label from the data, and says when it has no code yet', () => {
    const label = new Map<string, string>(
      data.modules.map((m) => [`/modules/${m.name}/`, m.implemented ? m.tierLabel : `${m.tierLabel} · no code`]),
    );
    for (const l of moduleLinks) expect(l.badge?.text).toBe(label.get(l.link));
  });

  it('marks a declared module without code in its badge, whatever its tier', () => {
    const [first] = data.modules;
    const declared = {
      ...data,
      modules: data.modules.map((m) => (m === first ? { ...m, implemented: false } : m)),
    } as SiteData;
    const badge = links(buildSidebar(declared)).find((l) => l.link === `/modules/${first!.name}/`)?.badge;
    expect(badge?.text).toBe(`${first!.tierLabel} · no code`);
    expect((badge as { variant?: string } | undefined)?.variant).toBe('danger');
  });

  it('groups stable roots in spec order and nests family subpackages under their root', () => {
    const stable = sidebar.find((i) => i.label === 'Stable roots');
    expect(stable && 'items' in stable ? stable.items.map((i) => i.label) : []).toEqual(
      data.stableRoots.filter((n) => data.modules.some((m) => m.name === n)),
    );
    const withSubs = data.families.find((f) => f.subordinates.some((s) => s.module));
    if (withSubs) {
      const group = links(sidebar.filter((i) => i.label === 'Extension families')).filter((l) =>
        l.label.startsWith(`${withSubs.root}/`),
      );
      expect(group.length).toBeGreaterThan(0);
    }
  });

  it("on an adopter's site: none of our guides or about page, and the adopter's own notes", () => {
    const adopter = links(buildSidebar(data, { guides: false, notes: [{ label: 'How we work', link: '/team/' }] }));
    expect(adopter.filter((l) => l.link.startsWith('/guides/') || l.link === '/about/')).toEqual([]);
    expect(adopter.find((l) => l.link === '/team/')?.label).toBe('How we work');
    expect(links(sidebar).filter((l) => l.link.startsWith('/guides/')).length).toBeGreaterThan(0);
  });
});
