/** Where formatted lines go: anything with a `write(string)` (a stream, a test array adapter). */
export interface LogOutput {
  write(chunk: string): unknown;
}

const live = new Set<LineSink>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Only synchronous outputs finish a write during 'exit': `process.stdout` on files and pipes,
  // and `createFileOutput`. An `fs.WriteStream` queues the write and loses it.
  process.once('exit', flushLogSinks);
}

/**
 * Writes every buffered logger's pending lines now. `App.shutdown()` calls it once the server has
 * drained, so the last access-log lines are not left waiting for the interval timer.
 */
export function flushLogSinks(): void {
  for (const sink of live) sink.flush();
}

/**
 * Batches lines and writes them together: at most once per `flushIntervalMs`, sooner when 16 KiB are
 * pending, and on process exit. Each `write` to a file or pipe costs a system call and, for files,
 * a thread-pool round trip, so a busy access log must not write once per request (or even once per
 * event-loop turn, which under load is every few requests). `flushIntervalMs` 0 writes each line
 * immediately. `flush()` writes what is pending now.
 */
export class LineSink {
  readonly #out: LogOutput;
  readonly #intervalMs: number;
  #pending: string[] = [];
  #pendingBytes = 0;
  #timer: NodeJS.Timeout | undefined = undefined;
  readonly #flushNow = (): void => this.flush();

  constructor(out: LogOutput, flushIntervalMs: number) {
    this.#out = out;
    this.#intervalMs = flushIntervalMs;
    if (flushIntervalMs > 0) {
      live.add(this);
      installExitHook();
    }
  }

  get buffered(): boolean {
    return this.#intervalMs > 0;
  }

  push(line: string): void {
    if (this.#intervalMs <= 0) {
      this.#write(line);
      return;
    }
    this.#pending.push(line);
    this.#pendingBytes += line.length;
    if (this.#pendingBytes >= 16_384) {
      this.flush();
      return;
    }
    if (this.#timer === undefined) {
      this.#timer = setTimeout(this.#flushNow, this.#intervalMs);
      this.#timer.unref();
    }
  }

  flush(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#pending.length === 0) return;
    const chunk = this.#pending.length === 1 ? this.#pending[0]! : this.#pending.join('');
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#write(chunk);
  }

  #write(chunk: string): void {
    try {
      this.#out.write(chunk);
    } catch {
      // A logger must never take the process down (closed pipe, full disk).
    }
  }
}
