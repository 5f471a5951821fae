import { defineConfig } from 'vitest/config';

// "source" resolves the package's own subpath exports (plumego/core, …) to the TypeScript
// sources, so tests never depend on a build.
const conditions = ['source', 'node', 'default'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['source'] } },
  test: {
    include: ['framework/**/*.test.ts', 'tools/**/*.test.ts', 'reference/**/*.test.ts', 'bench/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/fixtures/**', 'dist/**', '**/generated/**', 'docs-site/**'],
    testTimeout: 20_000,
    pool: 'forks',
    // A missing golden file or snapshot is a failure, never silently written (`npx vitest run -u` writes them).
    update: 'none',
    // Probes PostgreSQL, Redis, NATS, RabbitMQ, Mosquitto and MariaDB once; tests read them with inject('services').
    globalSetup: ['tools/testing/services-setup.ts'],
  },
});
