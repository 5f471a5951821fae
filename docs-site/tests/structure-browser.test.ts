import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SiteData } from '../src/data/plumego.generated.types.ts';
import { CHROMIUM, openSite, type SiteSession } from './browser-session.ts';
import type { StaticSite } from './static-server.ts';
import { assertBuilt } from './site-dist.ts';

/**
 * The structure views in a real browser, checked against facts the site did not derive itself:
 * the graph edges and each module's imports/importedBy as tools/site-data wrote them, and the
 * boundary check's per-module error counts.
 */
let session: SiteSession | undefined;
let server: StaticSite;
let page: Page;
let data: SiteData;

beforeAll(async () => {
  if (!CHROMIUM.run) return;
  session = await openSite();
  ({ server, page, data } = session);
});

afterAll(async () => {
  await session?.close();
});

const sorted = (xs: readonly string[]): string[] => [...xs].sort();

describe.skipIf(!CHROMIUM.run)('structure views in chromium', () => {
  it('draws one matrix mark per real edge with its kinds, and flags only edges of modules the check reports', async () => {
    await page.goto(`${server.url}/matrix/`);
    const cells = await page.$$eval('.dsm .dsm-used', (gs) =>
      gs.map((g) => ({
        edge: `${(g as SVGGElement).dataset.from}>${(g as SVGGElement).dataset.to}`,
        kinds: (g as SVGGElement).dataset.kinds ?? '',
        violation: g.classList.contains('dsm-violation'),
      })),
    );
    const edges = data.graph.computed
      ? data.graph.edges.filter((e) => e.from !== e.to)
      : data.graph.declaredEdges.filter((e) => e.from !== e.to).map((e) => ({ ...e, kinds: [] }));
    expect(sorted(cells.map((c) => `${c.edge} ${c.kinds}`))).toEqual(
      sorted(edges.map((e) => `${e.from}>${e.to} ${e.kinds.join(',')}`)),
    );
    const withErrors = new Set(data.modules.filter((m) => (m.check?.errors ?? 0) > 0).map((m) => m.name));
    for (const c of cells.filter((x) => x.violation))
      expect({ edge: c.edge, checkReportsImporter: withErrors.has(c.edge.split('>')[0]!) }).toEqual({
        edge: c.edge,
        checkReportsImporter: true,
      });
    expect(await page.locator('#dsm-violations tbody tr').count()).toBe(cells.filter((c) => c.violation).length);
    expect(await page.locator('.dsm-label').count()).toBe(data.graph.nodes.length);
    await page
      .screenshot({ path: join(assertBuilt(), '..', '..', 'test-artifacts', 'docs-site-matrix.png') })
      .catch(() => undefined);
  });

  it('opens a primer from a matrix label', async () => {
    const target = data.graph.nodes[data.graph.nodes.length - 1]!;
    await page.goto(`${server.url}/matrix/`);
    await page.locator(`.dsm-label[href$="/modules/${target.name}/"] text`).first().click();
    await page.waitForURL(`**/modules/${target.name}/`);
    expect((await page.textContent('h1'))?.trim()).toBe(target.name);
  });

  it('shows each sampled primer the same importers and imports that plumego sync recorded', async () => {
    const byDegree = [...data.modules]
      .filter((m) => m.imports !== null)
      .sort((a, b) => b.importedBy!.length + b.imports!.length - (a.importedBy!.length + a.imports!.length));
    const sample = [
      byDegree[0],
      byDegree[byDegree.length - 1],
      data.modules.find((m) => (m.check?.errors ?? 0) > 0),
    ].filter((m) => m !== undefined);
    for (const m of sample) {
      await page.goto(`${server.url}/modules/${m.name}/`);
      const names = (row: string): Promise<string[]> =>
        page.$$eval(`#neighbourhood-table tr[data-near="${row}"] a code`, (cs) => cs.map((c) => c.textContent ?? ''));
      expect({ m: m.name, imports: sorted(await names('imports')) }).toEqual({
        m: m.name,
        imports: sorted(m.imports ?? []),
      });
      expect({ m: m.name, importedBy: sorted(await names('imported-by')) }).toEqual({
        m: m.name,
        importedBy: sorted(m.importedBy ?? []),
      });
      const allowed = new Set([...m.allowedModules, ...m.lowerTier].filter((n) => !m.forbiddenImports.includes(n)));
      expect(sorted(await names('used-not-allowed'))).toEqual(sorted((m.imports ?? []).filter((n) => !allowed.has(n))));
      expect(sorted(await names('allowed-unused'))).toEqual(
        sorted(
          [...allowed].filter(
            (n) => n !== m.name && !(m.imports ?? []).includes(n) && data.graph.nodes.some((g) => g.name === n),
          ),
        ),
      );
      const drawn = await page.locator('.neighbourhood .graph-edge').count();
      expect(drawn).toBe(
        (m.imports?.length ?? 0) + (m.importedBy?.length ?? 0) + (await names('allowed-unused')).length,
      );
      expect(await page.locator('.neighbourhood .graph-edge.edge-not-allowed').count()).toBeGreaterThanOrEqual(
        (await names('used-not-allowed')).length,
      );
    }
  });
});
