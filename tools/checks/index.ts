// tools/checks' public entry: the check registry and the run over it.
export { CHECKS, type CheckFn, type CheckOptions } from './registry.ts';
export { describeFeatures, getDefaultChecks, runChecks, type ChecksRun } from './run-checks.ts';
