/**
 * The file graph of a repository: scan, hash, reuse what the cache holds, extract the rest with
 * dependency-cruiser, write the cache back.
 */
import { readFileSync } from 'node:fs';
import { readFileGraph } from './extract-graph.ts';
import {
  DEFAULT_CACHE_FILE,
  getConfigKey,
  hashText,
  planExtraction,
  readGraphCache,
  readStamp,
  writeGraphCache,
} from './graph-cache.ts';
import type { BoundaryStart } from './start-gate.ts';
import type { FileGraph, SourceFile } from './types.ts';

export interface FileGraphOptions {
  /** Use and update the file-level cache. Default: true. */
  readonly cache?: boolean;
  /** Cache file, relative to the root. Default: node_modules/.cache/plumego/boundaries-graph.json. */
  readonly cacheFile?: string;
  /** The directories `files` were listed from, recorded in the cache for mayNeedExtraction(). */
  readonly scanRoots?: readonly string[];
  /** Called with the records reused from the cache, before the rest is extracted. */
  readonly onReuse?: (files: readonly SourceFile[]) => void;
  /** The early start (startBoundaryGate): its worker extracts, and what it read of the cache is not read again. */
  readonly start?: Pick<BoundaryStart, 'extractor' | 'graphCache'>;
}

export interface FileGraphStats {
  readonly files: number;
  readonly extracted: number;
  readonly reused: number;
}

/** The graph of `files` (repo-relative, sorted) under `root`. */
export async function buildFileGraph(
  root: string,
  packageName: string,
  files: readonly string[],
  options: FileGraphOptions = {},
): Promise<{ graph: FileGraph; stats: FileGraphStats }> {
  if (options.cache === false) {
    const extracted = await readFileGraph(files, { root, packageName }, files, options.start?.extractor);
    return { graph: { files: extracted }, stats: { files: files.length, extracted: files.length, reused: 0 } };
  }
  const cacheFile = options.cacheFile ?? DEFAULT_CACHE_FILE;
  const cachePath = `${root}/${cacheFile}`;
  const configKey = getConfigKey(root, packageName);
  const peeked = options.start?.graphCache?.cacheFile === cacheFile ? options.start.graphCache : undefined;
  const cached = readGraphCache(cachePath, configKey, peeked);
  const hashes = new Map<string, string>();
  const stamps = new Map<string, string>();
  for (const file of files) {
    const stamp = peeked?.stamps.get(file) ?? readStamp(`${root}/${file}`);
    try {
      if (!stamp) throw new Error('unreadable');
      const record = cached.get(file);
      stamps.set(file, stamp);
      hashes.set(file, record?.stamp === stamp ? record.hash : hashText(readFileSync(`${root}/${file}`)));
    } catch {
      hashes.set(file, 'unreadable');
    }
  }
  const plan = planExtraction(hashes, cached);
  const extraction = readFileGraph(plan.extract, { root, packageName }, files, options.start?.extractor);
  const reused = plan.reuse.map(stripHash);
  try {
    options.onReuse?.(reused);
  } catch (error) {
    extraction.catch(() => undefined);
    throw error;
  }
  const fresh = await extraction;
  const byFile = new Map<string, SourceFile>([
    ...reused.map((r) => [r.file, r] as const),
    ...fresh.map((f) => [f.file, f] as const),
  ]);
  const merged = files.map((file) => byFile.get(file)!);
  const restamped = files.some((f) => cached.get(f)?.stamp !== stamps.get(f));
  if (plan.extract.length > 0 || cached.size !== files.length || restamped) {
    writeGraphCache(
      cachePath,
      configKey,
      merged.map((f) => {
        const stamp = stamps.get(f.file);
        return { ...f, hash: hashes.get(f.file)!, ...(stamp ? { stamp } : {}) };
      }),
      options.scanRoots ?? [],
    );
  }
  return {
    graph: { files: merged },
    stats: { files: files.length, extracted: plan.extract.length, reused: plan.reuse.length },
  };
}

function stripHash(f: SourceFile & { hash?: string; stamp?: string }): SourceFile {
  const { hash: _hash, stamp: _stamp, ...rest } = f;
  return rest;
}
