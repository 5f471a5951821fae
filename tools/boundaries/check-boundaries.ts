/** The `boundaries` check of specs/checks.yaml: the gate plus the baseline ratchet. */
import type { ControlPlane, Violation } from '../control-plane/index.ts';
import { applyBaseline, buildBaseline, readBaseline, writeBaseline } from './baseline.ts';
import { runBoundaries } from './run-boundaries.ts';
import type { BoundaryStart } from './start-gate.ts';

export interface BoundaryCheckOptions {
  /** Baseline file (repository-relative); default: the one specs/dependency-rules.yaml names. */
  readonly baselineFile?: string;
  /** Write the current violations into the baseline file before applying it. */
  readonly updateBaseline?: boolean;
  /** Use the file-level graph cache (default true). */
  readonly cache?: boolean;
  /** The early start the CLI made before loading the specs (startBoundaryGate); default: extract in this thread. */
  readonly start?: BoundaryStart;
  /** Today as YYYY-MM-DD (tests pin it). */
  readonly today?: string;
}

export async function checkBoundaries(plane: ControlPlane, options: BoundaryCheckOptions = {}): Promise<Violation[]> {
  const run = await runBoundaries(plane, {
    cache: options.cache ?? true,
    ...(options.start ? { start: options.start } : {}),
  });
  const file = options.baselineFile ?? plane.dependencyRules.baseline;
  let baseline = await readBaseline(plane.root, file);
  if (options.updateBaseline) {
    writeBaseline(plane.root, file, buildBaseline(run.violations, baseline.entries));
    baseline = await readBaseline(plane.root, file);
  }
  return applyBaseline(run.violations, baseline, options.today ?? new Date().toISOString().slice(0, 10)).violations;
}
