/**
 * Where extraction (dependency-cruiser's cruise, with the syntax errors of its parses) runs. In-thread by default;
 * the CLI starts a worker thread before it reads the specs, so loading dependency-cruiser and
 * TypeScript (about a second of module loading) happens on the second core while the main thread
 * reads specs, stats files and reads the graph cache. On a one-file change that is most of the run.
 */
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { ICruiseOptions } from 'dependency-cruiser';
import { cruiseFiles, type CruisedModule, type ParseProblem } from './extract-core.mjs';

export interface ExtractRequest {
  readonly files: readonly string[];
  readonly cruiseOptions: ICruiseOptions & { readonly baseDir: string };
  readonly tsConfigFile: string | undefined;
}

export interface ExtractResult {
  readonly modules: readonly CruisedModule[];
  readonly problems: readonly (readonly [string, ParseProblem])[];
  /** Files whose parse by dependency-cruiser was not seen, so they were parsed again. */
  readonly reparsed: number;
}

export interface Extractor {
  extract(request: ExtractRequest): Promise<ExtractResult>;
  close(): Promise<void>;
}

/** dependency-cruiser failed on the input (not the worker): the same failure would happen in-thread. */
export class ExtractionError extends Error {
  constructor(
    message: string,
    readonly tsconfig: boolean,
  ) {
    super(message);
    this.name = 'ExtractionError';
  }
}

export const IN_THREAD_EXTRACTOR: Extractor = {
  async extract(request) {
    try {
      return await cruiseFiles(request.files, request.cruiseOptions, request.tsConfigFile);
    } catch (error) {
      throw new ExtractionError((error as Error).message, (error as { tsconfig?: boolean }).tsconfig === true);
    }
  },
  async close() {},
};

interface Reply {
  readonly id: number;
  readonly modules?: CruisedModule[];
  readonly problems?: [string, ParseProblem][];
  readonly reparsed?: number;
  readonly error?: { readonly message: string; readonly tsconfig: boolean };
}

const WORKER_URL = new URL('./extract-worker.mjs', import.meta.url);

/**
 * Ambiguous `.js` files (TypeScript's 9 MB compiler is one) are compiled twice by Node 20's module
 * format detection; the worker only loads packages that declare their format, so it can skip it.
 */
const WORKER_EXEC_ARGV = ['--no-experimental-detect-module'];

/**
 * An extractor on a worker thread. With `preload` the worker loads dependency-cruiser and TypeScript
 * at once (and reads `root`'s tsconfig.json). The worker never keeps the process alive while it has nothing to do; a crashed worker
 * rejects with a plain Error (callers fall back to in-thread), a failed extraction with ExtractionError.
 */
export function startWorkerExtractor(options: { preload: boolean; root?: string }): Extractor {
  const tsConfigFile =
    options.root && existsSync(`${options.root}/tsconfig.json`) ? `${options.root}/tsconfig.json` : undefined;
  const workerData = { preload: options.preload, tsConfigFile };
  let worker: Worker;
  try {
    worker = new Worker(WORKER_URL, { workerData, execArgv: WORKER_EXEC_ARGV });
  } catch {
    worker = new Worker(WORKER_URL, { workerData });
  }
  worker.unref();
  const pending = new Map<number, { resolve: (reply: Reply) => void; reject: (error: Error) => void }>();
  let broken: Error | undefined;
  let nextId = 0;
  const failAll = (error: Error): void => {
    broken ??= error;
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };
  worker.on('message', (reply: Reply) => {
    const waiting = pending.get(reply.id);
    pending.delete(reply.id);
    if (pending.size === 0) worker.unref();
    if (!waiting) return;
    if (reply.error) waiting.reject(new ExtractionError(reply.error.message, reply.error.tsconfig));
    else waiting.resolve(reply);
  });
  worker.on('error', (error) => failAll(error));
  worker.on('exit', (code) => failAll(new Error(`extraction worker exited with code ${code}`)));
  const request = (message: Record<string, unknown>): Promise<Reply> => {
    if (broken) return Promise.reject(broken);
    const id = nextId++;
    return new Promise<Reply>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ ...message, id });
    });
  };
  return {
    async extract(r) {
      const reply = await request({ files: r.files, cruiseOptions: r.cruiseOptions, tsConfigFile: r.tsConfigFile });
      return { modules: reply.modules ?? [], problems: reply.problems ?? [], reparsed: reply.reparsed ?? 0 };
    },
    async close() {
      broken ??= new Error('extraction worker closed');
      await worker.terminate();
    },
  };
}
