// Until the root config stops passing `--conditions import` to test processes (it makes `pg`'s own
// `require('pg-pool')` load the ESM build and fail), x/data's PostgreSQL tests run with this override:
// `npx vitest run --config framework/x/data/vitest.pg.config.ts framework/x/data`.
import { defineConfig, mergeConfig } from 'vitest/config';
import root from '../../../vitest.config.ts';

export default mergeConfig(root, defineConfig({ ssr: { resolve: { conditions: ['source', 'node'] } } }), false);
