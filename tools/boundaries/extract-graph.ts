/**
 * Stage 1: the file-level import graph, computed by dependency-cruiser through its JavaScript API.
 * The same function serves a full run and an incremental run over the few files that changed: then
 * every other file is `doNotFollow`, so the cruise stops at the changed files' direct targets.
 * (maxDepth 1 is not used: a file reached at depth 1 before it is visited as a root loses its own
 * dependencies.)
 */
import { existsSync, readFileSync } from 'node:fs';
import type { ICruiseOptions } from 'dependency-cruiser';
import { ConfigError } from '../control-plane/index.ts';
import type { CruisedDependency } from './extract-core.mjs';
import { ExtractionError, IN_THREAD_EXTRACTOR, type Extractor } from './extractor.ts';
import type { EdgeKind, EdgeVia, FileDependency, SourceFile } from './types.ts';
import { findSpecifierPosition } from './source-positions.ts';
import { groupByWorkspace, listPathsWorkspaces } from './workspace-tsconfigs.ts';

export interface ExtractOptions {
  /** Absolute repository root; every path in and out is relative to it. */
  readonly root: string;
  /** The package's own name, so `plumego/x/tenant` is labelled a self-reference. */
  readonly packageName: string;
}

/**
 * Conditions used to resolve the package's own name through package.json "exports": `source` first,
 * so `plumego/x/tenant` lands on framework/x/tenant/index.ts like it does for tsc and vitest.
 */
export const CONDITION_NAMES = ['source', 'import', 'require', 'node', 'default'];

/**
 * Cruise options shared by the gate and the benchmark's generated dependency-cruiser config;
 * `tsConfigDir` names a workspace package whose own tsconfig.json maps paths.
 */
export function getCruiseOptions(root: string, tsConfigDir = ''): ICruiseOptions & { baseDir: string } {
  const tsConfigFile = `${root}/${tsConfigDir ? `${tsConfigDir}/` : ''}tsconfig.json`;
  const hasTsConfig = existsSync(tsConfigFile);
  return {
    baseDir: root,
    doNotFollow: { path: ['node_modules'] },
    tsPreCompilationDeps: true,
    moduleSystems: ['es6', 'cjs'],
    skipAnalysisNotInRules: true,
    validate: false,
    ...(hasTsConfig ? { tsConfig: { fileName: tsConfigFile } } : {}),
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: CONDITION_NAMES,
      extensions: ['.ts', '.tsx', '.mts', '.cts', '.d.ts', '.js', '.mjs', '.cjs', '.json'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
  };
}

/** Above this share of all files an incremental cruise is no cheaper than a full one. */
const FULL_CRUISE_SHARE = 0.3;

/**
 * Extracts the dependencies of `files` (repo-relative). When `files` is a small part of `allFiles`,
 * the cruise does not follow into the rest. Files dependency-cruiser could not read come back
 * without dependencies. `extractor` says where the cruise runs (default: this thread).
 */
export async function readFileGraph(
  files: readonly string[],
  options: ExtractOptions,
  allFiles: readonly string[] = files,
  extractor: Extractor = IN_THREAD_EXTRACTOR,
): Promise<SourceFile[]> {
  if (files.length === 0) return [];
  const workspaces = listPathsWorkspaces(options.root);
  if (workspaces.length === 0) return readGroup(files, '', [], options, allFiles, extractor);
  // Each workspace that maps paths of its own is cruised with its tsconfig; the rest with the root one.
  const groups = groupByWorkspace(files, workspaces);
  const results = await Promise.all(
    [...groups].map(([dir, group]) => readGroup(group, dir, workspaces, options, allFiles, extractor)),
  );
  const byFile = new Map(results.flat().map((f) => [f.file, f]));
  return files.map((file) => byFile.get(file)!);
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function readGroup(
  files: readonly string[],
  dir: string,
  workspaces: readonly string[],
  options: ExtractOptions,
  allFiles: readonly string[],
  extractor: Extractor,
): Promise<SourceFile[]> {
  const { root } = options;
  const cruiseOptions = getCruiseOptions(root, dir);
  if (files.length < allFiles.length * FULL_CRUISE_SHARE) {
    const only = files.map(escapeRegExp).join('|');
    cruiseOptions.doNotFollow = { path: ['node_modules', `^(?!(?:${only})$)`] };
  } else if (dir) {
    cruiseOptions.doNotFollow = { path: ['node_modules', `^(?!${escapeRegExp(dir)}/)`] };
  } else if (workspaces.length) {
    cruiseOptions.doNotFollow = { path: ['node_modules', `^(?:${workspaces.map(escapeRegExp).join('|')})/`] };
  }
  const tsConfigName = dir ? `${dir}/tsconfig.json` : 'tsconfig.json';
  const request = {
    files,
    cruiseOptions,
    tsConfigFile: cruiseOptions.tsConfig ? `${root}/${tsConfigName}` : undefined,
  };
  let result;
  try {
    result = await extractor.extract(request).catch((error: unknown) => {
      // A worker that crashed says nothing about the input: do the same work here.
      if (error instanceof ExtractionError || extractor === IN_THREAD_EXTRACTOR) throw error;
      return IN_THREAD_EXTRACTOR.extract(request);
    });
  } catch (error) {
    if (error instanceof ExtractionError && error.tsconfig) {
      throw new ConfigError(
        'PLUMEGO_ERR_TSCONFIG',
        `${tsConfigName}: ${error.message}`,
        { file: tsConfigName },
        `Fix ${tsConfigName} (and what it extends); the import graph resolves paths aliases through it.`,
      );
    }
    throw error;
  }
  const bySource = new Map(result.modules.map((m) => [m.source, m]));
  const problems = new Map(result.problems);
  return files.map((file) => {
    const cruised = bySource.get(file);
    // Positions are looked up in the text only for files that have dependencies to place.
    const text = cruised?.dependencies.length ? (readText(`${root}/${file}`) ?? '') : '';
    const dependencies = (cruised?.dependencies ?? []).map((d) => toFileDependency(d, text, options.packageName));
    const parseProblem = problems.get(file);
    return { file, dependencies, ...(parseProblem ? { parseError: parseProblem } : {}) };
  });
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

export function toFileDependency(d: CruisedDependency, text: string, packageName: string): FileDependency {
  const types = d.dependencyTypes;
  // dependency-cruiser strips a URL protocol from the name (`node:fs` → module `fs`, protocol `node:`).
  const specifier = d.protocol && !d.module.startsWith(d.protocol) ? `${d.protocol}${d.module}` : d.module;
  const kind = getEdgeKind(types);
  const { line, column } = findSpecifierPosition(text, specifier, kind);
  const base = { specifier, kind, via: getEdgeVia(d, packageName), line, column };
  if (d.couldNotResolve) return { ...base, target: 'unresolved', resolved: d.module };
  if (types.includes('core')) return { ...base, target: 'builtin', resolved: d.module.replace(/^node:/, '') };
  if (/(^|\/)node_modules\//.test(d.resolved))
    return { ...base, target: 'package', resolved: getPackageName(d.module) };
  return { ...base, target: 'file', resolved: d.resolved };
}

export function getEdgeKind(types: readonly string[]): EdgeKind {
  const typeOnly = types.includes('type-only');
  if (types.includes('export')) return typeOnly ? 'type-only re-export' : 're-export';
  if (typeOnly) return 'type-only';
  if (types.includes('dynamic-import')) return 'dynamic';
  if (types.includes('require') || types.includes('import-equals') || types.includes('exotic-require'))
    return 'require';
  return 'import';
}

function getEdgeVia(d: CruisedDependency, packageName: string): EdgeVia {
  const types = d.dependencyTypes;
  if (types.includes('core')) return 'builtin';
  if (types.includes('aliased-tsconfig-paths') || types.includes('aliased-tsconfig')) return 'tsconfig-paths';
  if (types.some((t) => t.startsWith('aliased'))) return 'alias';
  if (d.module.startsWith('.') || d.module.startsWith('/')) return 'relative';
  return getPackageName(d.module) === packageName ? 'package-self' : 'package';
}

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
export function getPackageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}
