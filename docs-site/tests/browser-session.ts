/** One built site served locally and one Chromium page on it, shared by the browser test files. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { SiteData } from '../src/data/plumego.generated.types.ts';
import { planChromium } from './chromium.ts';
import { assertBuilt } from './site-dist.ts';
import { serveStatic, type StaticSite } from './static-server.ts';

export const CHROMIUM = planChromium(process.env, existsSync);

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
];

export interface SiteSession {
  readonly server: StaticSite;
  readonly browser: Browser;
  readonly page: Page;
  /** The data file the site was built from. */
  readonly data: SiteData;
  close(): Promise<void>;
}

/** Serves the built site and opens a 1400 × 1000 page; throws the CI message when Chromium is required but missing. */
export async function openSite(): Promise<SiteSession> {
  if (CHROMIUM.message) throw new Error(CHROMIUM.message);
  const dist = assertBuilt();
  const server = await serveStatic(dist);
  const data = JSON.parse(readFileSync(join(dist, '..', 'src/data/plumego.generated.json'), 'utf8')) as SiteData;
  const browser = await chromium.launch({ executablePath: CHROMIUM.path, args: ARGS });
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  return {
    server,
    browser,
    page,
    data,
    close: async () => {
      await browser.close();
      await server.close();
    },
  };
}
