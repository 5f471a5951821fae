import { PUBSUB_ERROR_CODES, PubSubError } from './errors.ts';

/**
 * A bounded local buffer with a concurrency limit, for backends that push messages at the client
 * with no flow control of their own (MQTT). When full it drops the oldest waiting item and says so.
 */
export class BoundedRunner<T> {
  private readonly queue: T[] = [];
  private active = 0;
  private stopped = false;

  constructor(
    private readonly capacity: number,
    private readonly concurrency: number,
    private readonly run: (item: T) => Promise<void> | void,
    private readonly onDrop: (item: T, error: PubSubError) => void,
  ) {}

  /** Items waiting for a free slot. */
  get size(): number {
    return this.queue.length;
  }

  offer(item: T): void {
    if (this.stopped) return;
    if (this.queue.length >= this.capacity) {
      this.onDrop(
        this.queue.shift()!,
        new PubSubError(PUBSUB_ERROR_CODES.bufferFull, 'subscriber buffer full: the oldest message was dropped'),
      );
    }
    this.queue.push(item);
    this.pump();
  }

  /** Retries are not bounded: dropping one would lose a message this subscriber already took. */
  force(item: T): void {
    if (this.stopped) return;
    this.queue.push(item);
    this.pump();
  }

  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
  }

  private pump(): void {
    while (!this.stopped && this.active < this.concurrency && this.queue.length > 0) {
      const item = this.queue.shift()!;
      this.active++;
      void Promise.resolve()
        .then(() => this.run(item))
        .catch(() => {})
        .finally(() => {
          this.active--;
          this.pump();
        });
    }
  }
}
