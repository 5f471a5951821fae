import type { ControlPlane, LoadResult } from '../control-plane/index.ts';
import type { Violation } from '../control-plane/violation.ts';
import type { Extractor } from '../boundaries/extractor.ts';
import type { GraphCacheSnapshot } from '../boundaries/graph-cache.ts';

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
  /** Where the boundary gate runs dependency-cruiser (the CLI starts a worker before loading the specs). */
  readonly extractor?: Extractor;
  /** The boundary graph cache as the CLI already read it before loading the specs. */
  readonly graphCache?: GraphCacheSnapshot;
}

export type CheckFn = (plane: ControlPlane, options: CheckOptions) => Promise<Violation[]>;

/** Checks the loader already ran: their violations are picked out of the load result. */
const fromLoad = (id: string): CheckFn => async (_plane, { load }) => load.violations.filter((v) => v.check === id);

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
  boundaries: async (plane, options) => (await import('../boundaries/check-boundaries.ts')).checkBoundaries(plane, {
    ...(options.baselineFile ? { baselineFile: options.baselineFile } : {}),
    updateBaseline: options.updateBaseline === true,
    cache: options.noCache !== true,
    ...(options.extractor ? { extractor: options.extractor } : {}),
    ...(options.graphCache ? { graphCache: options.graphCache } : {}),
  }),
  // API evidence (issue #8): one ts-morph analysis per plane, shared by these checks.
  entrypoints: async (plane, options) => (await import('../api/check-entrypoints.ts')).checkEntrypoints(plane, { cache: options.noCache !== true }),
  'api-snapshots': async (plane, options) => (await import('../api/check-snapshots.ts')).checkApiSnapshots(plane, { cache: options.noCache !== true }),
  'maturity-evidence': async (plane) => (await import('../evidence/check-maturity.ts')).checkMaturityEvidence(plane),
  'error-codes': async (plane, options) => (await import('../evidence/check-error-codes.ts')).checkErrorCodes(plane, { cache: options.noCache !== true }),
};
