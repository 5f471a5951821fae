/** An entry in a `DeadlineQueue`; `fire` runs at most once, and only if not cancelled first. */
export abstract class DeadlineEntry {
  deadline = 0;
  prev: DeadlineEntry | undefined = undefined;
  next: DeadlineEntry | undefined = undefined;
  queued = false;
  abstract fire(): void;
}

/**
 * Deadlines that all share one duration, so insertion order is deadline order: a doubly linked
 * FIFO with O(1) add and cancel, and one shared, unref'd timer armed for the head. This replaces a
 * `setTimeout` per request.
 */
export class DeadlineQueue {
  #head: DeadlineEntry | undefined = undefined;
  #tail: DeadlineEntry | undefined = undefined;
  #timer: NodeJS.Timeout | undefined = undefined;
  readonly #tick = (): void => this.#run();

  constructor(private readonly durationMs: number) {}

  add(entry: DeadlineEntry): void {
    entry.deadline = performance.now() + this.durationMs;
    entry.queued = true;
    entry.prev = this.#tail;
    entry.next = undefined;
    if (this.#tail !== undefined) this.#tail.next = entry;
    else this.#head = entry;
    this.#tail = entry;
    if (this.#timer === undefined) this.#arm(entry.deadline);
  }

  cancel(entry: DeadlineEntry): void {
    if (!entry.queued) return;
    entry.queued = false;
    if (entry.prev !== undefined) entry.prev.next = entry.next;
    else this.#head = entry.next;
    if (entry.next !== undefined) entry.next.prev = entry.prev;
    else this.#tail = entry.prev;
    entry.prev = entry.next = undefined;
  }

  get size(): number {
    let n = 0;
    for (let e = this.#head; e !== undefined; e = e.next) n++;
    return n;
  }

  #arm(deadline: number): void {
    this.#timer = setTimeout(this.#tick, Math.max(1, Math.ceil(deadline - performance.now())));
    this.#timer.unref();
  }

  #run(): void {
    this.#timer = undefined;
    const now = performance.now();
    while (this.#head !== undefined && this.#head.deadline <= now) {
      const e = this.#head;
      this.cancel(e);
      try {
        e.fire();
      } catch {
        // One failing entry must not stall the others.
      }
    }
    if (this.#head !== undefined) this.#arm(this.#head.deadline);
  }
}
