// @ts-check
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'astro/config';
import starlight from '@astrojs/starlight';
import { buildSidebar } from './src/lib/sidebar.ts';

// Every fact on the site comes from this generated file; without it there is nothing true to show.
const dataFile = fileURLToPath(new URL('./src/data/plumego.generated.json', import.meta.url));
if (!existsSync(dataFile)) {
  throw new Error(
    'docs-site/src/data/plumego.generated.json is missing. Run `npx plumego sync` from the repository root to generate it, then build again.',
  );
}
/** @type {import('./src/data/plumego.generated.types.ts').SiteData} */
const data = JSON.parse(readFileSync(dataFile, 'utf8'));

export default defineConfig({
  output: 'static',
  trailingSlash: 'always',
  integrations: [
    starlight({
      title: data.identity.name,
      description: data.identity.description,
      sidebar: buildSidebar(data),
      customCss: ['./src/styles/site.css'],
      pagination: false,
      lastUpdated: false,
      // No page needs syntax highlighting beyond plain code blocks; skipping Expressive Code (Shiki) keeps the build fast.
      expressiveCode: false,
    }),
  ],
});
