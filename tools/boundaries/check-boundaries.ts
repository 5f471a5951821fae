/** The `boundaries` check of specs/checks.yaml: the gate plus the baseline ratchet. */
import type { ControlPlane } from '../control-plane/index.ts';
import type { Violation } from '../control-plane/violation.ts';
import { applyBaseline, buildBaseline, readBaseline, writeBaseline } from './baseline.ts';
import type { Extractor } from './extractor.ts';
import type { GraphCacheSnapshot } from './graph-cache.ts';
import { runBoundaries } from './run-boundaries.ts';

export interface BoundaryCheckOptions {
  /** Baseline file (repository-relative); default: the one specs/dependency-rules.yaml names. */
  readonly baselineFile?: string;
  /** Write the current violations into the baseline file before applying it. */
  readonly updateBaseline?: boolean;
  /** Use the file-level graph cache (default true). */
  readonly cache?: boolean;
  /** Where dependency-cruiser runs (default: this thread; the CLI passes a worker it started early). */
  readonly extractor?: Extractor;
  /** The graph cache as the CLI already read it. */
  readonly graphCache?: GraphCacheSnapshot;
  /** Today as YYYY-MM-DD (tests pin it). */
  readonly today?: string;
}

export async function checkBoundaries(plane: ControlPlane, options: BoundaryCheckOptions = {}): Promise<Violation[]> {
  const run = await runBoundaries(plane, {
    cache: options.cache ?? true,
    ...(options.extractor ? { extractor: options.extractor } : {}),
    ...(options.graphCache ? { graphCache: options.graphCache } : {}),
  });
  const file = options.baselineFile ?? plane.dependencyRules.baseline;
  let baseline = await readBaseline(plane.root, file);
  if (options.updateBaseline) {
    writeBaseline(plane.root, file, buildBaseline(run.violations, baseline.entries));
    baseline = await readBaseline(plane.root, file);
  }
  return applyBaseline(run.violations, baseline, options.today ?? new Date().toISOString().slice(0, 10)).violations;
}
