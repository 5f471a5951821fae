/**
 * A cache of parsed and schema-validated YAML, keyed by each file's content hash. Parsing with
 * positions and compiling the JSON Schemas cost more than half a second per command on a
 * 40-module repository; with the cache an unchanged file costs a read and a hash. Only what passed
 * is cached: a file with a syntax or schema error is parsed and validated again every time, so its
 * messages (file, line, column) are always produced by the real parser and validator.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { writeCacheFile } from './write-cache-file.mjs';

/** Bump when the cached record shape or what the loader derives from a file changes. */
const CACHE_FORMAT = 1;

export const DEFAULT_SPEC_CACHE_FILE = 'node_modules/.cache/plumego/specs.json';

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

/** Content hash of a cached file (specs here, sources in the boundary graph cache). */
export function hashText(text: string | Buffer): string {
  return createHash('sha1').update(text).digest('base64url');
}

/** What the cached data depends on besides the files: the schemas, the YAML parser's version and this format. */
function getToolKey(schemaDir: string): string {
  const hash = createHash('sha1').update(`${CACHE_FORMAT}\n`);
  const require = createRequire(import.meta.url);
  for (const pkg of ['yaml', 'ajv']) hash.update(`${pkg}@${(require(`${pkg}/package.json`) as { version: string }).version}\n`);
  for (const name of readdirSync(schemaDir).sort()) hash.update(`${name}\n`).update(readFileSync(`${schemaDir}/${name}`));
  return hash.digest('base64url');
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
    if (data.format === CACHE_FORMAT && data.toolKey === toolKey && data.entries && typeof data.entries === 'object') previous = data.entries;
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
      writeCacheFile(path, JSON.stringify({ format: CACHE_FORMAT, toolKey, entries } satisfies CacheData));
    },
  };
}
