// The extraction steps that run on a worker thread as well as in-thread. Plain JavaScript because a
// worker thread cannot load TypeScript sources without a loader (and tsx's loader would cost more
// than the worker saves).
import { readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { CACHES, cacheKey } from '../cache/caches.mjs';
import { writeCacheFile } from '../cache/write-cache-file.mjs';

const require = createRequire(import.meta.url);
// PLUMEGO_CODE_CACHE_DIR moves it (tests, read-only installs).
const CODE_CACHE_DIR =
  process.env.PLUMEGO_CODE_CACHE_DIR || fileURLToPath(new URL(`../../${CACHES.v8.path}/`, import.meta.url));
let typescript;
/** How TypeScript was compiled: 'cached' (V8 code cache accepted), 'compiled' (cache written after the first cruise), 'plain'. */
let typescriptLoad = 'plain';
let pendingCodeCache;

/**
 * TypeScript, compiled through a V8 code cache. Compiling its 9 MB file is a third of the time a
 * one-file check waits for; with the cache that part nearly disappears. Loaded with require(): an
 * ESM import adds format detection and export lexing. Node 22 has this built in
 * (module.enableCompileCache); any failure here falls back to a plain require.
 */
export function loadTypeScript() {
  if (typescript) return typescript;
  const file = require.resolve('typescript');
  if (!require.cache[file]) {
    try {
      typescript = loadWithCodeCache(file);
      return typescript;
    } catch {
      delete require.cache[file];
    }
  }
  typescript = require('typescript');
  return typescript;
}

/** 'cached', 'compiled' or 'plain' (for tests and diagnostics). */
export function getTypeScriptLoad() {
  return typescriptLoad;
}

function loadWithCodeCache(file) {
  const { version } = require('typescript/package.json');
  const cacheFile = join(
    CODE_CACHE_DIR,
    `typescript-${version}-${cacheKey(CACHES.v8, [version, process.version, process.arch]).slice(0, 16)}.bin`,
  );
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    // First run: compile, then write the cache once TypeScript has done real work.
  }
  const script = new vm.Script(Module.wrap(readFileSync(file, 'utf8')), {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
  });
  const module = new Module(file);
  module.filename = file;
  require.cache[file] = module;
  script.runInThisContext().call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  module.loaded = true;
  const accepted = cachedData !== undefined && !script.cachedDataRejected;
  typescriptLoad = accepted ? 'cached' : 'compiled';
  if (!accepted) pendingCodeCache = { script, cacheFile };
  const real = module.exports;
  // What dependency-cruiser's import('typescript') receives: see withParseCapture.
  module.exports = withParseCapture(real);
  return real;
}

/** file (absolute, as dependency-cruiser passes it) → its first syntax error or null, while a cruise runs. */
let captured;
let cruising = 0;

/**
 * TypeScript as dependency-cruiser gets it: the same module, except that createSourceFile also
 * records each parse's first syntax error. dependency-cruiser parses every file it cruises and drops
 * what it cannot read without a word; recording its parse spares the gate a second parse of every
 * file (a fifth of a cold run). A file whose parse was not seen is parsed again (findParseProblems).
 */
function withParseCapture(ts) {
  const view = Object.create(ts);
  Object.defineProperty(view, 'createSourceFile', {
    value(fileName, ...rest) {
      const source = ts.createSourceFile(fileName, ...rest);
      captured?.set(fileName, firstParseProblem(ts, source));
      return source;
    },
  });
  return view;
}

function firstParseProblem(ts, source) {
  // parseDiagnostics is internal but stable since TS 2; it is the only way to get syntax errors without a Program.
  const first = (source.parseDiagnostics ?? [])[0];
  if (!first) return null;
  const at = source.getLineAndCharacterOfPosition(first.start);
  return {
    line: at.line + 1,
    column: at.character + 1,
    message: ts.flattenDiagnosticMessageText(first.messageText, ' '),
  };
}

/**
 * Writes the code cache after a cruise, so it holds the functions the cruise compiled too. Once:
 * later runs accept it until TypeScript or Node changes (then it is written again).
 */
export function saveCodeCache() {
  if (!pendingCodeCache) return;
  const { script, cacheFile } = pendingCodeCache;
  pendingCodeCache = undefined;
  writeCacheFile(cacheFile, script.createCachedData());
}

function loadCruiser() {
  return Promise.all([import('dependency-cruiser'), import('dependency-cruiser/config-utl/extract-ts-config')]);
}

const tsConfigs = new Map();

/** tsconfig.json as dependency-cruiser reads it (it expands `include` over the whole tree): once per run. */
function readTsConfig(extractTSConfig, file) {
  if (!tsConfigs.has(file)) {
    try {
      const tsConfig = extractTSConfig(file);
      // dependency-cruiser hands `paths` without a baseUrl to its resolver plugin with baseUrl './',
      // which that plugin reads from the working directory, not the tsconfig's folder (TypeScript's
      // rule): a workspace's own mapping, or any run from another directory, would not resolve.
      if (tsConfig.options?.paths && !tsConfig.options.baseUrl && tsConfig.options.pathsBasePath)
        tsConfig.options.baseUrl = tsConfig.options.pathsBasePath;
      tsConfigs.set(file, { tsConfig });
    } catch (error) {
      tsConfigs.set(file, { error: String(error?.message ?? error).split('\n')[0] });
    }
  }
  const entry = tsConfigs.get(file);
  if (entry.error) throw Object.assign(new Error(entry.error), { tsconfig: true });
  return entry.tsConfig;
}

/** A tsconfig.json as the cruise reads it (flattened, baseUrl fixed as above); throws an error marked `tsconfig`. */
export async function readCruiseTsConfig(tsConfigFile) {
  const [, { default: extractTSConfig }] = await loadCruiser();
  return readTsConfig(extractTSConfig, tsConfigFile);
}

/** Loads TypeScript and dependency-cruiser and reads the tsconfig, for a worker started before it has work. */
export async function preload(tsConfigFile) {
  loadTypeScript();
  const [, { default: extractTSConfig }] = await loadCruiser();
  if (tsConfigFile) {
    try {
      readTsConfig(extractTSConfig, tsConfigFile);
    } catch {
      // Reported when a cruise asks for it.
    }
  }
}

/**
 * dependency-cruiser's modules for `files` (repo-relative to cruiseOptions.baseDir), reduced to what
 * the gate reads (so a worker posts back little), and the first syntax error of each file that has
 * one, as [file, { line, column, message }] pairs. A tsconfig that cannot be read throws an error
 * marked `tsconfig`.
 */
export async function cruiseFiles(files, cruiseOptions, tsConfigFile) {
  loadTypeScript();
  const [{ cruise }, { default: extractTSConfig }] = await loadCruiser();
  const transpile = tsConfigFile ? { tsConfig: readTsConfig(extractTSConfig, tsConfigFile) } : {};
  const root = cruiseOptions.baseDir;
  // Cruises can overlap (sync builds several graphs at once): one map while any is running.
  captured ??= new Map();
  cruising += 1;
  const seen = captured;
  let result;
  try {
    result = await cruise([...files], cruiseOptions, {}, transpile);
  } finally {
    cruising -= 1;
    if (cruising === 0) captured = undefined;
  }
  saveCodeCache();
  const modules = typeof result.output === 'string' ? [] : result.output.modules;
  const problems = [];
  const unseen = [];
  for (const file of files) {
    const problem = seen.get(`${root}/${file}`);
    if (problem === undefined) unseen.push(file);
    else if (problem) problems.push([file, problem]);
  }
  return {
    modules: modules.map((m) => ({
      source: m.source,
      dependencies: m.dependencies.map((d) => ({
        module: d.module,
        resolved: d.resolved,
        dependencyTypes: d.dependencyTypes,
        couldNotResolve: d.couldNotResolve,
        ...(d.protocol ? { protocol: d.protocol } : {}),
      })),
    })),
    problems: [...problems, ...findParseProblems(root, unseen)],
    reparsed: unseen.length,
  };
}

/**
 * The first syntax error of each file that has one, from a parse of our own: for files whose parse
 * dependency-cruiser did not show us (TypeScript loaded before this module, an unreadable file).
 */
export function findParseProblems(root, files) {
  const ts = loadTypeScript();
  const out = [];
  for (const file of files) {
    let text;
    try {
      text = readFileSync(`${root}/${file}`, 'utf8');
    } catch {
      out.push([file, { line: 0, column: 0, message: 'file could not be read' }]);
      continue;
    }
    // JSDoc is not syntax: skipping it makes this parse about twice as fast.
    const kind = file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
    const problem = firstParseProblem(
      ts,
      ts.createSourceFile(
        file,
        text,
        { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone },
        false,
        kind,
      ),
    );
    if (problem) out.push([file, problem]);
  }
  return out;
}
