import type { PubSubError } from './errors.ts';

/** A waiter that a DeadlineList links in: it fails with the list's error once its deadline passes. */
export interface DeadlineEntry<E> {
  prev: E | undefined;
  next: E | undefined;
  readonly deadline: number;
  /** Marks it settled and unlinks it; false when it was settled already (the deadline and the answer race). */
  settle(): boolean;
  reject(error: unknown): void;
}

/**
 * Waiters oldest first (every one waits the same time, so deadlines only grow towards the tail) under one
 * timer, armed for the oldest deadline. A waiter answered in time is unlinked without touching the timer;
 * when it fires it fails what is due and re-arms for the next one, if any. One timer instead of one per
 * publish: a timer per message was a measurable share of a publish-ack loop.
 */
export class DeadlineList<E extends DeadlineEntry<E>> {
  private head: E | undefined = undefined;
  private tail: E | undefined = undefined;
  private timer: ReturnType<typeof setTimeout> | undefined = undefined;
  constructor(private readonly expired: () => PubSubError) {}

  add(p: E): void {
    p.prev = this.tail;
    if (this.tail === undefined) this.head = p;
    else this.tail.next = p;
    this.tail = p;
    if (this.timer === undefined) this.arm(p.deadline - performance.now());
  }

  remove(p: E): void {
    if (p.prev === undefined) this.head = p.next;
    else p.prev.next = p.next;
    if (p.next === undefined) this.tail = p.prev;
    else p.next.prev = p.prev;
    p.prev = p.next = undefined;
  }

  failAll(error: () => PubSubError): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    for (let p = this.head; p !== undefined; p = this.head) if (p.settle()) p.reject(error());
  }

  private arm(ms: number): void {
    // Timers can fire a little before a performance.now() deadline (the loop's clock is cached): then re-armed.
    this.timer = setTimeout(this.fire, Math.max(1, Math.ceil(ms)));
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    const now = performance.now();
    for (let p = this.head; p !== undefined && p.deadline <= now; p = this.head)
      if (p.settle()) p.reject(this.expired());
    if (this.head !== undefined) this.arm(this.head.deadline - now);
  };
}
