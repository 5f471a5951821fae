/** Where formatted lines go: anything with a `write(string)` (a stream, a test array adapter). */
export interface LogOutput {
  write(chunk: string): unknown;
}

/**
 * Buffers lines and writes them once per event-loop turn, so a burst of access-log lines costs one
 * `write` syscall instead of one per request. `flush()` writes synchronously what is pending; it
 * also runs on `process` `beforeExit`/`exit` for sinks created with `flushOnExit`.
 */
export class LineSink {
  readonly #out: LogOutput;
  #pending: string[] = [];
  #pendingBytes = 0;
  #scheduled = false;
  readonly #flushNow = (): void => this.flush();

  constructor(out: LogOutput, buffered: boolean) {
    this.#out = out;
    this.buffered = buffered;
  }
  readonly buffered: boolean;

  push(line: string): void {
    if (!this.buffered) {
      this.#out.write(line);
      return;
    }
    this.#pending.push(line);
    this.#pendingBytes += line.length;
    // A long synchronous burst (no event-loop turn) must not hold an unbounded batch.
    if (this.#pendingBytes >= 65_536) {
      this.flush();
      return;
    }
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#flushNow).unref?.();
    }
  }

  flush(): void {
    this.#scheduled = false;
    if (this.#pending.length === 0) return;
    const chunk = this.#pending.length === 1 ? this.#pending[0]! : this.#pending.join('');
    this.#pending = [];
    this.#pendingBytes = 0;
    try {
      this.#out.write(chunk);
    } catch {
      // A logger must never take the process down (closed pipe, full disk).
    }
  }
}
