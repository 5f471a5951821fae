// @ts-check
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'astro/config';
import starlight from '@astrojs/starlight';
import { buildSidebar } from './src/lib/sidebar.ts';

// Every fact on the site comes from this generated file; without it there is nothing true to show.
// PLUMEGO_SITE_DATA points the build at another data file (the bad-input tests build fixture data).
const dataFile = process.env.PLUMEGO_SITE_DATA
  ? resolve(process.env.PLUMEGO_SITE_DATA)
  : fileURLToPath(new URL('./src/data/plumego.generated.json', import.meta.url));
if (!existsSync(dataFile)) {
  throw new Error(
    `${dataFile} is missing. Run \`npx plumego sync\` from the repository root to generate the site data, then build again.`,
  );
}
/** @type {import('./src/data/plumego.generated.types.ts').SiteData} */
const data = JSON.parse(readFileSync(dataFile, 'utf8'));
// `plumego site` builds these same sources for another repository (PLUMEGO_SITE_MODE=adopter): its data,
// its own optional prose (PLUMEGO_SITE_DOCS), none of ours, and a cache apart from this site's.
const adopter = process.env.PLUMEGO_SITE_MODE === 'adopter';
// The history charts' data (src/lib/history.ts reads it while pages render, in this same process);
// an adopter's build gets its own from `plumego site` and never falls back to ours.
if (!adopter)
  process.env.PLUMEGO_SITE_HISTORY ??= fileURLToPath(new URL('./src/data/history.generated.json', import.meta.url));
const notes = adopter ? listNotes(process.env.PLUMEGO_SITE_DOCS) : [];

/**
 * The adopter's prose pages (top-level *.md of its prose folder), titled by their frontmatter.
 * @param {string | undefined} dir
 */
function listNotes(dir) {
  if (!dir || !existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /^[^_].*\.mdx?$/.test(f))
    .sort()
    .map((f) => {
      const title = /^title:\s*(.+)$/m.exec(readFileSync(resolve(dir, f), 'utf8'))?.[1]?.replace(/^['"]|['"]$/g, '');
      const slug = f.replace(/\.mdx?$/, '').toLowerCase();
      return { label: title ?? slug, link: `/${slug}/` };
    });
}

export default defineConfig({
  output: 'static',
  // src/lib/site.ts imports the default data file; this alias makes the one file chosen above feed every page.
  vite: { resolve: { alias: [{ find: /^\.\.\/data\/plumego\.generated\.json$/, replacement: dataFile }] } },
  trailingSlash: 'always',
  ...(process.env.PLUMEGO_SITE_CACHE ? { cacheDir: process.env.PLUMEGO_SITE_CACHE } : {}),
  // Plain code blocks: Shiki's default theme draws comments below 4.5:1 contrast (axe colour-contrast).
  markdown: { syntaxHighlight: false },
  integrations: [
    starlight({
      title: data.identity.name,
      description: data.identity.description,
      sidebar: buildSidebar(data, adopter ? { guides: false, notes } : { guides: true, notes: [] }),
      customCss: ['./src/styles/site.css'],
      pagination: false,
      lastUpdated: false,
      // No page needs syntax highlighting beyond plain code blocks; skipping Expressive Code (Shiki) keeps the build fast.
      expressiveCode: false,
    }),
  ],
});
