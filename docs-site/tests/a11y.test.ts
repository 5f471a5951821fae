import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SiteData } from '../src/data/plumego.generated.types.ts';
import { formatViolations, getBlocking, runAxe, type AxeViolation } from './axe-gate.ts';
import { CHROMIUM, openSite, type SiteSession } from './browser-session.ts';
import type { StaticSite } from './static-server.ts';

/**
 * Accessibility gate: axe-core runs on every page template of the built site and fails on serious
 * or critical violations; the status filters and the task router work from the keyboard alone.
 */
let session: SiteSession | undefined;
let server: StaticSite;
let browser: Browser;
let page: Page;
let data: SiteData;

beforeAll(async () => {
  if (!CHROMIUM.run) return;
  session = await openSite();
  ({ server, browser, page, data } = session);
});

afterAll(async () => {
  await session?.close();
});

/** Presses Tab until `selector` has focus; fails if it is not reachable within `limit` presses. */
async function tabTo(p: Page, selector: string, limit = 80): Promise<void> {
  for (let i = 0; i < limit; i++) {
    await p.keyboard.press('Tab');
    if (await p.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
  }
  throw new Error(`${selector} is not reachable with Tab within ${limit} presses`);
}

describe('the axe gate itself', () => {
  const sample = (impact: string | null): AxeViolation => ({
    id: `rule-${impact}`,
    impact,
    help: 'h',
    targets: ['#x'],
  });
  it('keeps serious and critical violations and drops minor, moderate and unrated ones', () => {
    const kept = getBlocking([
      sample('minor'),
      sample('moderate'),
      sample('serious'),
      sample('critical'),
      sample(null),
    ]);
    expect(kept.map((v) => v.impact)).toEqual(['serious', 'critical']);
    expect(formatViolations(kept)).toEqual(['serious rule-serious: h — #x', 'critical rule-critical: h — #x']);
  });

  it.skipIf(!CHROMIUM.run)(
    'catches an unlabelled control, an image without alt text and low contrast in a broken page',
    async () => {
      await page.setContent(
        '<html lang="en"><head><title>t</title></head><body><main><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><select><option>a</option></select><p style="color:#ccc;background:#fff">faint</p></main></body></html>',
      );
      const ids = getBlocking(await runAxe(page)).map((v) => v.id);
      expect(ids).toEqual(expect.arrayContaining(['image-alt', 'select-name', 'color-contrast']));
    },
  );
});

describe.skipIf(!CHROMIUM.run)('every page template passes axe-core (no serious or critical violations)', () => {
  const templates = (): [string, string][] => {
    const primer = data.modules.find((m) => m.layer === 'extension' && m.parent !== null) ?? data.modules[0]!;
    return [
      ['overview', '/modules/'],
      ['home', '/'],
      ['status', '/status/'],
      ['module primer', `/modules/${primer.name}/`],
      ['graph', '/graph/'],
      ['structure matrix', '/matrix/'],
      ['routing', '/routing/'],
      ['router (with an answer shown)', '/router/?q=retry%20outbound%20calls'],
      ['prose page', '/about/'],
      ['guide (tables from data, code blocks)', '/guides/tiers/'],
      ['history (static SVG charts)', '/history/'],
      ['not found', '/404.html'],
    ];
  };
  it('finds nothing blocking on any template', async () => {
    const failures: string[] = [];
    for (const [name, path] of templates()) {
      await page.goto(`${server.url}${path}`);
      failures.push(...formatViolations(getBlocking(await runAxe(page))).map((l) => `${name} (${path}): ${l}`));
    }
    expect(failures).toEqual([]);
  }, 120_000);

  it('also passes in the dark colour scheme', async () => {
    const dark = await browser.newPage({ viewport: { width: 1400, height: 1000 }, colorScheme: 'dark' });
    const failures: string[] = [];
    for (const [name, path] of templates()) {
      await dark.goto(`${server.url}${path}`);
      failures.push(...formatViolations(getBlocking(await runAxe(dark))).map((l) => `${name} (${path}): ${l}`));
    }
    await dark.close();
    expect(failures).toEqual([]);
  }, 120_000);
});

describe.skipIf(!CHROMIUM.run)('keyboard only', () => {
  it('filters the status table by tier and layer with Tab and the arrow keys', async () => {
    await page.goto(`${server.url}/status/`);
    const total = await page.locator('#module-table tbody tr').count();
    await tabTo(page, '#filter-tier');
    await page.keyboard.press('ArrowDown');
    const tier = await page.inputValue('#filter-tier');
    expect(tier).not.toBe('');
    const tierRows = data.modules.filter((m) => m.tier === tier);
    expect(await page.locator('#module-table tbody tr:visible').count()).toBe(tierRows.length);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('filter-layer');
    await page.keyboard.press('ArrowDown');
    const layer = await page.inputValue('#filter-layer');
    expect(await page.locator('#module-table tbody tr:visible').count()).toBe(
      tierRows.filter((m) => m.layer === layer).length,
    );
    expect(await page.textContent('#filter-count')).toContain(`of ${total}`);
    // Back to "all" with the keyboard restores every row.
    await page.keyboard.press('Home');
    await page.keyboard.down('Shift');
    await page.keyboard.press('Tab');
    await page.keyboard.up('Shift');
    await page.keyboard.press('Home');
    expect(await page.locator('#module-table tbody tr:visible').count()).toBe(total);
  });

  it('routes a description typed into the router with Tab, typing and Enter, and reaches the answer link', async () => {
    await page.goto(`${server.url}/router/`);
    await tabTo(page, '#router-input');
    await page.keyboard.type('retry outbound calls with exponential backoff');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#route-module');
    expect(await page.textContent('#route-module')).toBe('x/resilience');
    // The answer is reachable by Tab from the form: the next focusable thing after the button is in the result.
    await tabTo(page, '#router-form button');
    await page.keyboard.press('Tab');
    expect(
      await page.evaluate(() => document.getElementById('router-result')?.contains(document.activeElement) ?? false),
    ).toBe(true);
  });
});
