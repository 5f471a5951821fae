/**
 * Syntax errors of many files, checked on a worker thread while dependency-cruiser cruises: the
 * second parse then costs CPU on a spare core instead of wall-clock time. Small sets are checked by
 * the extractor together with the cruise, where TypeScript is already loaded.
 */
import { availableParallelism } from 'node:os';
import type { ParseProblem } from './extract-core.mjs';
import { IN_THREAD_EXTRACTOR, startWorkerExtractor } from './extractor.ts';

/** Below this many files a worker's start-up (loading TypeScript again) costs more than it saves. */
export const SYNTAX_WORKER_MIN_FILES = 200;

export type SyntaxProblems = ReadonlyMap<string, ParseProblem>;

/** Starts checking; await the result after the cruise. */
export function startSyntaxCheck(root: string, files: readonly string[]): () => Promise<SyntaxProblems> {
  // With one core a worker only adds its own TypeScript load to the same queue.
  if (files.length < SYNTAX_WORKER_MIN_FILES || availableParallelism() < 2) return async () => new Map(await IN_THREAD_EXTRACTOR.syntax(root, files));
  const worker = startWorkerExtractor({ preload: false });
  // A worker failure must not hide the graph: fall back to parsing in-thread.
  const result = worker.syntax(root, files).catch(() => IN_THREAD_EXTRACTOR.syntax(root, files)).finally(() => void worker.close());
  return async () => new Map(await result);
}
