import type { ControlPlane, LoadResult } from '../control-plane/index.ts';
import type { Violation } from '../control-plane/violation.ts';
import { checkSync } from '../sync/index.ts';
import { checkApiSnapshots } from '../api/check-snapshots.ts';
import { checkEntrypoints } from '../api/check-entrypoints.ts';
import { checkErrorCodes } from '../evidence/check-error-codes.ts';
import { checkMaturityEvidence } from '../evidence/check-maturity.ts';
import { checkBoundaries } from '../boundaries/check-boundaries.ts';

export interface CheckOptions {
  /** The load result the plane came from (its schema and meaning violations). */
  readonly load: LoadResult;
  /** When set, report only violations in these repository-relative files (from --changed). */
  readonly changedFiles?: readonly string[];
  /** Base git ref for --changed. */
  readonly base?: string;
  /** --baseline: the boundary baseline file instead of the one specs/dependency-rules.yaml names. */
  readonly baselineFile?: string;
  /** --update-baseline: freeze the current boundary violations into the baseline file. */
  readonly updateBaseline?: boolean;
  /** --no-cache: extract the whole import graph again instead of reusing the file-level cache. */
  readonly noCache?: boolean;
}

export type CheckFn = (plane: ControlPlane, options: CheckOptions) => Promise<Violation[]>;

/** Checks the loader already ran: their violations are picked out of the load result. */
const fromLoad = (id: string): CheckFn => async (_plane, { load }) => load.violations.filter((v) => v.check === id);

/**
 * Every check the CLI can run, by the id used in specs/checks.yaml. A check listed in the spec
 * but missing here is a configuration error, so the spec and the code cannot drift apart.
 */
export const CHECKS: Readonly<Record<string, CheckFn>> = {
  specs: fromLoad('specs'),
  manifests: fromLoad('manifests'),
  layout: fromLoad('layout'),
  routing: fromLoad('routing'),
  tasks: fromLoad('tasks'),
  sync: async (plane) => checkSync(plane),
  boundaries: async (plane, options) => checkBoundaries(plane, {
    ...(options.baselineFile ? { baselineFile: options.baselineFile } : {}),
    updateBaseline: options.updateBaseline === true,
    cache: options.noCache !== true,
  }),
  // API evidence (issue #8): one ts-morph analysis per plane, shared by these checks.
  entrypoints: async (plane, options) => checkEntrypoints(plane, { cache: options.noCache !== true }),
  'api-snapshots': async (plane, options) => checkApiSnapshots(plane, { cache: options.noCache !== true }),
  'maturity-evidence': async (plane) => checkMaturityEvidence(plane),
  'error-codes': async (plane, options) => checkErrorCodes(plane, { cache: options.noCache !== true }),
};
