import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeadlineList, type DeadlineEntry } from './deadline-list.ts';
import { PUBSUB_ERROR_CODES, PubSubError } from './errors.ts';

class Waiter implements DeadlineEntry<Waiter> {
  prev: Waiter | undefined = undefined;
  next: Waiter | undefined = undefined;
  open = true;
  failed: unknown = undefined;
  constructor(
    readonly list: DeadlineList<Waiter>,
    readonly deadline: number,
  ) {}
  settle(): boolean {
    if (!this.open) return false;
    this.open = false;
    this.list.remove(this);
    return true;
  }
  reject(error: unknown): void {
    this.failed = error;
  }
}

const expired = (): PubSubError => new PubSubError(PUBSUB_ERROR_CODES.publishFailed, 'too late');

describe('DeadlineList', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fails each waiter at its own deadline, oldest first, with one timer re-armed for the next', () => {
    const list = new DeadlineList<Waiter>(expired);
    const now = performance.now();
    const a = new Waiter(list, now + 10);
    const b = new Waiter(list, now + 30);
    list.add(a);
    list.add(b);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(10);
    expect(a.failed).toBeInstanceOf(PubSubError);
    expect(b.failed).toBeUndefined();
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(20);
    expect((b.failed as PubSubError).code).toBe(PUBSUB_ERROR_CODES.publishFailed);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('never fails a waiter settled in time, whether it was the head, the middle or the tail', () => {
    const list = new DeadlineList<Waiter>(expired);
    const now = performance.now();
    const ws = [10, 20, 30, 40].map((ms) => new Waiter(list, now + ms));
    for (const w of ws) list.add(w);
    expect(ws[0]!.settle()).toBe(true);
    expect(ws[2]!.settle()).toBe(true);
    expect(ws[3]!.settle()).toBe(true);
    expect(ws[3]!.settle()).toBe(false);
    vi.advanceTimersByTime(50);
    expect(ws.map((w) => w.failed !== undefined)).toEqual([false, true, false, false]);
    // Emptied, a later waiter arms a fresh timer.
    const late = new Waiter(list, performance.now() + 5);
    list.add(late);
    vi.advanceTimersByTime(5);
    expect(late.failed).toBeInstanceOf(PubSubError);
  });

  it('failAll fails every open waiter with the given error and stops the timer', () => {
    const list = new DeadlineList<Waiter>(expired);
    const now = performance.now();
    const a = new Waiter(list, now + 10);
    const b = new Waiter(list, now + 20);
    list.add(a);
    list.add(b);
    const closed = new PubSubError(PUBSUB_ERROR_CODES.closed, 'closed');
    list.failAll(() => closed);
    expect([a.failed, b.failed]).toEqual([closed, closed]);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(100);
    expect(a.failed).toBe(closed);
  });
});
