// The boundary gate's public entry: what other tools folders may use. Everything else here is private.
export { applyBaseline, buildBaseline, readBaseline, type Baseline } from './baseline.ts';
export { checkBoundaries, type BoundaryCheckOptions } from './check-boundaries.ts';
export { explainEdge, renderExplanation, resolveEndpoint, type Endpoint, type Explanation } from './explain.ts';
export type { CruisedDependency } from './extract-core.mjs';
export { getCruiseOptions, toFileDependency } from './extract-graph.ts';
export { createGraphEvaluator, evaluateGraph, type GraphEvaluator } from './find-violations.ts';
export { getModuleEdges, type ModuleEdge } from './module-edges.ts';
export { buildModuleGraph } from './module-graph.ts';
export { createOwnerIndex, isDevOnlyFile, isTestFile, type GetOwner } from './ownership.ts';
export { GRAPH_FORMATS, renderGraph, type GraphFormat } from './render-graph.ts';
export { createRuleBook, type RuleBook } from './rulebook.ts';
export { readRepositoryGraph, runBoundaries, type BoundaryRun } from './run-boundaries.ts';
export { getScanRoots, isSourceFile, listSourceFiles, SKIPPED_DIRS } from './scan-files.ts';
export { startBoundaryGate, type BoundaryStart } from './start-gate.ts';
export type { BoundaryPlane, FileDependency, FileGraph, SourceFile } from './types.ts';
export { groupByWorkspace, listPathsWorkspaces } from './workspace-tsconfigs.ts';
