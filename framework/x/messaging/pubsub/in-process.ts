import { createDispatcher, DEAD_LETTER_HEADERS, type DeliveryOps, type Dispatch } from './dispatch.ts';
import { assertOption, PUBSUB_ERROR_CODES, PubSubError } from './errors.ts';
import {
  createSubscriptionCounters,
  snapshotSubscriptions,
  type BrokerMetrics,
  type MeteredSubscription,
} from './metrics.ts';
import {
  resolveMaxPayload,
  resolveSubscribeOptions,
  toHeaders,
  toPayload,
  type ResolvedSubscribeOptions,
} from './options.ts';
import { assertSubject, compilePattern } from './subject.ts';
import type {
  Broker,
  BrokerCapabilities,
  BrokerOptions,
  Message,
  MessageHandler,
  PublishOptions,
  PublishReceipt,
  SubscribeOptions,
  Subscription,
} from './types.ts';

export interface InProcessBrokerOptions extends BrokerOptions {
  /** Messages kept for replay (`from: all | time`), oldest evicted first. Default 10 000; 0 disables replay history. */
  readonly historySize?: number;
  /** Clock for publish times (replay by time). Default `Date.now`. */
  readonly now?: () => number;
}

const CAPABILITIES: BrokerCapabilities = Object.freeze({
  wildcards: true,
  queueGroups: true,
  brokerRedelivery: true,
  replay: true,
  overflowPolicies: Object.freeze(['block', 'drop-oldest', 'error'] as const),
  // Within the process every published message reaches each matching subscriber until acked; a
  // process exit loses everything, so across a crash nothing is promised.
  delivery: 'at-least-once',
  durable: false,
});

interface Stored {
  readonly message: LocalMessage;
  readonly at: number;
}

const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

/**
 * A published message. Its id is the broker's sequence number, turned into a string only when read:
 * a number-to-string conversion per publish was the largest single cost of a small in-process
 * publish, and most subscribers never look at the id.
 */
class LocalMessage implements Message {
  readonly #seq: number;
  #id: string | undefined = undefined;
  constructor(
    seq: number,
    readonly subject: string,
    readonly data: Uint8Array,
    readonly headers: Message['headers'],
    readonly deliveryCount: number,
  ) {
    this.#seq = seq;
  }
  get id(): string {
    return (this.#id ??= String(this.#seq));
  }
  /** The same message, one delivery later (same id). */
  redelivered(): LocalMessage {
    return new LocalMessage(this.#seq, this.subject, this.data, this.headers, this.deliveryCount + 1);
  }
}

/** What publish resolves to; the id string is made on first read, like the message's. */
class LocalReceipt implements PublishReceipt {
  readonly #message: LocalMessage;
  constructor(message: LocalMessage) {
    this.#message = message;
  }
  get id(): string {
    return this.#message.id;
  }
  toJSON(): PublishReceipt {
    return { id: this.id };
  }
}

/** One subscriber's bounded queue and its drain loop; it also settles its deliveries (no object per delivery). */
class Member implements DeliveryOps {
  private readonly queue: LocalMessage[] = [];
  private head = 0;
  private active = 0;
  private readonly spaceWaiters: Array<() => void> = [];
  private readonly idleWaiters: Array<() => void> = [];
  closed = false;

  constructor(
    readonly target: Target,
    readonly options: ResolvedSubscribeOptions,
    private readonly dispatch: Dispatch,
  ) {}

  get queued(): number {
    return this.queue.length - this.head;
  }
  get full(): boolean {
    return this.queued >= this.options.bufferSize || this.spaceWaiters.length > 0;
  }

  /** Enqueues now, or returns a promise that enqueues in order once there is room (the `block` policy). */
  offer(message: LocalMessage): Promise<void> | undefined {
    // Fast path: an idle subscriber takes the message at once, without touching its queue.
    if (
      this.active < this.options.concurrency &&
      this.head === this.queue.length &&
      !this.closed &&
      this.spaceWaiters.length === 0
    ) {
      this.run(message);
      return undefined;
    }
    if (!this.full) {
      this.push(message);
      return undefined;
    }
    if (this.options.overflow === 'drop-oldest') {
      const dropped = this.queue[this.head]!;
      this.head++;
      this.options.onError(
        new PubSubError(PUBSUB_ERROR_CODES.bufferFull, 'subscriber buffer full: the oldest message was dropped'),
        dropped,
      );
      this.push(message);
      return undefined;
    }
    return new Promise<void>((resolve) =>
      this.spaceWaiters.push(() => {
        this.push(message);
        resolve();
      }),
    );
  }

  /** Redeliveries bypass the bound: refusing them would lose a message the broker already accepted. */
  push(message: LocalMessage): void {
    this.queue.push(message);
    this.drain();
  }

  ack(): void {}

  retry(message: LocalMessage): void {
    this.redeliver(message.redelivered());
  }

  /** A retry goes to the group (this member may have left since). */
  redeliver(message: LocalMessage): void {
    if (!this.closed) this.push(message);
    else if (this.target.members.length > 0) this.target.pick().push(message);
  }

  takeAll(): LocalMessage[] {
    const rest = this.queue.slice(this.head);
    this.queue.length = 0;
    this.head = 0;
    return rest;
  }

  idle(): Promise<void> {
    return this.active === 0 ? Promise.resolve() : new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private drain(): void {
    while (!this.closed && this.active < this.options.concurrency && this.head < this.queue.length) {
      const message = this.queue[this.head]!;
      this.queue[this.head++] = undefined as unknown as LocalMessage;
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue.splice(0, this.head);
        this.head = 0;
      }
      this.run(message);
    }
  }

  private run(message: LocalMessage): void {
    this.active++;
    const pending = this.dispatch(message, this);
    if (pending === undefined) this.done();
    else void pending.then(() => this.done());
  }

  private done(): void {
    this.active--;
    while (this.spaceWaiters.length > 0 && this.queued < this.options.bufferSize) this.spaceWaiters.shift()!();
    if (this.active === 0 && this.idleWaiters.length > 0) this.idleWaiters.splice(0).forEach((w) => w());
    this.drain();
  }
}

/** A subscription target: a lone subscriber, or a queue group whose members share the messages. */
class Target {
  readonly members: Member[] = [];
  /** Whether any member uses overflow 'error' (checked before delivering to anyone). */
  refusesWhenFull = false;
  private next = 0;
  constructor(
    readonly pattern: string,
    readonly group: string | undefined,
    readonly matches: (subject: string) => boolean,
  ) {}

  /** Round robin, preferring a member with room so one slow member does not hold the group back. */
  pick(): Member {
    const n = this.members.length;
    for (let i = 0; i < n; i++) {
      const m = this.members[(this.next + i) % n]!;
      if (!m.full) {
        this.next = (this.next + i + 1) % n;
        return m;
      }
    }
    const m = this.members[this.next % n]!;
    this.next = (this.next + 1) % n;
    return m;
  }
}

/** The default broker: everything in this process, no server. */
export class InProcessBroker implements Broker {
  readonly backend = 'in-process';
  readonly capabilities = CAPABILITIES;
  private readonly maxPayload: number;
  private readonly historySize: number;
  private readonly now: () => number;
  private readonly targets: Target[] = [];
  private readonly route = new Map<string, Target[]>();
  private readonly history: Stored[] = [];
  private historyStart = 0;
  private seq = 0;
  private published = 0;
  private closed = false;
  private readonly metered = new Map<Member, MeteredSubscription>();
  // Subjects already validated: the grammar check is the most expensive part of a small publish.
  private readonly knownSubjects = new Set<string>();
  // The last subject published and its targets: a run of publishes to one subject (the common case)
  // skips both hash lookups. Reset whenever the routing changes.
  private lastSubject: string | undefined = undefined;
  private lastTargets: Target[] | undefined = undefined;

  constructor(options: InProcessBrokerOptions = {}) {
    this.maxPayload = resolveMaxPayload(options);
    this.historySize = options.historySize ?? 10_000;
    assertOption(
      Number.isInteger(this.historySize) && this.historySize >= 0,
      'historySize',
      'must be a non-negative integer',
    );
    this.now = options.now ?? Date.now;
  }

  publish(subject: string, data: Uint8Array | string, options?: PublishOptions): Promise<PublishReceipt> {
    try {
      if (this.closed) throw closedError();
      if (subject !== this.lastSubject && !this.knownSubjects.has(subject)) {
        assertSubject(subject);
        if (this.knownSubjects.size > 10_000) this.knownSubjects.clear();
        this.knownSubjects.add(subject);
      }
      const message = new LocalMessage(
        ++this.seq,
        subject,
        toPayload(data, this.maxPayload),
        options?.headers === undefined ? NO_HEADERS : toHeaders(options.headers),
        1,
      );
      return this.deliver(message, true);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private deliver(message: LocalMessage, counted: boolean): Promise<PublishReceipt> {
    if (this.historySize > 0) {
      // A ring: once full, the oldest slot is overwritten (no shifting per publish).
      const stored = { message, at: this.now() };
      if (this.history.length < this.historySize) this.history.push(stored);
      else {
        this.history[this.historyStart] = stored;
        this.historyStart = (this.historyStart + 1) % this.historySize;
      }
    }
    const targets = this.match(message.subject);
    for (let i = 0; i < targets.length; i++) {
      const t = targets[i]!;
      if (t.refusesWhenFull && t.members.every((m) => m.full && m.options.overflow === 'error')) {
        return Promise.reject(
          new PubSubError(
            PUBSUB_ERROR_CODES.bufferFull,
            'a subscriber buffer is full and its overflow policy is error',
            { pattern: t.pattern },
          ),
        );
      }
    }
    if (counted) this.published++;
    let blocked: Promise<void>[] | undefined;
    for (let i = 0; i < targets.length; i++) {
      const t = targets[i]!;
      const wait = (t.members.length === 1 ? t.members[0]! : t.pick()).offer(message);
      if (wait !== undefined) (blocked ??= []).push(wait);
    }
    const receipt = new LocalReceipt(message);
    return blocked === undefined ? Promise.resolve(receipt) : Promise.all(blocked).then(() => receipt);
  }

  private match(subject: string): Target[] {
    if (subject === this.lastSubject && this.lastTargets !== undefined) return this.lastTargets;
    let hit = this.route.get(subject);
    if (hit === undefined) {
      hit = this.targets.filter((t) => t.matches(subject));
      if (this.route.size > 10_000) this.route.clear();
      this.route.set(subject, hit);
    }
    this.lastSubject = subject;
    this.lastTargets = hit;
    return hit;
  }

  private resetRoutes(): void {
    this.route.clear();
    this.lastTargets = undefined;
  }

  async subscribe(pattern: string, handler: MessageHandler, options: SubscribeOptions = {}): Promise<Subscription> {
    if (this.closed) throw closedError();
    const o = resolveSubscribeOptions(pattern, options, this.capabilities);
    let target =
      o.group === undefined ? undefined : this.targets.find((t) => t.group === o.group && t.pattern === pattern);
    if (target === undefined) {
      target = new Target(pattern, o.group, compilePattern(pattern));
      this.targets.push(target);
    }
    const counters = createSubscriptionCounters();
    const member = new Member(
      target,
      o,
      createDispatcher(handler, o, (s, m, r) => this.publishDeadLetter(s, m, r), true, counters),
    );
    this.metered.set(member, { pattern, group: o.group, counters, depth: () => member.queued });
    target.members.push(member);
    if (o.overflow === 'error') target.refusesWhenFull = true;
    this.resetRoutes();
    this.replay(member, pattern, o);
    const owner = target;
    return {
      pattern,
      unsubscribe: async () => {
        if (member.closed) return;
        member.closed = true;
        this.metered.delete(member);
        owner.members.splice(owner.members.indexOf(member), 1);
        if (owner.members.length === 0) this.targets.splice(this.targets.indexOf(owner), 1);
        this.resetRoutes();
        // Queued messages of a group member belong to the group, not to the member that left.
        const rest = member.takeAll();
        if (owner.members.length > 0) for (const m of rest) owner.pick().push(m);
        await member.idle();
      },
    };
  }

  private replay(member: Member, pattern: string, o: ResolvedSubscribeOptions): void {
    if (o.from.kind === 'new') return;
    const since = o.from.kind === 'time' ? o.from.at.getTime() : -Infinity;
    const matches = compilePattern(pattern);
    const n = this.history.length;
    for (let i = 0; i < n; i++) {
      const s = this.history[(this.historyStart + i) % n]!;
      if (s.at >= since && matches(s.message.subject)) member.push(s.message);
    }
  }

  private publishDeadLetter(subject: string, m: Message, reason: string): Promise<PublishReceipt> {
    return this.publishInternal(subject, m.data, {
      ...m.headers,
      [DEAD_LETTER_HEADERS.subject]: m.subject,
      [DEAD_LETTER_HEADERS.deliveries]: String(m.deliveryCount),
      [DEAD_LETTER_HEADERS.reason]: reason,
    });
  }

  private publishInternal(subject: string, data: Uint8Array, headers: Record<string, string>): Promise<PublishReceipt> {
    if (this.closed) return Promise.reject(closedError());
    return this.deliver(new LocalMessage(++this.seq, subject, data, headers, 1), false);
  }

  async metrics(): Promise<BrokerMetrics> {
    return {
      backend: this.backend,
      published: this.published,
      subscriptions: await snapshotSubscriptions(this.metered.values()),
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.metered.clear();
    const members = this.targets.flatMap((t) => t.members);
    for (const m of members) {
      m.closed = true;
      m.takeAll();
    }
    this.targets.length = 0;
    this.resetRoutes();
    await Promise.all(members.map((m) => m.idle()));
  }
}

function closedError(): PubSubError {
  return new PubSubError(PUBSUB_ERROR_CODES.closed, 'the broker is closed');
}
