import {
  DEAD_LETTER_HEADERS,
  dispatcherFor,
  getOutcome,
  plainMessage,
  report,
  settleFailure,
  type DeliveryOps,
  type Dispatch,
  type DispatchContext,
} from './dispatch.ts';
import { assertOption, PUBSUB_ERROR_CODES, PubSubError } from './errors.ts';
import {
  createSubscriptionCounters,
  snapshotSubscriptions,
  type BrokerMetrics,
  type MeteredSubscription,
  type SubscriptionCounters,
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
  Delivery,
  Headers,
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

const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});
const RESOLVED: Promise<void> = Promise.resolve();
const AsyncFunction = (async () => {}).constructor;

// A message view's settle state (see LocalMessage): the holder's handler is running synchronously;
// the holder's delivery is settled; a synchronous subscriber already finished with this view; the
// view stands for the holder's pending delivery. The holder is only meaningful with WINDOW or PINNED.
// A const enum: its members compile to literals, where module constants cost a context load and a
// hole check each in the bytecode of open/closeSync, which every publish inlines (see fanOut).
const enum View {
  WINDOW = 1,
  SETTLED = 2,
  SHARED = 4,
  PINNED = 8,
}

/**
 * A published message, and the view handed to auto-ack subscribers whose handler runs in line with
 * the publish: one object per publish, shared by those subscribers one after the other, read-only
 * (private slots behind getters). Its ack()/nack() settle the delivery of the subscriber whose
 * handler is running (the holder). When a handler returns a thenable the view stays with that
 * subscriber (the holder) and later subscribers get a copy. After a synchronous handler returned its
 * delivery is settled, so a later ack()/nack() from it is ignored; if that view then went pending
 * with another subscriber, a late ack() cannot say whose it is and is ignored (the handler's outcome
 * settles that delivery), while a late nack() redelivers the pending one - never a lost message.
 *
 * Its id is the broker's sequence number, turned into a string only when read: a number-to-string
 * conversion per publish was the largest single cost of a small in-process publish.
 */
class LocalMessage implements Delivery {
  // The sequence number until the id is first read, then its string: one slot instead of two. The
  // headers and delivery count of the common message (none, first delivery) are not stored: a
  // FullMessage keeps them. Fewer fields are less bytecode in the constructor every publish inlines.
  #id: number | string;
  readonly #subject: string;
  readonly #data: Uint8Array;
  #holder: Member | undefined = undefined;
  #state = 0;

  constructor(id: number | string, subject: string, data: Uint8Array) {
    this.#id = id;
    this.#subject = subject;
    this.#data = data;
  }
  get id(): string {
    const id = this.#id;
    return typeof id === 'string' ? id : (this.#id = String(id));
  }
  /** The id as kept: the sequence number until the string was read (for receipts, which make their own). */
  get key(): number | string {
    return this.#id;
  }
  get subject(): string {
    return this.#subject;
  }
  get data(): Uint8Array {
    return this.#data;
  }
  get headers(): Headers {
    return NO_HEADERS;
  }
  get deliveryCount(): number {
    return 1;
  }
  toJSON(): Message {
    return plainMessage(this);
  }

  /** The same message, one delivery later (same id). */
  redelivered(): LocalMessage {
    return new FullMessage(this.#id, this.#subject, this.#data, this.headers, this.deliveryCount + 1);
  }
  /** A fresh view of the same delivery, for the subscribers after one that kept this view pending. */
  copy(): LocalMessage {
    return localMessage(this.#id, this.#subject, this.#data, this.headers, this.deliveryCount);
  }

  /** `m`'s handler is about to run with this view. */
  open(m: Member): void {
    this.#holder = m;
    this.#state = View.WINDOW | (this.#state & View.SHARED);
  }
  /** `m`'s handler returned synchronously: true when it did not settle the delivery itself. */
  closeSync(): boolean {
    const state = this.#state;
    this.#state = View.SHARED;
    return (state & View.SETTLED) === 0;
  }
  /** The handler returned a thenable: the view now stands for that pending delivery. */
  pin(): void {
    this.#state = (this.#state & ~View.WINDOW) | View.PINNED;
  }
  /** Settles `m`'s pending delivery once; false when it already was settled. */
  take(m: Member): boolean {
    const state = this.#state;
    if (this.#holder !== m || (state & (View.PINNED | View.SETTLED)) !== View.PINNED) return false;
    this.#state = state | View.SETTLED;
    return true;
  }

  ack(): Promise<void> {
    const state = this.#state;
    // Settled, no holder, or a late call on a view a synchronous subscriber also had: ignored.
    if (
      (state & View.SETTLED) !== 0 ||
      ((state & View.WINDOW) === 0 && (state & (View.PINNED | View.SHARED)) !== View.PINNED)
    )
      return RESOLVED;
    this.#state = state | View.SETTLED;
    this.#holder!.counters.acked++;
    return RESOLVED;
  }
  nack(): Promise<void> {
    const state = this.#state;
    if ((state & View.SETTLED) !== 0 || (state & (View.WINDOW | View.PINNED)) === 0) return RESOLVED;
    this.#state = state | View.SETTLED;
    const holder = this.#holder!;
    return settleFailure(holder.ctx, this, holder, new Error('nacked by the handler'));
  }
}

/** A message with headers, or a redelivery: the two fields a first delivery without headers does not need. */
class FullMessage extends LocalMessage {
  readonly #headers: Headers;
  readonly #count: number;
  constructor(id: number | string, subject: string, data: Uint8Array, headers: Headers, deliveryCount: number) {
    super(id, subject, data);
    this.#headers = headers;
    this.#count = deliveryCount;
  }
  override get headers(): Headers {
    return this.#headers;
  }
  override get deliveryCount(): number {
    return this.#count;
  }
}

function localMessage(
  id: number | string,
  subject: string,
  data: Uint8Array,
  headers: Headers,
  deliveryCount: number,
): LocalMessage {
  return headers === NO_HEADERS && deliveryCount === 1
    ? new LocalMessage(id, subject, data)
    : new FullMessage(id, subject, data, headers, deliveryCount);
}

/** What publish resolves to; the id string is made when read, like the message's. */
class LocalReceipt implements PublishReceipt {
  readonly #id: number | string;
  constructor(id: number | string) {
    this.#id = id;
  }
  get id(): string {
    return String(this.#id);
  }
  toJSON(): PublishReceipt {
    return { id: this.id };
  }
}

/**
 * What an accepted publish returns: an already-fulfilled promise made only when it is used (then,
 * catch, finally, await). A fire-and-forget publish allocates this one small object instead of a
 * promise and a receipt.
 */
class Published implements Promise<PublishReceipt> {
  // The message's sequence number, not the message: a caller that drops this result (a
  // fire-and-forget publish) then leaves V8 free not to allocate the message at all when its
  // subscribers' handlers are inlined and no history keeps it.
  readonly #id: number | string;
  constructor(id: number | string) {
    this.#id = id;
  }
  get [Symbol.toStringTag](): string {
    return 'Promise';
  }
  then<A = PublishReceipt, B = never>(
    onfulfilled?: ((value: PublishReceipt) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return settled(this.#id).then(onfulfilled, onrejected);
  }
  catch<B = never>(onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<PublishReceipt | B> {
    return settled(this.#id).catch(onrejected);
  }
  finally(onfinally?: (() => void) | null): Promise<PublishReceipt> {
    return settled(this.#id).finally(onfinally);
  }
}

// Not a private method of Published: a class with private methods stores a brand in every instance,
// one slot (8 bytes) more per publish.
function settled(id: number | string): Promise<PublishReceipt> {
  return Promise.resolve(new LocalReceipt(id));
}

/** One subscriber's bounded queue and its drain loop; it also settles its deliveries (no object per delivery). */
class Member implements DeliveryOps {
  readonly queue: LocalMessage[] = [];
  head = 0;
  active = 0;
  /**
   * An in-line handler is running (deliverNow): what `active` says for the queued path, as a flag.
   * Two constant stores per delivery instead of a counter's two read-modify-writes; a retry queued
   * by the handler meanwhile waits for it to return (drain() checks it). A handler that throws or
   * returns a thenable hands its delivery over to `active` until it is settled.
   */
  busy = false;
  readonly spaceWaiters: Array<() => void> = [];
  private readonly idleWaiters: Array<() => void> = [];
  closed = false;
  /**
   * The handler runs in line with publish on the shared message view: an auto-ack subscriber whose
   * handler has so far returned synchronously. The first thenable it returns turns this off for good.
   */
  fast: boolean;
  /**
   * `fast`, nothing queued or running (`active === 0`) and no publish waiting for room: the one
   * field a publish reads to run the handler in line, instead of five fields and two array lengths
   * per delivery. Anything that queues, waits for room, closes, holds a delivery in `active` (an
   * in-line throw) or turns `fast` off clears it at once; only drain() sets it again, from the state
   * itself, once the queue has emptied and nothing runs. Its reads are `=== true`: a bare boolean
   * field costs optimized code a generic truthiness test per read.
   */
  inline: boolean;
  readonly counters: SubscriptionCounters;
  /**
   * In-line deliveries acked on return, not yet in `counters` (each one delivered and acked): one
   * increment instead of two per delivery; metrics() folds them in.
   */
  private inlineAcked = 0;
  private readonly handler: MessageHandler;
  private readonly dispatch: Dispatch;

  constructor(
    readonly target: Target,
    readonly options: ResolvedSubscribeOptions,
    readonly ctx: DispatchContext,
  ) {
    this.counters = ctx.counters;
    this.handler = ctx.handler;
    this.dispatch = dispatcherFor(ctx);
    this.fast = options.ack === 'auto' && !(ctx.handler instanceof AsyncFunction);
    this.inline = this.fast;
  }

  get queued(): number {
    return this.queue.length - this.head;
  }
  get full(): boolean {
    return this.queued >= this.options.bufferSize || this.spaceWaiters.length > 0;
  }
  close(): void {
    this.closed = true;
    this.fast = false;
    this.inline = false;
  }

  /** Adds the in-line deliveries to the counters (before they are read). */
  foldCounts(): void {
    const n = this.inlineAcked;
    if (n === 0) return;
    this.inlineAcked = 0;
    this.counters.delivered += n;
    this.counters.acked += n;
  }

  /**
   * Runs the handler in line with `view` (only when `inline === true`: nothing queued or running,
   * so in order). Returns the view for the next subscriber: `view`, or a copy when this
   * handler kept it pending (returned a thenable). Only the synchronous auto-ack outcome is here:
   * this method is inlined into every publish (see InProcessBroker.fanOut), the rest is called.
   */
  deliverNow(view: LocalMessage): LocalMessage {
    this.busy = true;
    view.open(this);
    let result: unknown;
    try {
      result = this.handler(view);
    } catch (error) {
      return this.threw(view, error);
    }
    if (result !== undefined) return this.returned(view, result);
    if (view.closeSync()) this.inlineAcked++;
    else this.selfSettled();
    this.busy = false;
    // Cleared when the handler queued a retry or closed this member (idle waiters only come with close).
    if (this.inline !== true) this.wake();
    return view;
  }

  /** The handler settled its in-line delivery itself (ack() or nack() before returning). */
  private selfSettled(): void {
    this.counters.delivered++;
  }

  /**
   * The handler returned something: a thenable keeps the delivery open until it settles and takes
   * this member off the in-line path for good; any other value counts as returning synchronously.
   */
  private returned(view: LocalMessage, result: unknown): LocalMessage {
    const outcome = getOutcome(result);
    if (outcome === undefined) {
      if (view.closeSync()) this.inlineAcked++;
      else this.selfSettled();
      this.busy = false;
      if (this.inline !== true) this.wake();
      return view;
    }
    this.busy = false;
    this.active++; // until the thenable settles (awaitOutcome)
    this.counters.delivered++;
    this.fast = false;
    this.inline = false;
    view.pin();
    this.awaitOutcome(view, outcome);
    return view.copy();
  }

  // The rarer outcomes live in their own methods: a closure in deliverNow would make every call
  // allocate a context for the variables it captures.
  private threw(view: LocalMessage, error: unknown): LocalMessage {
    this.busy = false;
    // Off the in-line path until the failure is settled: a retry goes ahead of later messages.
    this.inline = false;
    this.active++;
    this.counters.delivered++;
    const unsettled = view.closeSync();
    report(this.ctx, error, view);
    // Held until settled, as on the queued path: a retry queues ahead of later messages.
    if (unsettled) void settleFailure(this.ctx, view, this, error).then(() => this.done());
    else this.done();
    return view;
  }

  private awaitOutcome(view: LocalMessage, outcome: Promise<unknown>): void {
    outcome.then(
      () => {
        if (view.take(this)) this.counters.acked++;
        this.done();
      },
      (error: unknown) => {
        report(this.ctx, error, view);
        if (view.take(this)) void settleFailure(this.ctx, view, this, error).then(() => this.done());
        else this.done();
      },
    );
  }

  /**
   * offer(), adding a publish's wait for room (if any) to `blocked`: what the delivery loops call for
   * a member that cannot take the message in line. A member that left meanwhile is skipped.
   */
  offerInto(message: LocalMessage, blocked: Promise<void>[] | undefined): Promise<void>[] | undefined {
    if (this.closed) return blocked;
    const wait = this.offer(message);
    if (wait === undefined) return blocked;
    if (blocked === undefined) return [wait];
    blocked.push(wait);
    return blocked;
  }

  /** Enqueues now, or returns a promise that enqueues in order once there is room (the `block` policy). */
  offer(message: LocalMessage): Promise<void> | undefined {
    // Fast path: an idle subscriber takes the message at once, without touching its queue.
    if (
      this.busy === false &&
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
    return this.waitForRoom(message);
  }

  private waitForRoom(message: LocalMessage): Promise<void> {
    this.inline = false;
    return new Promise<void>((resolve) =>
      this.spaceWaiters.push(() => {
        this.push(message);
        resolve();
      }),
    );
  }

  /** Redeliveries bypass the bound: refusing them would lose a message the broker already accepted. */
  push(message: LocalMessage): void {
    this.inline = false;
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
    // Nothing queued (the usual case): no write. Resetting `head` when it never moved turns that
    // field from constant to mutable for V8, which throws away the optimized publish code of every
    // in-process broker in the process; a closed member's spent slots are garbage with it anyway.
    if (this.head === this.queue.length) return [];
    const rest = this.queue.slice(this.head);
    this.queue.length = 0;
    this.head = 0;
    return rest;
  }

  idle(): Promise<void> {
    return this.active === 0 ? Promise.resolve() : new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private drain(): void {
    while (
      !this.closed &&
      this.busy === false &&
      this.active < this.options.concurrency &&
      this.head < this.queue.length
    ) {
      const message = this.queue[this.head]!;
      this.queue[this.head++] = undefined as unknown as LocalMessage;
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue.splice(0, this.head);
        this.head = 0;
      }
      this.run(message);
    }
    // Only here does `inline` come back: the queue may just have emptied (wake() ends here too).
    if (
      this.inline !== true &&
      this.fast === true &&
      this.active === 0 &&
      this.head === this.queue.length &&
      this.spaceWaiters.length === 0
    )
      this.inline = true;
  }

  private run(message: LocalMessage): void {
    this.active++;
    const pending = this.dispatch(message, this);
    if (pending === undefined) this.done();
    else this.doneAfter(pending);
  }

  private doneAfter(pending: Promise<void>): void {
    void pending.then(() => this.done());
  }

  private done(): void {
    this.active--;
    this.wake();
  }

  private wake(): void {
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
/** The subscriptions a subject reaches, kept until subscriptions change. */
interface Route {
  readonly targets: Target[];
  /** Each target's only member, when no target has more than one (the loop then skips the groups). */
  readonly solo: Member[] | undefined;
  /** Whether a target may refuse a publish (overflow 'error'): checked before delivering to anyone. */
  readonly refuses: boolean;
  /** `solo` when no target may refuse: what the common-case publish delivers to. */
  readonly fast: Member[] | undefined;
}

interface Deferred {
  readonly message: LocalMessage;
  readonly counted: boolean;
  readonly resolve: (result: Promise<PublishReceipt>) => void;
}

/** The default broker: everything in this process, no server. */
export class InProcessBroker implements Broker {
  readonly backend = 'in-process';
  readonly capabilities = CAPABILITIES;
  private readonly maxPayload: number;
  private readonly historySize: number;
  private readonly now: () => number;
  private readonly targets: Target[] = [];
  private readonly route = new Map<string, Route>();
  // Replay history as a ring of two parallel arrays (no object per publish).
  private readonly historyMessages: LocalMessage[] = [];
  private readonly historyTimes: number[] = [];
  private historyStart = 0;
  private seq = 0;
  private published = 0;
  private closed = false;
  // A delivery loop is running: publishes made by handlers meanwhile wait in `deferred` and go out
  // after it, in the order they were made, so every subscriber sees publish order.
  private delivering = false;
  private readonly deferred: Deferred[] = [];
  private readonly metered = new Map<Member, MeteredSubscription>();
  // Subjects already validated: the grammar check is the most expensive part of a small publish.
  private readonly knownSubjects = new Set<string>();
  // The last subject published and its targets: a run of publishes to one subject (the common case)
  // skips both hash lookups. Reset whenever the routing changes.
  private lastSubject: string | undefined = undefined;
  private lastRoute: Route | undefined = undefined;
  // lastRoute.fast: what the common-case publish delivers to (one field read instead of two).
  private lastFast: Member[] | undefined = undefined;

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

  /**
   * Resolves once every matching subscriber has the message (at once unless a `block` buffer is
   * full). The result is promise-compatible (then/catch/finally, await); when nothing waits, it is a
   * lazily fulfilled object rather than a native Promise.
   */
  publish(subject: string, data: Uint8Array | string, options?: PublishOptions): Promise<PublishReceipt> {
    // The common case first, with no wrapper calls: bytes, no options, the subject of the previous
    // publish (so already validated and routed), only lone subscribers that cannot refuse, and not
    // from inside a handler. A closed broker has no last route, so it takes the general path.
    // The members first: without them, lastSubject may be undefined, and comparing the subject with
    // it would teach V8 a mixed string/undefined comparison (a deopt, then a generic compare per publish).
    // The size is `length` (bytes, for a Uint8Array): Node 20's V8 inlines `byteLength` only when it
    // compiles on the main thread; code compiled concurrently (every ordinary run) calls the generic
    // LoadIC for it, ~8-12 ns a read, where `length` is a field load either way.
    const members = this.lastFast;
    if (
      members !== undefined &&
      subject === this.lastSubject &&
      options === undefined &&
      this.delivering === false &&
      data instanceof Uint8Array &&
      data.length <= this.maxPayload
    )
      return this.fanOut(members, subject, data);
    return this.publishAny(subject, data, options);
  }

  private publishAny(subject: string, data: Uint8Array | string, options?: PublishOptions): Promise<PublishReceipt> {
    try {
      if (this.closed === true) throw closedError();
      if (subject !== this.lastSubject && !this.knownSubjects.has(subject)) {
        assertSubject(subject);
        if (this.knownSubjects.size > 10_000) this.knownSubjects.clear();
        this.knownSubjects.add(subject);
      }
      const message = localMessage(
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

  /**
   * The common-case publish: delivers to lone subscribers none of which can refuse (a route's `fast`
   * list), then sends the publishes its handlers made. Only called when no delivery loop is running.
   *
   * Its size is part of what it costs: a caller's optimized code inlines publish, and with it this
   * loop and each handler, only while the bytecode of that whole chain (publish, fanOut, deliverNow,
   * the view's open/closeSync, LocalMessage, Published and the handler) fits V8's inlining budget
   * (920 bytes, less 20% headroom) counted WITH what publish's own optimized code already inlined.
   * Whether publish got optimized before its caller was then decided by a race with V8's background
   * compiler, and each process of the benchmark landed in one of two modes: the chain inlined (the
   * message and its result allocated nothing, ~500 instructions per message) or publish called
   * (both allocated, ~640). Rare outcomes are therefore kept in methods of their own (a call that
   * never runs is not inlined, and its few bytes are all it adds); see bench/messaging/README.md.
   */
  private fanOut(members: Member[], subject: string, data: Uint8Array): Promise<PublishReceipt> {
    this.delivering = true;
    try {
      const id = ++this.seq;
      const message = new LocalMessage(id, subject, data);
      if (this.historySize > 0) this.remember(message);
      this.published++;
      let blocked: Promise<void>[] | undefined;
      let view = message;
      for (let i = 0; i < members.length; i++) {
        const m = members[i]!;
        if (m.inline === true) view = m.deliverNow(view);
        else blocked = m.offerInto(message, blocked);
      }
      this.delivering = false;
      if (this.deferred.length > 0) this.runDeferred();
      return blocked === undefined ? new Published(id) : receiptOnceRoom(blocked, id);
    } catch (error) {
      return this.failed(error);
    }
  }

  /** A delivery loop threw (a throwing hook or clock): this publish fails, the broker goes on. */
  private failed(error: unknown): Promise<PublishReceipt> {
    this.delivering = false;
    return Promise.reject(error);
  }

  private deliver(message: LocalMessage, counted: boolean): Promise<PublishReceipt> {
    if (this.delivering === true) return this.defer(message, counted);
    const result = this.deliverNow(message, counted);
    if (this.deferred.length > 0) this.runDeferred();
    return result;
  }

  private defer(message: LocalMessage, counted: boolean): Promise<PublishReceipt> {
    return new Promise<PublishReceipt>((resolve) => this.deferred.push({ message, counted, resolve }));
  }

  /** Publishes made by handlers during a delivery loop, one loop after the other (no recursion). */
  private runDeferred(): void {
    let next: Deferred | undefined;
    while ((next = this.deferred.shift()) !== undefined) {
      let result: Promise<PublishReceipt>;
      try {
        result = this.closed ? Promise.reject(closedError()) : this.deliverNow(next.message, next.counted);
      } catch (error) {
        // Its own publish fails (e.g. a throwing onError hook), not the one that happened to run it.
        result = Promise.reject(error);
      }
      next.resolve(result);
    }
  }

  private deliverNow(message: LocalMessage, counted: boolean): Promise<PublishReceipt> {
    if (this.historySize > 0) this.remember(message);
    const route = this.match(message.subject);
    const targets = route.targets;
    if (route.refuses === true) {
      const refused = refusal(targets);
      if (refused !== undefined) return Promise.reject(refused);
    }
    if (counted) this.published++;
    let blocked: Promise<void>[] | undefined;
    let view = message;
    const solo = route.solo;
    this.delivering = true;
    try {
      if (solo !== undefined) {
        for (let i = 0; i < solo.length; i++) {
          const m = solo[i]!;
          // (a member that left during this loop is skipped by offerInto)
          if (m.inline === true) view = m.deliverNow(view);
          else blocked = m.offerInto(message, blocked);
        }
      } else {
        for (let i = 0; i < targets.length; i++) {
          const members = targets[i]!.members;
          // A group shares its messages; a member that left during this loop is skipped.
          const m = members.length === 1 ? members[0]! : members.length === 0 ? undefined : targets[i]!.pick();
          if (m === undefined) continue;
          if (m.inline === true) view = m.deliverNow(view);
          else blocked = m.offerInto(message, blocked);
        }
      }
    } finally {
      this.delivering = false;
    }
    return blocked === undefined ? new Published(message.key) : receiptOnceRoom(blocked, message.key);
  }

  /** A ring: once full, the oldest slot is overwritten (no shifting per publish). */
  private remember(message: LocalMessage): void {
    const at = this.now();
    if (this.historyMessages.length < this.historySize) {
      this.historyMessages.push(message);
      this.historyTimes.push(at);
    } else {
      this.historyMessages[this.historyStart] = message;
      this.historyTimes[this.historyStart] = at;
      this.historyStart = (this.historyStart + 1) % this.historySize;
    }
  }

  private match(subject: string): Route {
    const last = this.lastRoute;
    if (subject === this.lastSubject && last !== undefined) return last;
    let hit = this.route.get(subject);
    if (hit === undefined) {
      const targets = this.targets.filter((t) => t.matches(subject));
      const solo = targets.every((t) => t.members.length === 1) ? targets.map((t) => t.members[0]!) : undefined;
      const refuses = targets.some((t) => t.refusesWhenFull);
      hit = { targets, solo, refuses, fast: refuses ? undefined : solo };
      if (this.route.size > 10_000) this.route.clear();
      this.route.set(subject, hit);
    }
    this.lastSubject = subject;
    this.lastRoute = hit;
    this.lastFast = hit.fast;
    return hit;
  }

  private resetRoutes(): void {
    this.route.clear();
    this.lastRoute = undefined;
    this.lastFast = undefined;
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
    const member = new Member(target, o, {
      handler,
      o,
      publishDeadLetter: (s, m, r) => this.publishDeadLetter(s, m, r),
      localAckWait: true,
      counters,
    });
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
        member.close();
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
    const n = this.historyMessages.length;
    for (let i = 0; i < n; i++) {
      const slot = (this.historyStart + i) % n;
      const message = this.historyMessages[slot]!;
      if (this.historyTimes[slot]! >= since && matches(message.subject)) member.push(message);
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
    return this.deliver(localMessage(++this.seq, subject, data, headers, 1), false);
  }

  async metrics(): Promise<BrokerMetrics> {
    for (const m of this.metered.keys()) m.foldCounts();
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
      m.close();
      m.takeAll();
    }
    this.targets.length = 0;
    this.resetRoutes();
    await Promise.all(members.map((m) => m.idle()));
  }
}

/** The error for the first target whose every member is full with overflow 'error', if any. */
function refusal(targets: readonly Target[]): PubSubError | undefined {
  for (const t of targets) {
    if (t.refusesWhenFull && t.members.every((m) => m.full && m.options.overflow === 'error')) {
      return new PubSubError(
        PUBSUB_ERROR_CODES.bufferFull,
        'a subscriber buffer is full and its overflow policy is error',
        {
          pattern: t.pattern,
        },
      );
    }
  }
  return undefined;
}

// Outside deliverNow: a closure there would allocate a context on every publish.
function receiptOnceRoom(blocked: Promise<void>[], id: number | string): Promise<PublishReceipt> {
  return Promise.all(blocked).then(() => new LocalReceipt(id));
}

function closedError(): PubSubError {
  return new PubSubError(PUBSUB_ERROR_CODES.closed, 'the broker is closed');
}
