/**
 * One repository as the ESLint rule sees it: the control plane, the rule book and the baseline,
 * loaded once per lint process (ESLint rules are synchronous; loading is not), and a judge that
 * runs the gate's own rules on one file's text. Nothing here decides about an import: extraction
 * is dependency-cruiser's (as in `plumego check`), verdicts come from the gate's evaluator.
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import {
  applyBaseline,
  createGraphEvaluator,
  createOwnerIndex,
  createRuleBook,
  getCruiseOptions,
  getScanRoots,
  groupByWorkspace,
  isSourceFile,
  listPathsWorkspaces,
  readBaseline,
  SKIPPED_DIRS,
  toFileDependency,
  type Baseline,
  type BoundaryPlane,
  type GraphEvaluator,
} from '../boundaries/index.ts';
import { ConfigError, loadControlPlane, type Violation } from '../control-plane/index.ts';
import { extractText, prepareExtraction, type PreparedExtraction } from './extract-text.mjs';

/** A problem with the repository's configuration: reported once in each file it affects, never thrown. */
export interface SetupProblem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

export interface Session {
  readonly root: string;
  /** Set when the specs cannot be used: every file of the repository gets this one error. */
  readonly problem?: SetupProblem;
  /**
   * The gate's violations in `file` (absolute) with this text, after exceptions and the baseline,
   * as `plumego check` would report them for that file; a module whose manifest is invalid yields
   * its manifest problem instead.
   */
  judge(file: string, text: string): readonly Violation[] | SetupProblem;
}

/** The nearest directory at or above `start` holding specs/repo.yaml. */
export function findRepositoryRoot(start: string): string | undefined {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'specs', 'repo.yaml'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

export async function loadSession(rootDir: string): Promise<Session> {
  const root = resolve(rootDir);
  try {
    return await createSession(root);
  } catch (error) {
    if (error instanceof ConfigError)
      return brokenSession(root, { file: error.file, line: error.line, column: error.column, message: error.message });
    return brokenSession(root, {
      file: 'specs',
      line: 0,
      column: 0,
      message: `cannot load the control plane: ${(error as Error).message}`,
    });
  }
}

function brokenSession(root: string, problem: SetupProblem): Session {
  return { root, problem, judge: () => problem };
}

async function createSession(root: string): Promise<Session> {
  const loaded = await loadControlPlane(root);
  const plane = loaded.plane;
  const first = loaded.configErrors[0];
  if (first)
    return brokenSession(root, { file: first.file, line: first.line, column: first.column, message: first.message });
  if (!plane) {
    const v = loaded.violations[0];
    return brokenSession(
      root,
      v
        ? { file: v.file, line: v.line, column: v.column, message: v.message }
        : { file: 'specs', line: 0, column: 0, message: 'the control plane did not load' },
    );
  }
  const book = createRuleBook(plane);
  const baseline = await readBaseline(root, plane.dependencyRules.baseline);
  const workspaces = listPathsWorkspaces(root);
  const prepared = new Map<string, PreparedExtraction>();
  for (const dir of ['', ...workspaces]) prepared.set(dir, await prepareExtraction(getCruiseOptions(root, dir)));
  // A manifest that failed its schema: the gate judges none of its module's edges, the editor says why.
  const manifestProblems = new Map<string, SetupProblem>();
  for (const m of plane.modules) {
    const v = m.invalid ? loaded.violations.find((x) => x.file === m.manifestFile) : undefined;
    if (v)
      manifestProblems.set(m.name, {
        file: v.file,
        line: v.line,
        column: v.column,
        message: `${m.manifestFile} is invalid, so the imports of ${m.name} are not checked: ${v.message}`,
      });
  }
  const judge = createJudge(
    plane,
    createGraphEvaluator(plane, book),
    baseline,
    getScanRoots(plane.repo),
    workspaces,
    prepared,
    manifestProblems,
  );
  return { root, judge };
}

function createJudge(
  plane: BoundaryPlane,
  evaluator: GraphEvaluator,
  baseline: Baseline,
  scanRoots: readonly string[],
  workspaces: readonly string[],
  prepared: ReadonlyMap<string, PreparedExtraction>,
  manifestProblems: ReadonlyMap<string, SetupProblem>,
): Session['judge'] {
  const packageName = plane.repo.identity.package;
  const getOwner = createOwnerIndex(plane.modules);
  return (file, text) => {
    const rel = toRepoPath(plane.root, file);
    if (!rel || !isScanned(rel, scanRoots)) return [];
    const problem = manifestProblems.get(getOwner(rel)?.name ?? '');
    if (problem) return problem;
    const dir = [...groupByWorkspace([rel], workspaces).keys()][0] ?? '';
    const dependencies = extractText(prepared.get(dir)!, rel, text).map((d) => toFileDependency(d, text, packageName));
    // A one-file graph: every per-import rule applies; module cycles need the whole graph (plumego check).
    const violations = evaluator.finish({ files: [{ file: rel, dependencies }] });
    const today = new Date().toISOString().slice(0, 10);
    return applyBaseline(violations, baseline, today).violations.filter(
      (v) => v.file === rel && v.rule !== 'baseline-stale' && v.rule !== 'baseline-expired',
    );
  };
}

function toRepoPath(root: string, file: string): string | undefined {
  if (!isAbsolute(file)) return undefined;
  const rel = relative(root, file);
  if (!rel || rel.startsWith('..') || isAbsolute(rel)) return undefined;
  return rel.split(sep).join('/');
}

/** The files `plumego check` scans (scan-files.ts): source files under the module roots, outside skipped and dot folders. */
function isScanned(rel: string, scanRoots: readonly string[]): boolean {
  if (!scanRoots.some((r) => rel.startsWith(`${r}/`))) return false;
  const parts = rel.split('/');
  if (parts.some((p) => p.startsWith('.'))) return false;
  if (parts.slice(0, -1).some((p) => SKIPPED_DIRS.has(p))) return false;
  return isSourceFile(parts[parts.length - 1]!);
}
