import type { ControlPlane, LoadResult, Violation } from '../control-plane/index.ts';
import type { BoundaryStart } from '../boundaries/index.ts';

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
  /** The boundary gate's early start, made by the CLI before loading the specs (startBoundaryGate). */
  readonly boundaryStart?: BoundaryStart;
}

export type CheckFn = (plane: ControlPlane, options: CheckOptions) => Promise<Violation[]>;

/** Checks the loader already ran: their violations are picked out of the load result. */
const fromLoad =
  (id: string): CheckFn =>
  async (_plane, { load }) =>
    load.violations.filter((v) => v.check === id);

// Each check loads its implementation when it runs, so `--only layout` never pays for
// dependency-cruiser or ts-morph.
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
  sync: async (plane) => (await import('../sync/index.ts')).checkSync(plane),
  boundaries: async (plane, options) =>
    (await import('../boundaries/index.ts')).checkBoundaries(plane, {
      ...(options.baselineFile ? { baselineFile: options.baselineFile } : {}),
      updateBaseline: options.updateBaseline === true,
      cache: options.noCache !== true,
      ...(options.boundaryStart ? { start: options.boundaryStart } : {}),
    }),
  // API evidence (issue #8): one ts-morph analysis per plane, shared by these checks.
  entrypoints: async (plane, options) =>
    (await import('../api/index.ts')).checkEntrypoints(plane, { cache: options.noCache !== true }),
  'api-snapshots': async (plane, options) =>
    (await import('../api/index.ts')).checkApiSnapshots(plane, { cache: options.noCache !== true }),
  'maturity-evidence': async (plane) => (await import('../evidence/index.ts')).checkMaturityEvidence(plane),
  'error-codes': async (plane, options) =>
    (await import('../evidence/index.ts')).checkErrorCodes(plane, { cache: options.noCache !== true }),
};
