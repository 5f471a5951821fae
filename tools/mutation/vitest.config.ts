// The vitest config Stryker runs for one mutation target (PLUMEGO_MUTATION_TARGET): the repository's own
// config with only the target's tests included. Limiting by config rather than Stryker's --testFiles keeps
// mutants created inside describe bodies attributed to the right tests.
import { fileURLToPath } from 'node:url';
import base from '../../vitest.config.ts';
import { LoadFailureReporter } from './load-failure-reporter.ts';
import { findTargets } from './targets.ts';

const [target] = findTargets([process.env['PLUMEGO_MUTATION_TARGET'] ?? 'router']);
const { globalSetup: _services, ...test } = base.test ?? {};

export default {
  ...base,
  // Inside Stryker's sandbox this resolves to the sandbox copy, so the mutated files are the ones tested.
  root: fileURLToPath(new URL('../..', import.meta.url)),
  // A loaded machine (two cores, benchmarks and other runs beside) must not fail the dry run; a hanging
  // mutant is still caught by Stryker's own timeout.
  test: {
    ...test,
    include: [...target!.tests],
    exclude: [...(test.exclude ?? []), ...(target!.skipTests ?? [])],
    reporters: [new LoadFailureReporter(), 'default'],
    testTimeout: 90_000,
    hookTimeout: 90_000,
  },
};
