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
    load('main/options/normalize.mjs'),
    load('main/resolve-options/normalize.mjs'),
    load('extract/tsc/parse.mjs'),
    load('extract/tsc/extract-typescript-deps.mjs'),
    load('extract/helpers.mjs'),
    load('extract/resolve/index.mjs'),
    load('extract/clear-caches.mjs'),
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
  // enhanced-resolve forgets what it read after 4 s by default, so a lint run of a few hundred files
  // would read every package.json again and again. The cache lives for the whole run instead, and is
  // emptied when a file comes after a pause (an editor linting as the user types): see extractText.
  const withCache = {
    ...cruiseOptions,
    enhancedResolveOptions: {
      ...cruiseOptions.enhancedResolveOptions,
      cachedInputFileSystem: { cacheDuration: 1_800_000 },
    },
  };
  const options = dc.normalizeCruiseOptions(withCache, []);
  const resolveOptions = await dc.normalizeResolveOptions({}, options, tsConfig);
  return { dc, options, resolveOptions, transpileOptions: tsConfig ? { tsConfig } : {} };
}

/** dependency-cruiser keeps one resolver per process; it is rebuilt when other options are used. */
let current;
let lastCall = 0;
const resolved = new Map();
/** A file that comes this long after the previous one may see a changed tree: the file system cache is emptied. */
const IDLE_MS = 1000;

function parseWithoutJSDoc(file, text) {
  const ts = loadTypeScript();
  return ts.createSourceFile(
    file,
    text,
    { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone },
    false,
  );
}

/**
 * The dependencies of `file` (repo-relative) whose text is `text`, as cruiseFiles reports them:
 * one per specifier, module system and type-only flag, in dependency-cruiser's order.
 */
export function extractText(prepared, file, text) {
  const { dc, options, resolveOptions, transpileOptions } = prepared;
  const now = Date.now();
  if (current !== prepared) {
    dc.clearCaches();
    resolved.clear();
    current = prepared;
  } else if (now - lastCall > IDLE_MS) {
    prepared.resolveOptions.fileSystem.purge();
    resolved.clear();
  }
  lastCall = now;
  // dependency-cruiser's parse (getASTFromSource) reads JSDoc too; without JSDoc imports to detect,
  // skipping it gives the same statements about twice as fast.
  const ast = options.detectJSDocImports
    ? dc.getASTFromSource(
        { source: text, extension: extname(file), filename: join(options.baseDir, file) },
        transpileOptions,
      )
    : parseWithoutJSDoc(file, text);
  const found = dc
    .extractTypeScriptDeps(
      ast,
      options.exoticRequireStrings,
      options.detectJSDocImports,
      options.detectProcessBuiltinModuleCalls,
    )
    .filter((d) => options.moduleSystems.includes(d.moduleSystem))
    .map((d) => ({ ...d, ...dc.extractModuleAttributes(d.module) }));
  const key = (d) => `${d.module} ${d.moduleSystem} ${(d.dependencyTypes ?? []).includes('type-only')}`;
  const unique = [...new Map(found.reverse().map((d) => [key(d), d])).values()].reverse();
  unique.sort((a, b) => key(a).localeCompare(key(b)));
  const fileDir = join(options.baseDir, dirname(file));
  return unique.map((d) => {
    // Files of one folder import the same specifiers: each is resolved once per folder and run.
    const memo = `${fileDir}\u0000${key(d)}\u0000${(d.dependencyTypes ?? []).join(',')}\u0000${d.protocol ?? ''}`;
    let found = resolved.get(memo);
    if (!found) resolved.set(memo, (found = dc.resolve(d, options.baseDir, fileDir, resolveOptions, transpileOptions)));
    const r = { ...d, ...found };
    return {
      module: r.module,
      resolved: r.resolved,
      dependencyTypes: r.dependencyTypes,
      couldNotResolve: r.couldNotResolve,
      ...(r.protocol ? { protocol: r.protocol } : {}),
    };
  });
}
