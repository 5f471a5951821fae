import { defineCollection, z } from 'astro:content';
import { glob } from 'astro/loaders';
import { docsLoader } from '@astrojs/starlight/loaders';
import { docsSchema } from '@astrojs/starlight/schema';

export const collections = {
  docs: defineCollection({ loader: docsLoader(), schema: docsSchema() }),
  // Hand-written prose for a module's primer page: src/prose/<module name>.md, nested by the name's slashes.
  prose: defineCollection({
    loader: glob({ pattern: '**/*.md', base: './src/prose', generateId: ({ entry }) => entry.replace(/\.md$/, '') }),
    schema: z.object({}).passthrough(),
  }),
};
