import { closeSync, openSync, writeSync } from 'node:fs';
import { LoggerOptionsError } from './create-logger.ts';
import type { LogOutput } from './sink.ts';

export interface FileOutputOptions {
  /** `open` flags when a path is given. Default `'a'` (append, create). */
  flags?: string;
  /**
   * How long, in total, one `write` may wait on a full non-blocking pipe (EAGAIN) before it drops
   * the rest of the chunk. Default 1000 ms. Regular files and /dev/null never wait.
   */
  maxBlockMs?: number;
  /** Told about each failed write (the logger itself never throws). Default: ignore. */
  onError?: (err: Error) => void;
}

interface ResolvedFileOutputOptions {
  readonly flags: string;
  readonly maxBlockMs: number;
  readonly onError: (err: Error) => void;
}

const DEFAULT_FILE_OUTPUT_OPTIONS: ResolvedFileOutputOptions = Object.freeze({
  flags: 'a',
  maxBlockMs: 1000,
  onError: () => {},
});

function resolveFileOutputOptions(options: FileOutputOptions = {}): ResolvedFileOutputOptions {
  const maxBlockMs = options.maxBlockMs ?? DEFAULT_FILE_OUTPUT_OPTIONS.maxBlockMs;
  if (!(maxBlockMs >= 0 && Number.isFinite(maxBlockMs)))
    throw new LoggerOptionsError('maxBlockMs must be a non-negative number');
  if (options.onError !== undefined && typeof options.onError !== 'function')
    throw new LoggerOptionsError('onError must be a function');
  return {
    flags: options.flags ?? DEFAULT_FILE_OUTPUT_OPTIONS.flags,
    maxBlockMs,
    onError: options.onError ?? DEFAULT_FILE_OUTPUT_OPTIONS.onError,
  };
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * A log destination that writes each chunk to a file descriptor synchronously. Paired with the
 * logger's batching (`LineSink`), that is one `write(2)` per batch with no stream machinery, no
 * thread-pool round trip and no string-to-Buffer copy in JS — and nothing is ever pending here,
 * so the batch flushed on `exit` or on `App.shutdown()` is on disk before the process ends (an
 * `fs.WriteStream` queues the write and can lose it). Partial writes are continued; a full
 * non-blocking pipe (EAGAIN) is retried for up to `maxBlockMs`, then the rest of the chunk is
 * dropped and reported. Use it for files (and /dev/null); a terminal or pipe is better served by
 * `process.stdout`.
 */
export class FileOutput implements LogOutput {
  #fd: number;
  readonly #ownsFd: boolean;
  readonly #opts: ResolvedFileOutputOptions;
  #dropped = 0;

  /** Prefer `createFileOutput`. `ownsFd`: whether `close()` closes `fd`. */
  constructor(fd: number, ownsFd: boolean, options: FileOutputOptions = {}) {
    if (!Number.isInteger(fd) || fd < 0) throw new LoggerOptionsError('a descriptor must be a non-negative integer');
    this.#fd = fd;
    this.#ownsFd = ownsFd;
    this.#opts = resolveFileOutputOptions(options);
  }

  /** Bytes dropped after EAGAIN timeouts, write errors or writes after `close()`. */
  get droppedBytes(): number {
    return this.#dropped;
  }

  /** The descriptor, or -1 after `close()`. */
  get fd(): number {
    return this.#fd;
  }

  /** Writes `chunk` now; false when (part of) it was dropped. Never throws. */
  write(chunk: string): boolean {
    if (chunk.length === 0) return true;
    if (this.#fd < 0) {
      this.#drop(Buffer.byteLength(chunk), new Error('log: write after close'));
      return false;
    }
    let written: number;
    try {
      written = writeSync(this.#fd, chunk);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') {
        this.#drop(Buffer.byteLength(chunk), err as Error);
        return false;
      }
      written = 0;
    }
    const total = Buffer.byteLength(chunk);
    return written >= total ? true : this.#writeRest(Buffer.from(chunk).subarray(written));
  }

  /** Closes the descriptor if this output opened it. Later writes are dropped. */
  close(): void {
    const fd = this.#fd;
    if (fd < 0) return;
    this.#fd = -1;
    if (!this.#ownsFd) return;
    try {
      closeSync(fd);
    } catch (err) {
      this.#opts.onError(err as Error);
    }
  }

  #writeRest(rest: Buffer): boolean {
    const deadline = performance.now() + this.#opts.maxBlockMs;
    let waitMs = 1;
    let blocked: Error | undefined;
    while (rest.length > 0) {
      let n = 0;
      try {
        n = writeSync(this.#fd, rest);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') {
          this.#drop(rest.length, err as Error);
          return false;
        }
        blocked = err as Error;
      }
      if (n > 0) {
        rest = rest.subarray(n);
        waitMs = 1;
        continue;
      }
      const left = deadline - performance.now();
      if (left <= 0) {
        // The EAGAIN error itself is what gets reported: its code says what happened.
        this.#drop(rest.length, blocked ?? new Error('log: the output accepted no bytes'));
        return false;
      }
      // The reader is behind: wait a little (the event loop is blocked anyway: this is a sync write).
      Atomics.wait(pause, 0, 0, Math.min(waitMs, left));
      waitMs = Math.min(waitMs * 2, 50);
    }
    return true;
  }

  #drop(bytes: number, err: Error): void {
    this.#dropped += bytes;
    try {
      this.#opts.onError(err);
    } catch {
      // A failing error hook must not turn a log write into a crash.
    }
  }
}

/**
 * Opens `destination` (a path, opened with `flags`, or an already open descriptor, which is then
 * not closed by `close()`) as a synchronous log output. Bad options and an unopenable path throw
 * here, never on a write.
 */
export function createFileOutput(destination: string | number, options: FileOutputOptions = {}): FileOutput {
  if (typeof destination === 'number') return new FileOutput(destination, false, options);
  if (typeof destination !== 'string' || destination === '')
    throw new LoggerOptionsError('a file output needs a path or a descriptor');
  const opts = resolveFileOutputOptions(options);
  return new FileOutput(openSync(destination, opts.flags), true, opts);
}
