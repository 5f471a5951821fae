/**
 * A content-addressed, file-level cache of the extracted graph. dependency-cruiser's own cache is
 * all-or-nothing: one changed file invalidates the whole cached result, so a one-file edit costs a
 * full cruise. Keyed by each file's content hash (the same principle as its `content` strategy), this
 * cache re-extracts only the files that changed, plus the files whose resolution a change can move.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { CACHES, writeCacheFile } from '../cache/index.ts';
import type { SourceFile } from './types.ts';
import { listPathsWorkspaces } from './workspace-tsconfigs.ts';

export { hashText } from '../cache/index.ts';

/** Bumped in tools/cache/caches.mjs when the cached record shape or the extraction semantics change. */
const CACHE_FORMAT = CACHES.graph.format;

export const DEFAULT_CACHE_FILE = CACHES.graph.path;

/** Files whose content changes how every import resolves: any change drops the whole cache. */
const CONFIG_FILES = [
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'tsconfig.base.json',
  'node_modules/dependency-cruiser/package.json',
];

export interface CachedFile extends SourceFile {
  readonly hash: string;
  /** `mtimeMs:size` when hashed: an unchanged stamp reuses the hash without reading the file (like git's index). */
  readonly stamp?: string;
}

interface CacheData {
  readonly format: number;
  readonly configKey: string;
  /** The directories the files were listed from. */
  readonly roots: readonly string[];
  readonly files: Record<string, CachedFile>;
}

export function getConfigKey(root: string, extra: string): string {
  const hash = createHash('sha1').update(`${CACHES.graph.name}\n${CACHE_FORMAT}\n${extra}\n`);
  for (const file of CONFIG_FILES) {
    try {
      hash.update(`${file}\n`).update(readFileSync(`${root}/${file}`));
    } catch {
      hash.update(`${file} missing\n`);
    }
  }
  // A workspace's own paths mapping resolves its files' imports just as the root tsconfig does.
  for (const dir of listPathsWorkspaces(root)) {
    try {
      hash.update(`${dir}/tsconfig.json\n`).update(readFileSync(`${root}/${dir}/tsconfig.json`));
    } catch {
      hash.update(`${dir}/tsconfig.json missing\n`);
    }
  }
  return hash.digest('base64url');
}

/**
 * The cached records when the cache exists and was written under the same configuration; from
 * `snapshot` (what peekGraphCache read) instead of the file when given.
 */
export function readGraphCache(
  path: string,
  configKey: string,
  snapshot?: Pick<GraphCacheSnapshot, 'data'>,
): ReadonlyMap<string, CachedFile> {
  try {
    const data = snapshot ? snapshot.data : (JSON.parse(readFileSync(path, 'utf8')) as CacheData);
    if (!data || data.format !== CACHE_FORMAT || data.configKey !== configKey) return new Map();
    return new Map(Object.entries(data.files));
  } catch {
    return new Map();
  }
}

export function writeGraphCache(
  path: string,
  configKey: string,
  files: readonly CachedFile[],
  roots: readonly string[],
): void {
  const data: CacheData = {
    format: CACHE_FORMAT,
    configKey,
    roots,
    files: Object.fromEntries(files.map((f) => [f.file, f])),
  };
  writeCacheFile(path, JSON.stringify(data));
}

/** What peekGraphCache read, handed on so the gate does not read and stat the same again. */
export interface GraphCacheSnapshot {
  /** The cache file, relative to the root. */
  readonly cacheFile: string;
  readonly data: CacheData | undefined;
  /** `mtimeMs:size` of the files stat'ed while peeking. */
  readonly stamps: ReadonlyMap<string, string>;
}

/**
 * A quick guess, before the specs are loaded, whether the next check will extract anything: yes
 * when there is no usable cache, a cached file's stamp changed or it is gone, or a new source file
 * appeared under the recorded roots. The CLI starts the extraction worker early when this says
 * yes. A wrong guess costs only speed: a change it misses (a configuration file) is extracted
 * in-thread, and an unneeded worker is stopped.
 */
export function peekGraphCache(
  root: string,
  listFiles: (roots: readonly string[]) => readonly string[],
  cacheFile: string = DEFAULT_CACHE_FILE,
): { needed: boolean; snapshot: GraphCacheSnapshot } {
  const stamps = new Map<string, string>();
  let data: CacheData | undefined;
  try {
    data = JSON.parse(readFileSync(`${root}/${cacheFile}`, 'utf8')) as CacheData;
  } catch {
    // No cache yet.
  }
  const snapshot = { cacheFile, data, stamps };
  if (!data || data.format !== CACHE_FORMAT || !Array.isArray(data.roots) || !data.files)
    return { needed: true, snapshot };
  for (const [file, record] of Object.entries(data.files)) {
    const stamp = readStamp(`${root}/${file}`);
    if (stamp) stamps.set(file, stamp);
    if (record.stamp !== stamp) return { needed: true, snapshot };
  }
  const known = data.files;
  return { needed: listFiles(data.roots).some((file) => !(file in known)), snapshot };
}

/** `mtimeMs:size`, or undefined when the file cannot be stat'ed. */
export function readStamp(path: string): string | undefined {
  try {
    const { mtimeMs, size } = statSync(path);
    return `${mtimeMs}:${size}`;
  } catch {
    return undefined;
  }
}

export interface Plan {
  /** Files to extract again. */
  readonly extract: readonly string[];
  /** Records reused as they are. */
  readonly reuse: readonly CachedFile[];
}

/**
 * Which files need extraction. Besides changed and new files: when files appear or disappear,
 * files with an unresolved import or an import of a removed file are re-extracted too, because
 * their imports may now resolve differently.
 */
export function planExtraction(hashes: ReadonlyMap<string, string>, cached: ReadonlyMap<string, CachedFile>): Plan {
  const removed = new Set([...cached.keys()].filter((f) => !hashes.has(f)));
  const added = [...hashes.keys()].some((f) => !cached.has(f));
  const extract: string[] = [];
  const reuse: CachedFile[] = [];
  for (const [file, hash] of hashes) {
    const record = cached.get(file);
    const stale =
      !record ||
      record.hash !== hash ||
      ((added || removed.size > 0) &&
        record.dependencies.some((d) => d.target === 'unresolved' || (d.target === 'file' && removed.has(d.resolved))));
    if (stale) extract.push(file);
    else reuse.push(record);
  }
  return { extract, reuse };
}
