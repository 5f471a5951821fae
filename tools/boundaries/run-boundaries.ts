/** The boundary gate as one call: scan → graph (cached) → rules → violations. */
import type { Violation } from '../control-plane/index.ts';
import { createGraphEvaluator } from './find-violations.ts';
import { buildFileGraph, type FileGraphOptions, type FileGraphStats } from './file-graph.ts';
import { createRuleBook } from './rulebook.ts';
import { getScanRoots, listSourceFiles } from './scan-files.ts';
import type { BoundaryPlane, FileGraph } from './types.ts';

export interface BoundaryRun {
  readonly violations: Violation[];
  readonly graph: FileGraph;
  readonly stats: FileGraphStats;
}

export async function runBoundaries(plane: BoundaryPlane, options: FileGraphOptions = {}): Promise<BoundaryRun> {
  const evaluator = createGraphEvaluator(plane, createRuleBook(plane));
  // Cached files are judged while the changed ones are being extracted.
  const { graph, stats } = await readRepositoryGraph(plane, {
    ...options,
    onReuse: (files) => {
      evaluator.evaluateFiles(files);
      options.onReuse?.(files);
    },
  });
  return { violations: evaluator.finish(graph), graph, stats };
}

/** The file graph of the repository's scanned sources (cached like the gate's). */
export async function readRepositoryGraph(
  plane: BoundaryPlane,
  options: FileGraphOptions = {},
): Promise<{ graph: FileGraph; stats: FileGraphStats }> {
  const scanRoots = getScanRoots(plane.repo);
  const files = listSourceFiles(plane.root, scanRoots);
  return buildFileGraph(plane.root, plane.repo.identity.package, files, { ...options, scanRoots });
}
