import type { ControlPlane, Module } from '../control-plane/index.ts';
import { extractModuleApi } from './extract.ts';
import type { ApiAnalysis, ModuleApi } from './model.ts';
import { getApiModules, getFileOwner, getReferenceSources, isScannedSource, needsSnapshot } from './modules.ts';
import { createApiProject, toRepoPath } from './project.ts';
import { lookUpAnalysis, storeAnalysis, type CacheOptions } from './analysis-cache.ts';
import { scanSourceFile, type CodeSite } from './scan-error-codes.ts';

export type { ApiAnalysis };

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
    apis.set(
      m.name,
      extractModuleApi(
        api,
        { name: m.name, entry: m.entry, owns: (f) => getFileOwner(plane, f) === m },
        { print: doPrint },
      ),
    );
  }
  const codeSites: CodeSite[] = [];
  const program = api.project.getProgram().compilerObject;
  const checker = program.getTypeChecker();
  for (const sf of program.getSourceFiles()) {
    const file = toRepoPath(api.root, sf.fileName);
    if (file.startsWith('/') || !isScannedSource(file)) continue;
    codeSites.push(...scanSourceFile(file, sf, checker));
  }
  return {
    apis,
    printed,
    codeSites,
    cached: false,
    timings: { loadMs: api.loadMs, extractMs: performance.now() - started, files: api.fileCount },
  };
}

/**
 * Synchronous twin of readApiAnalysis() (read-analysis.ts) for callers that already load ts-morph;
 * both share the per-plane memo and the on-disk cache.
 */
export function getCachedAnalysis(plane: ControlPlane, options: CacheOptions = {}): ApiAnalysis {
  const lookup = lookUpAnalysis(plane, options);
  return lookup.hit ?? storeAnalysis(plane, lookup, analyzeApis(plane));
}
