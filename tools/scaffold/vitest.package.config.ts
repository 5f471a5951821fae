import { defineConfig } from 'vitest/config';

// The packed-package test: builds and packs the tarball, installs it outside the repository and
// scaffolds a project from every template. Minutes, not seconds, so it is not part of the
// default run (`npm run test:package`; CI runs it after `npm test`).
export default defineConfig({
  test: {
    include: ['tools/scaffold/package.e2e.ts'],
    testTimeout: 180_000,
    hookTimeout: 600_000,
    pool: 'forks',
  },
});
