/**
 * A cache of parsed and schema-validated YAML, keyed by each file's content hash. Parsing with
 * positions and compiling the JSON Schemas cost more than half a second per command on a
 * 40-module repository; with the cache an unchanged file costs a read and a hash. Only what passed
 * is cached: a file with a syntax or schema error is parsed and validated again every time, so its
 * messages (file, line, column) are always produced by the real parser and validator.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { CACHES, cacheKey, hashText, writeCacheFile } from '../cache/index.ts';

export const DEFAULT_SPEC_CACHE_FILE = CACHES.specs.path;

interface Entry {
  readonly hash: string;
  readonly data: unknown;
  /** Schema kinds the data passed. */
  readonly valid: string[];
}

interface CacheData {
  readonly format: number;
  readonly toolKey: string;
  readonly entries: Record<string, Entry>;
}

export interface SpecCache {
  /** The parsed data of `file` when its `text` is what was cached. */
  lookup(file: string, text: string): { readonly data: unknown } | undefined;
  remember(file: string, text: string, data: unknown): void;
  isValid(file: string, kind: string): boolean;
  markValid(file: string, kind: string): void;
  /**
   * Writes the cache. `prune` drops entries of files not seen since opening (the loader reads
   * every spec file, so what it did not read is gone); a reader of one file keeps the rest. Called
   * when reading ends, before any tool holds the data, so what is written is what was parsed.
   */
  save(prune: boolean): void;
}

/** What the cached data depends on besides the files: the schemas and the versions of the YAML parser and the validator. */
function getToolKey(schemaDir: string): string {
  const require = createRequire(import.meta.url);
  const versions = ['yaml', 'ajv'].map(
    (pkg) => `${pkg}@${(require(`${pkg}/package.json`) as { version: string }).version}`,
  );
  const schemas = readdirSync(schemaDir)
    .sort()
    .flatMap((name) => [name, readFileSync(`${schemaDir}/${name}`)]);
  return cacheKey(CACHES.specs, [...versions, ...schemas]);
}

const SCHEMA_DIR = fileURLToPath(new URL('../../specs/schemas/', import.meta.url));

/** A cache that remembers nothing, for `--no-cache` and tests. */
export const NO_SPEC_CACHE: SpecCache = {
  lookup: () => undefined,
  remember: () => undefined,
  isValid: () => false,
  markValid: () => undefined,
  save: () => undefined,
};

export function openSpecCache(path: string, schemaDir: string = SCHEMA_DIR): SpecCache {
  const toolKey = getToolKey(schemaDir);
  let previous: Record<string, Entry> = {};
  try {
    const data = JSON.parse(readFileSync(path, 'utf8')) as CacheData;
    if (
      data.format === CACHES.specs.format &&
      data.toolKey === toolKey &&
      data.entries &&
      typeof data.entries === 'object'
    )
      previous = data.entries;
  } catch {
    // Missing or unreadable: start empty.
  }
  const current = new Map<string, { hash: string; data: unknown; valid: Set<string> }>();
  let changed = false;
  return {
    lookup(file, text) {
      const entry = previous[file];
      const hash = hashText(text);
      if (!entry || entry.hash !== hash) return undefined;
      current.set(file, { hash, data: entry.data, valid: new Set(entry.valid) });
      return { data: entry.data };
    },
    remember(file, text, data) {
      current.set(file, { hash: hashText(text), data, valid: new Set() });
      changed = true;
    },
    isValid(file, kind) {
      return current.get(file)?.valid.has(kind) ?? false;
    },
    markValid(file, kind) {
      const entry = current.get(file);
      if (entry && !entry.valid.has(kind)) {
        entry.valid.add(kind);
        changed = true;
      }
    },
    save(prune) {
      const dropped = prune && Object.keys(previous).some((file) => !current.has(file));
      if (!changed && !dropped) return;
      const entries: Record<string, Entry> = prune ? {} : { ...previous };
      for (const [file, e] of current) entries[file] = { hash: e.hash, data: e.data, valid: [...e.valid].sort() };
      writeCacheFile(path, JSON.stringify({ format: CACHES.specs.format, toolKey, entries } satisfies CacheData));
    },
  };
}
