import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RawDelivery } from './dispatch.ts';
import type { ResolvedSubscribeOptions } from './options.ts';
import { RemoteBroker, resolveRemoteOptions, type Listening, type OutgoingMessage } from './remote-base.ts';
import type { BrokerCapabilities } from './types.ts';

interface Sent {
  readonly message: OutgoingMessage;
  ack(id: string): void;
  fail(error: unknown): void;
}

/** A backend whose server answers only when the test says so. */
class ManualBroker extends RemoteBroker {
  readonly backend = 'manual';
  readonly capabilities: BrokerCapabilities = {
    wildcards: false,
    queueGroups: false,
    brokerRedelivery: true,
    replay: false,
    overflowPolicies: ['block'],
    delivery: 'at-least-once',
    durable: false,
  };
  readonly sent: Sent[] = [];
  throwOnSend: unknown = undefined;
  disconnected = false;

  constructor(publishTimeoutMs: number) {
    super(resolveRemoteOptions({ url: 'manual://', publishTimeoutMs }));
  }
  protected send(message: OutgoingMessage): Promise<string> {
    if (this.throwOnSend !== undefined) throw this.throwOnSend;
    return new Promise((resolve, reject) => this.sent.push({ message, ack: resolve, fail: reject }));
  }
  protected listen(
    _pattern: string,
    _o: ResolvedSubscribeOptions,
    _deliver: (raw: RawDelivery) => Promise<void> | void,
  ): Promise<Listening> {
    return Promise.resolve({ stop: () => Promise.resolve() });
  }
  protected disconnect(): Promise<void> {
    this.disconnected = true;
    return Promise.resolve();
  }
}

const outcome = <T>(p: Promise<T>): { value?: T; error?: unknown; settled: boolean } => {
  const o: { value?: T; error?: unknown; settled: boolean } = { settled: false };
  p.then(
    (value) => Object.assign(o, { value, settled: true }),
    (error: unknown) => Object.assign(o, { error, settled: true }),
  );
  return o;
};

describe('remote broker publish deadlines', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fails each unanswered publish with PUBSUB_PUBLISH_FAILED at its own deadline, not before', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const broker = new ManualBroker(200);
    const a = outcome(broker.publish('t.a', 'a'));
    await vi.advanceTimersByTimeAsync(120);
    const b = outcome(broker.publish('t.b', 'b'));
    await vi.advanceTimersByTimeAsync(79);
    expect(a.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(a.error).toMatchObject({ code: 'PUBSUB_PUBLISH_FAILED', details: { backend: 'manual' } });
    expect(String((a.error as Error).message)).toContain('no acknowledgement within 200 ms');
    expect(b.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(119);
    expect(b.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(b.error).toMatchObject({ code: 'PUBSUB_PUBLISH_FAILED' });
    // A late acknowledgement changes nothing, and no timer is left behind.
    broker.sent[0]!.ack('late');
    await vi.advanceTimersByTimeAsync(0);
    expect(a.error).toMatchObject({ code: 'PUBSUB_PUBLISH_FAILED' });
    expect(vi.getTimerCount()).toBe(0);
    expect((await broker.metrics()).published).toBe(0);
  });

  it('resolves acknowledged publishes in any order and times out only the one left waiting', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const broker = new ManualBroker(100);
    const ps = [0, 1, 2, 3].map((i) => outcome(broker.publish('t.x', `m${i}`)));
    // Acknowledge the tail, a middle one and the head, leaving one in the middle unanswered.
    broker.sent[3]!.ack('id-3');
    broker.sent[1]!.ack('id-1');
    broker.sent[0]!.ack('id-0');
    await vi.advanceTimersByTimeAsync(0);
    expect(ps.map((p) => p.value)).toEqual([{ id: 'id-0' }, { id: 'id-1' }, undefined, { id: 'id-3' }]);
    await vi.advanceTimersByTimeAsync(100);
    expect(ps[2]!.error).toMatchObject({ code: 'PUBSUB_PUBLISH_FAILED' });
    broker.sent[2]!.ack('id-2');
    // Another publish after the list emptied gets a fresh deadline.
    const late = outcome(broker.publish('t.x', 'm4'));
    await vi.advanceTimersByTimeAsync(99);
    expect(late.settled).toBe(false);
    broker.sent[4]!.ack('id-4');
    await vi.advanceTimersByTimeAsync(1);
    expect(late.value).toEqual({ id: 'id-4' });
    expect((await broker.metrics()).published).toBe(4);
  });

  it('passes the client error on as the cause of PUBSUB_PUBLISH_FAILED, whether send throws or rejects', async () => {
    const broker = new ManualBroker(1000);
    const boom = new Error('socket gone');
    broker.throwOnSend = boom;
    await expect(broker.publish('t.x', 'x')).rejects.toMatchObject({ code: 'PUBSUB_PUBLISH_FAILED', cause: boom });
    broker.throwOnSend = undefined;
    const p = broker.publish('t.x', 'y');
    broker.sent[0]!.fail(boom);
    await expect(p).rejects.toMatchObject({ code: 'PUBSUB_PUBLISH_FAILED', cause: boom });
    await broker.close();
  });

  it('fails publishes still waiting at close with PUBSUB_CLOSED and keeps no timer running', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const broker = new ManualBroker(5000);
    const a = outcome(broker.publish('t.x', 'a'));
    const b = outcome(broker.publish('t.x', 'b'));
    expect(vi.getTimerCount()).toBe(1);
    await broker.close();
    await vi.advanceTimersByTimeAsync(0);
    expect(broker.disconnected).toBe(true);
    expect(a.error).toMatchObject({ code: 'PUBSUB_CLOSED' });
    expect(b.error).toMatchObject({ code: 'PUBSUB_CLOSED' });
    expect(vi.getTimerCount()).toBe(0);
    await expect(broker.publish('t.x', 'c')).rejects.toMatchObject({ code: 'PUBSUB_CLOSED' });
  });

  it('refuses bad publishes before anything is sent', async () => {
    const broker = new ManualBroker(1000);
    await expect(broker.publish('bad subject', 'x')).rejects.toMatchObject({ code: 'PUBSUB_INVALID_SUBJECT' });
    await expect(broker.publish('t.x', 'x', { headers: { 'plumego-x': 'no' } })).rejects.toMatchObject({
      code: 'PUBSUB_INVALID_OPTIONS',
    });
    await expect(broker.publish('t.x', 42 as unknown as string)).rejects.toMatchObject({
      code: 'PUBSUB_INVALID_OPTIONS',
    });
    expect(broker.sent).toHaveLength(0);
    const p = broker.publish('t.x', 'x', { headers: { trace: '1' } });
    expect(broker.sent[0]!.message).toMatchObject({ subject: 't.x', headers: { trace: '1' } });
    broker.sent[0]!.ack('1');
    await expect(p).resolves.toEqual({ id: '1' });
    await broker.close();
  });
});
