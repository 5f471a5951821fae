// The extraction steps that run on a worker thread as well as in-thread. Plain JavaScript because a
// worker thread cannot load TypeScript sources without a loader (and tsx's loader would cost more
// than the worker saves).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';

const require = createRequire(import.meta.url);
let typescript;

/** TypeScript through require(): an ESM import of its 9 MB CommonJS file adds format detection and export lexing. */
export function loadTypeScript() {
  return (typescript ??= require('typescript'));
}

function loadCruiser() {
  return Promise.all([import('dependency-cruiser'), import('dependency-cruiser/config-utl/extract-ts-config')]);
}

const tsConfigs = new Map();

/** tsconfig.json as dependency-cruiser reads it (it expands `include` over the whole tree): once per run. */
function readTsConfig(extractTSConfig, file) {
  if (!tsConfigs.has(file)) {
    try {
      tsConfigs.set(file, { tsConfig: extractTSConfig(file) });
    } catch (error) {
      tsConfigs.set(file, { error: String(error?.message ?? error).split('\n')[0] });
    }
  }
  const entry = tsConfigs.get(file);
  if (entry.error) throw Object.assign(new Error(entry.error), { tsconfig: true });
  return entry.tsConfig;
}

/**
 * Loads dependency-cruiser and TypeScript, reads the tsconfig and runs one tiny cruise (its first
 * cruise loads and initialises more), for a worker started before it has work.
 */
export async function preload(tsConfigFile) {
  loadTypeScript();
  const [{ cruise }, { default: extractTSConfig }] = await loadCruiser();
  if (tsConfigFile) {
    try {
      readTsConfig(extractTSConfig, tsConfigFile);
    } catch {
      // Reported when a cruise asks for it.
    }
  }
  const dir = mkdtempSync(`${tmpdir()}/plumego-warm-`);
  try {
    writeFileSync(`${dir}/a.ts`, "import type { B } from './b.ts';\nimport 'node:fs';\nexport const a = 1;\n");
    writeFileSync(`${dir}/b.ts`, 'export type B = 1;\n');
    await cruise(['a.ts'], { baseDir: dir, tsPreCompilationDeps: true, moduleSystems: ['es6', 'cjs'], skipAnalysisNotInRules: true, validate: false }, {}, {});
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * dependency-cruiser's modules for `files`, reduced to what the gate reads (so a worker posts back
 * little). A tsconfig that cannot be read throws an error marked `tsconfig`.
 */
export async function cruiseFiles(files, cruiseOptions, tsConfigFile) {
  const [{ cruise }, { default: extractTSConfig }] = await loadCruiser();
  const transpile = tsConfigFile ? { tsConfig: readTsConfig(extractTSConfig, tsConfigFile) } : {};
  const result = await cruise([...files], cruiseOptions, {}, transpile);
  const modules = typeof result.output === 'string' ? [] : result.output.modules;
  return modules.map((m) => ({
    source: m.source,
    dependencies: m.dependencies.map((d) => ({
      module: d.module, resolved: d.resolved, dependencyTypes: d.dependencyTypes, couldNotResolve: d.couldNotResolve,
      ...(d.protocol ? { protocol: d.protocol } : {}),
    })),
  }));
}

/**
 * The first syntax error of each file that has one, as [file, { line, column, message }] pairs.
 * TypeScript's parser is lenient: dependency-cruiser silently drops what it cannot read, so the
 * gate parses once more to report broken files instead of passing them.
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
    // JSDoc is not syntax: skipping it makes this second parse about twice as fast.
    const kind = file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
    const source = ts.createSourceFile(file, text, { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone }, false, kind);
    // parseDiagnostics is internal but stable since TS 2; it is the only way to get syntax errors without a Program.
    const first = (source.parseDiagnostics ?? [])[0];
    if (!first) continue;
    const at = source.getLineAndCharacterOfPosition(first.start);
    out.push([file, { line: at.line + 1, column: at.character + 1, message: ts.flattenDiagnosticMessageText(first.messageText, ' ') }]);
  }
  return out;
}
