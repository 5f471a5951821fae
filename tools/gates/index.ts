export { getAreaRules, getFallbackProfile, getGateSpecProblems, type AreaRule, type GateSpec } from './areas.ts';
export {
  classifyChanges,
  getModuleForPath,
  type ChangeSet,
  type ClassifiedFile,
  type DiffFacts,
  type GatePlane,
} from './classify.ts';
export { matchGlob } from './glob.ts';
export { GitError, readChangeSet, type GitProblem } from './read-diff.ts';
export { formatGateSelection, formatRunTable, toGateReport } from './render-gates.ts';
export { getFirstFailure, runGateCommands, spawnRunner, type CommandRun, type CommandRunner } from './run-commands.ts';
export { GateSpecError, fillCommands, selectGate, type GateSelection, type Profile } from './select-gate.ts';
