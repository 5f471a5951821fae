import { defineCollection, z } from 'astro:content';
import { glob } from 'astro/loaders';
import { docsLoader } from '@astrojs/starlight/loaders';
import { docsSchema } from '@astrojs/starlight/schema';

// An adopter's site (`plumego site`) reads only the adopter's prose: its pages from PLUMEGO_SITE_DOCS and its
// primer notes from PLUMEGO_SITE_PROSE (both may be empty folders). Our guides and primers never reach it.
const adopterDocs = process.env['PLUMEGO_SITE_DOCS'];
const proseBase = process.env['PLUMEGO_SITE_PROSE'] ?? './src/prose';

export const collections = {
  docs: defineCollection({
    loader: adopterDocs ? glob({ pattern: ['[^_]*.{md,mdx}'], base: adopterDocs }) : docsLoader(),
    schema: docsSchema(),
  }),
  // Hand-written prose for a module's primer page: src/prose/<module name>.md, nested by the name's slashes.
  prose: defineCollection({
    loader: glob({ pattern: '**/*.md', base: proseBase, generateId: ({ entry }) => entry.replace(/\.md$/, '') }),
    schema: z.object({}).passthrough(),
  }),
};
