// The boundary gate's extraction for one file's text, synchronously (an ESLint rule cannot wait):
// dependency-cruiser's own TypeScript extractor and resolver, called the way its cruise() calls them
// for each file, so the editor sees exactly the dependencies `plumego check` sees. Those functions
// are internal to dependency-cruiser (the version is pinned in package.json; a test fails loudly if
// they move). Plain JavaScript like extract-core.mjs: the files are loaded by URL.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadTypeScript, readCruiseTsConfig } from '../boundaries/extract-core.mjs';

const require = createRequire(import.meta.url);
let internals;

/** The installed package's folder (its "exports" map hides package.json from require.resolve). */
function findPackageDir(name) {
  for (const dir of require.resolve.paths(name) ?? []) {
    if (existsSync(join(dir, name, 'package.json'))) return join(dir, name);
  }
  throw new Error(`cannot find the ${name} package`);
}

async function loadInternals() {
  if (internals) return internals;
  // The same TypeScript the gate uses (with its code cache), loaded before dependency-cruiser asks.
  loadTypeScript();
  const src = join(findPackageDir('dependency-cruiser'), 'src');
  const load = (path) => import(pathToFileURL(join(src, path)).href);
  const [options, resolveOptions, parse, deps, helpers, resolve, clear] = await Promise.all([
    load('main/options/normalize.mjs'), load('main/resolve-options/normalize.mjs'), load('extract/tsc/parse.mjs'),
    load('extract/tsc/extract-typescript-deps.mjs'), load('extract/helpers.mjs'), load('extract/resolve/index.mjs'), load('extract/clear-caches.mjs'),
  ]);
  internals = {
    normalizeCruiseOptions: options.normalizeCruiseOptions,
    normalizeResolveOptions: resolveOptions.default,
    getASTFromSource: parse.getASTFromSource,
    extractTypeScriptDeps: deps.default,
    extractModuleAttributes: helpers.extractModuleAttributes,
    resolve: resolve.default,
    clearCaches: clear.default,
  };
  return internals;
}

/**
 * Everything the per-file extraction needs for one set of cruise options (one tsconfig): loaded
 * and normalized once, since dependency-cruiser's option handling is asynchronous.
 */
export async function prepareExtraction(cruiseOptions) {
  const dc = await loadInternals();
  const tsConfigFile = cruiseOptions.tsConfig?.fileName;
  const tsConfig = tsConfigFile ? await readCruiseTsConfig(tsConfigFile) : undefined;
  const options = dc.normalizeCruiseOptions(cruiseOptions, []);
  const resolveOptions = await dc.normalizeResolveOptions({}, options, tsConfig);
  return { dc, options, resolveOptions, transpileOptions: tsConfig ? { tsConfig } : {} };
}

/** dependency-cruiser keeps one resolver per process; it is rebuilt when other options are used. */
let current;

/**
 * The dependencies of `file` (repo-relative) whose text is `text`, as cruiseFiles reports them:
 * one per specifier, module system and type-only flag, in dependency-cruiser's order.
 */
export function extractText(prepared, file, text) {
  const { dc, options, resolveOptions, transpileOptions } = prepared;
  if (current !== prepared) {
    dc.clearCaches();
    current = prepared;
  }
  const ast = dc.getASTFromSource({ source: text, extension: extname(file), filename: join(options.baseDir, file) }, transpileOptions);
  const found = dc.extractTypeScriptDeps(ast, options.exoticRequireStrings, options.detectJSDocImports, options.detectProcessBuiltinModuleCalls)
    .filter((d) => options.moduleSystems.includes(d.moduleSystem))
    .map((d) => ({ ...d, ...dc.extractModuleAttributes(d.module) }));
  const key = (d) => `${d.module} ${d.moduleSystem} ${(d.dependencyTypes ?? []).includes('type-only')}`;
  const unique = [...new Map(found.reverse().map((d) => [key(d), d])).values()].reverse();
  unique.sort((a, b) => key(a).localeCompare(key(b)));
  const fileDir = join(options.baseDir, dirname(file));
  return unique.map((d) => {
    const r = { ...d, ...dc.resolve(d, options.baseDir, fileDir, resolveOptions, transpileOptions) };
    return {
      module: r.module, resolved: r.resolved, dependencyTypes: r.dependencyTypes, couldNotResolve: r.couldNotResolve,
      ...(r.protocol ? { protocol: r.protocol } : {}),
    };
  });
}
