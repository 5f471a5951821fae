import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The site's own gates: they read the sources and the built dist/, so `npm run test:site` builds first.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
