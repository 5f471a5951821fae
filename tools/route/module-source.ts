/**
 * Each module's code as routing evidence: the words of the code a module really has (identifiers split
 * at case changes, comments, strings, test titles, file names). A manifest is a summary line and a few
 * responsibilities, so a description in a user's own words ("catch-all", "usage", "thrown") often
 * shares nothing with it although the owner's code is full of them. The file-system half of the code
 * field: build-index.ts reads `plane.sources` and never touches the disk.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Module } from '../control-plane/index.ts';
import { CACHE_DIR, cacheKey, writeCacheFile, type CacheEntry } from '../cache/index.ts';
import type { RoutingPlane, SourceIndex } from './build-index.ts';
import { collectTerms, type Lexicon } from './tokenise.ts';

/**
 * Tokenising every code file (about 5 MB) costs more than the rest of a `plumego route` run, so each
 * module's terms are kept on disk under a stamp of its files' paths, sizes and modification times; a
 * changed file re-reads only its own module. Keyed by the lexicon, which decides what a term is.
 * The coordinator may move this entry into tools/cache's CACHES registry.
 */
export const ROUTE_SOURCE_CACHE: CacheEntry = {
  name: 'route-source',
  path: `${CACHE_DIR}/route-source.json`,
  format: 1,
  why: "Each module's code as routing terms (tools/route/module-source.ts): tokenising 5 MB of code would double the time of a `plumego route` run.",
};

/** Code and test files; declarations, data files (generated JSON, YAML case files) and prose are not code. */
const CODE_FILE = /\.(ts|tsx|mts|cts|js|mjs|cjs|astro)$/;
const DECLARATION = /\.d\.[mc]?ts$/;
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'coverage']);

/**
 * Files whose words describe other modules' work, not the module that holds them: the router's own tests
 * and fixtures are work descriptions and fake manifests of every other module.
 */
const NOT_OWN_WORDS = [/^tools\/route\/[^/]*\.test\.ts$/, /^tools\/route\/testing\//];

/**
 * A code file as words: `bodyLimitBytes` → "body Limit Bytes", `BODY_TOO_LARGE` → "BODY TOO LARGE";
 * the file name's words come first (`body-limit.ts` → "body limit").
 */
export function getSourceWords(path: string, text: string): string {
  const base = (path.split('/').at(-1) ?? '').replace(CODE_FILE, '').replace(/[-_.]+/g, ' ');
  const words = text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/_/g, ' ');
  return `${base}. ${words}`;
}

const isMissing = (error: unknown): boolean =>
  (error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR';

function listCodeFiles(root: string, dir: string, out: string[]): void {
  let entries;
  try {
    entries = readdirSync(join(root, dir), { withFileTypes: true });
  } catch (error) {
    // A declared module without a folder yet has no code to read; any other failure is a real problem.
    if (isMissing(error)) return;
    throw error;
  }
  for (const e of entries) {
    if (e.name.startsWith('.') || SKIPPED_DIRS.has(e.name)) continue;
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) listCodeFiles(root, rel, out);
    else if (e.isFile() && CODE_FILE.test(e.name) && !DECLARATION.test(e.name)) out.push(rel);
  }
}

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The code files of every module, each counted for the innermost module whose folder holds it (a file of
 * framework/x/ai/provider belongs to x/ai/provider, not to x/ai or plumego). Sorted, so the result never
 * depends on the order the file system lists folders in. A module at the repository root owns no files.
 */
export function listModuleFiles(
  root: string,
  modules: readonly Pick<Module, 'name' | 'path'>[],
): Record<string, string[]> {
  const owners = modules
    .filter((m) => m.path !== '' && m.path !== '.')
    .map((m) => ({ name: m.name, path: m.path.replace(/^(\.\/)+/, '').replace(/\/+$/, '') }))
    .sort((a, b) => b.path.length - a.path.length || byText(a.name, b.name));
  const tops = [...new Set(owners.map((m) => m.path))]
    .filter((p) => !owners.some((o) => o.path !== p && p.startsWith(`${o.path}/`)))
    .sort(byText);
  const files: string[] = [];
  for (const top of tops) listCodeFiles(root, top, files);
  const out: Record<string, string[]> = {};
  for (const file of files.sort(byText)) {
    if (NOT_OWN_WORDS.some((re) => re.test(file))) continue;
    const owner = owners.find((m) => file.startsWith(`${m.path}/`));
    if (owner) (out[owner.name] ??= []).push(file);
  }
  return out;
}

interface ModuleTerms {
  readonly files: number;
  /** term → how many of the module's files use it. */
  readonly terms: Readonly<Record<string, number>>;
}

interface CacheData {
  readonly key: string;
  /** Per module, the stamp of the files its terms in `index` were read from. */
  readonly stamps: Readonly<Record<string, string>>;
  readonly index: SourceIndex;
}

/**
 * How many of a module's files use each term. A count of files, not of occurrences: a word repeated
 * through one file (`request` in a request parser) is one piece of evidence.
 */
function readModuleTerms(root: string, files: readonly string[], lexicon: Lexicon): ModuleTerms {
  const counts = new Map<string, number>();
  const seen = new Set<string>();
  for (const file of files) {
    seen.clear();
    let text: string;
    try {
      text = readFileSync(join(root, file), 'utf8');
    } catch (error) {
      // Removed after it was stamped: its words are gone, and the next stamp will differ.
      if (isMissing(error)) continue;
      throw error;
    }
    collectTerms(getSourceWords(file, text), lexicon, seen);
    for (const term of seen) counts.set(term, (counts.get(term) ?? 0) + 1);
  }
  return { files: files.length, terms: Object.fromEntries(counts) };
}

/** The counts of some modules, taken back out of an index: a cached module is never read again. */
function getIndexedTerms(index: SourceIndex, wanted: ReadonlySet<string>): Map<string, ModuleTerms> {
  const out = new Map<string, { files: number; terms: Record<string, number> }>();
  index.modules.forEach((name, i) => {
    if (wanted.has(name)) out.set(name, { files: index.files[i] ?? 0, terms: {} });
  });
  const byPosition = index.modules.map((name) => out.get(name));
  for (const [term, list] of Object.entries(index.terms))
    for (let i = 0; i < list.length; i += 2) {
      const entry = byPosition[list[i] as number];
      if (entry) entry.terms[term] = list[i + 1] as number;
    }
  return out;
}

/** What a lexicon makes of words: its stop words and synonym phrases, in a stable order. */
function getLexiconKey(lexicon: Lexicon): string {
  return JSON.stringify([[...lexicon.stopwords].sort(byText), [...lexicon.phrases].sort(([a], [b]) => byText(a, b))]);
}

function readCache(file: string, key: string): CacheData | undefined {
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as Partial<CacheData>;
    if (data.key === key && data.stamps && data.index && Array.isArray(data.index.modules)) return data as CacheData;
  } catch {
    // Missing or unreadable: every module is read again.
  }
  return undefined;
}

/**
 * Each file with its path, size and modification time, the stamp a cached module is checked against. A file
 * removed since the folders were listed (another process editing the tree) is left out, not an error.
 */
export function getFileStamps(root: string, files: readonly string[]): { file: string; stamp: string }[] {
  return files.flatMap((file) => {
    try {
      const s = statSync(join(root, file));
      return [{ file, stamp: `${file}\0${s.size}\0${s.mtimeMs}` }];
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
  });
}

export interface ReadSourcesOptions {
  /** The cache file; false reads every file and writes nothing. Default `<root>/node_modules/.cache/plumego/route-source.json`. */
  readonly cacheFile?: string | false;
}

/**
 * The code of every module as a routing source index (see SourceIndex). Deterministic: the same files
 * and lexicon give the same index, cached or not.
 */
export function readModuleSources(
  root: string,
  modules: readonly Pick<Module, 'name' | 'path'>[],
  lexicon: Lexicon,
  options: ReadSourcesOptions = {},
): SourceIndex {
  const cacheFile = options.cacheFile ?? join(root, ROUTE_SOURCE_CACHE.path);
  const key = cacheKey(ROUTE_SOURCE_CACHE, [getLexiconKey(lexicon)]);
  const cache = cacheFile === false ? undefined : readCache(cacheFile, key);
  const stamps: Record<string, string> = {};
  const lists: Record<string, string[]> = {};
  for (const [name, listed] of Object.entries(listModuleFiles(root, modules))) {
    const stamped = getFileStamps(root, listed);
    lists[name] = stamped.map((s) => s.file);
    stamps[name] = cacheKey(
      ROUTE_SOURCE_CACHE,
      stamped.map((s) => s.stamp),
    );
  }
  const names = Object.keys(stamps);
  const unchanged = new Set(names.filter((name) => cache?.stamps[name] === stamps[name]));
  if (cache && unchanged.size === names.length && Object.keys(cache.stamps).length === names.length) return cache.index;
  const kept = cache ? getIndexedTerms(cache.index, unchanged) : new Map<string, ModuleTerms>();
  const byModule: Record<string, ModuleTerms> = {};
  for (const name of names) byModule[name] = kept.get(name) ?? readModuleTerms(root, lists[name] ?? [], lexicon);
  const index = toSourceIndex(byModule);
  if (cacheFile !== false) writeCacheFile(cacheFile, JSON.stringify({ key, stamps, index } satisfies CacheData));
  return index;
}

/** Per-module counts → the inverted, compact form the routing plane and the docs site carry. */
export function toSourceIndex(byModule: Readonly<Record<string, ModuleTerms>>): SourceIndex {
  const names = Object.keys(byModule).sort(byText);
  const terms = new Map<string, number[]>();
  names.forEach((name, i) => {
    for (const [term, count] of Object.entries(byModule[name]!.terms)) {
      const list = terms.get(term);
      if (list) list.push(i, count);
      else terms.set(term, [i, count]);
    }
  });
  return {
    modules: names,
    files: names.map((name) => byModule[name]!.files),
    terms: Object.fromEntries([...terms].sort(([a], [b]) => byText(a, b))),
  };
}

const withSources = new WeakMap<object, WeakMap<Lexicon, RoutingPlane>>();

/**
 * The plane with its modules' code terms attached, when it comes from a repository (has a `root`) and
 * has none yet. The same plane and lexicon always give the same object, so the routing index is cached too.
 */
export function attachModuleSources<P extends RoutingPlane>(
  plane: P,
  lexicon: Lexicon,
  options: ReadSourcesOptions = {},
): P & Pick<RoutingPlane, 'sources'> {
  const root = (plane as { root?: unknown }).root;
  if (plane.sources !== undefined || typeof root !== 'string') return plane;
  let byLexicon = withSources.get(plane);
  if (!byLexicon) withSources.set(plane, (byLexicon = new WeakMap()));
  let attached = byLexicon.get(lexicon);
  if (!attached)
    byLexicon.set(
      lexicon,
      (attached = { ...plane, sources: readModuleSources(root, plane.modules, lexicon, options) }),
    );
  return attached as P & Pick<RoutingPlane, 'sources'>;
}
