import { existsSync, readdirSync } from 'node:fs';
import type { ControlPlane, Module } from '../control-plane/index.ts';
import { scanSourceFile, type CodeSite } from '../evidence/scan-error-codes.ts';
import { API_CACHE_FILE, getAnalysisKey, readAnalysisCache, writeAnalysisCache } from './analysis-cache.ts';
import { extractModuleApi } from './extract.ts';
import type { ModuleApi } from './model.ts';
import { createApiProject, toRepoPath } from './project.ts';
import { getSnapshotPath } from './snapshot.ts';

const LIBRARY_LAYERS = new Set<Module['layer']>(['stable', 'extension', 'facade']);

/** Modules with a public API: implemented library modules (the facade, stable roots, x/*). */
export function getApiModules(plane: ControlPlane): Module[] {
  return plane.modules.filter((m) => LIBRARY_LAYERS.has(m.layer) && m.implemented);
}

/**
 * Whether a module's signatures must be printed: beta and ga modules need a snapshot as evidence,
 * and an experimental module that chose to keep one must keep it fresh. Every other module gets only
 * its export names — the cheap part.
 */
export function needsSnapshot(plane: ControlPlane, m: Module): boolean {
  return m.tier !== 'experimental' || existsSync(`${plane.root}/${getSnapshotPath(m.path)}`);
}

/** The module a repository-relative file belongs to: the deepest module directory that holds it. */
export function getFileOwner(plane: ControlPlane, file: string): Module | undefined {
  let best: Module | undefined;
  for (const m of plane.modules) {
    if (!LIBRARY_LAYERS.has(m.layer) && m.layer !== 'tooling' && m.layer !== 'reference') continue;
    if ((file === m.path || file.startsWith(`${m.path}/`)) && (!best || m.path.length > best.path.length)) best = m;
  }
  return best;
}

export interface ApiAnalysis {
  readonly apis: ReadonlyMap<string, ModuleApi>;
  /** Modules whose signatures were printed (the rest have names only). */
  readonly printed: ReadonlySet<string>;
  /** Error-code sites in every non-test repository file the entries reach (scanned from the same ASTs). */
  readonly codeSites: readonly CodeSite[];
  /** 0 for all three when the result came from the cache. */
  readonly timings: { readonly loadMs: number; readonly extractMs: number; readonly files: number };
  readonly cached: boolean;
}

export interface AnalyzeOptions {
  /** Restrict to these module names (default: every API module). */
  readonly modules?: readonly string[];
  /** Print these modules' signatures (default: those that `needsSnapshot`). */
  readonly print?: (m: Module) => boolean;
}

/** Runs ts-morph once over the requested modules: one Project, only their entries and what they reach. */
export function analyzeApis(plane: ControlPlane, options: AnalyzeOptions = {}): ApiAnalysis {
  const wanted = options.modules ? new Set(options.modules) : undefined;
  const modules = getApiModules(plane).filter((m) => !wanted || wanted.has(m.name));
  const specifiers = new Map<string, string>();
  for (const m of plane.modules) if (m.importSpecifier) specifiers.set(m.importSpecifier, m.entry);
  // Reference services join the program only for the error-code scan: they emit registered codes too.
  const extra = options.modules ? [] : getReferenceSources(plane);
  const api = createApiProject({ root: plane.root, entries: [...modules.map((m) => m.entry), ...extra], specifiers });
  const started = performance.now();
  const print = options.print ?? ((m: Module) => needsSnapshot(plane, m));
  const apis = new Map<string, ModuleApi>();
  const printed = new Set<string>();
  for (const m of modules) {
    const doPrint = print(m);
    if (doPrint) printed.add(m.name);
    apis.set(m.name, extractModuleApi(api, { name: m.name, entry: m.entry, owns: (f) => getFileOwner(plane, f) === m }, { print: doPrint }));
  }
  const codeSites: CodeSite[] = [];
  const program = api.project.getProgram().compilerObject;
  const checker = program.getTypeChecker();
  for (const sf of program.getSourceFiles()) {
    const file = toRepoPath(api.root, sf.fileName);
    if (file.startsWith('/') || !isScannedSource(file)) continue;
    codeSites.push(...scanSourceFile(file, sf, checker));
  }
  return { apis, printed, codeSites, cached: false, timings: { loadMs: api.loadMs, extractMs: performance.now() - started, files: api.fileCount } };
}

/** Non-test TypeScript sources (the same filter the cache key uses). */
export function isScannedSource(file: string): boolean {
  return /\.(ts|mts|cts)$/.test(file) && !/\.test\.ts$|\/fixtures\/|node_modules\//.test(file);
}

/** The reference services' sources, repository-relative. */
export function getReferenceSources(plane: ControlPlane): string[] {
  return plane.modules.filter((m) => m.layer === 'reference').flatMap((m) => listSources(plane.root, m.path));
}

export function listSources(root: string, dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(`${root}/${dir}`, { recursive: true, encoding: 'utf8' });
  } catch {
    return [];
  }
  return entries.map((f) => `${dir}/${f.replaceAll('\\', '/')}`).filter(isScannedSource).sort();
}

const memo = new WeakMap<ControlPlane, ApiAnalysis>();

export interface CacheOptions {
  /** Reuse and update node_modules/.cache/plumego/api-analysis.json (default true; --no-cache turns it off). */
  readonly cache?: boolean;
}

/**
 * The default analysis of a plane, computed once per plane (the checks of one `plumego check` run
 * share it) and, across runs, reused from the on-disk cache while no library source changed.
 */
export function getCachedAnalysis(plane: ControlPlane, options: CacheOptions = {}): ApiAnalysis {
  const known = memo.get(plane);
  if (known) return known;
  const modules = getApiModules(plane);
  const request = modules.map((m) => `${m.name} ${m.entry} ${m.importSpecifier ?? ''} ${needsSnapshot(plane, m)}`).join('\n');
  const path = `${plane.root}/${API_CACHE_FILE}`;
  const useCache = options.cache ?? true;
  const key = useCache ? getAnalysisKey(plane.root, [plane.repo.identity.library_root, ...plane.modules.filter((m) => m.layer === 'reference').map((m) => m.path)], request, listSources) : '';
  const hit = useCache ? readAnalysisCache(path, key) : undefined;
  const analysis: ApiAnalysis = hit
    ? { apis: new Map(hit.apis.map((a) => [a.module, a])), printed: new Set(hit.printed), codeSites: hit.codeSites, cached: true, timings: { loadMs: 0, extractMs: 0, files: 0 } }
    : analyzeApis(plane);
  if (useCache && !hit) writeAnalysisCache(path, key, { apis: [...analysis.apis.values()], printed: [...analysis.printed], codeSites: analysis.codeSites });
  memo.set(plane, analysis);
  return analysis;
}
