import { Socket } from 'node:net';
import { connect, type ConfirmChannel } from 'amqplib';
import { describe, expect, inject, it, vi } from 'vitest';
import { AmqpBroker } from './amqp.ts';
import { describeBrokerConformance, uniqueName } from './__tests__/broker-conformance.ts';

const url = inject('services').amqp;
const reconnect = { minDelayMs: 50, maxDelayMs: 400 };
const history = { maxAgeSeconds: 3600, maxBytes: 64 * 1024 * 1024 };

describeBrokerConformance({
  name: 'RabbitMQ',
  // Replay reads the namespace's history stream (x-queue-type: stream), which `history` turns on.
  capabilities: {
    wildcards: true,
    queueGroups: true,
    brokerRedelivery: true,
    replay: true,
    overflowPolicies: ['block'],
    delivery: 'at-least-once',
    durable: true,
  },
  unavailable: url === null ? 'RabbitMQ is not reachable' : false,
  create: (namespace, via) =>
    AmqpBroker.connect({
      url: via ?? url!,
      namespace,
      maxPayloadBytes: 1024,
      publishTimeoutMs: 1000,
      reconnect,
      history,
    }),
  // The suite's queue groups: workers on work.items, crashers on crash.q, rejoin on rejoin.q, depth on depth.q.
  cleanup: (namespace) =>
    AmqpBroker.destroyNamespace(url!, namespace, [
      AmqpBroker.groupQueueName(namespace, 'workers', 'work.items'),
      AmqpBroker.groupQueueName(namespace, 'crashers', 'crash.q'),
      AmqpBroker.groupQueueName(namespace, 'rejoin', 'rejoin.q'),
      AmqpBroker.groupQueueName(namespace, 'depth', 'depth.q'),
    ]),
  serviceUrl: url ?? undefined,
  ackWaitMs: 300,
});

describe.skipIf(url === null)('RabbitMQ broker options', () => {
  it('without history it declares no replay and refuses a replaying subscription with PUBSUB_UNSUPPORTED', async () => {
    const namespace = uniqueName();
    const b = await AmqpBroker.connect({ url: url!, namespace });
    try {
      expect(b.capabilities.replay).toBe(false);
      await expect(b.subscribe('hist.q', () => {}, { from: { kind: 'all' } })).rejects.toMatchObject({
        code: 'PUBSUB_UNSUPPORTED',
      });
      await expect(b.subscribe('hist.q', () => {}, { from: { kind: 'time', at: new Date() } })).rejects.toMatchObject({
        code: 'PUBSUB_UNSUPPORTED',
      });
    } finally {
      await b.close();
      await AmqpBroker.destroyNamespace(url!, namespace);
    }
  });

  it('refuses replay within a queue group (a stream has no competing consumers)', async () => {
    const namespace = uniqueName();
    const b = await AmqpBroker.connect({ url: url!, namespace, history });
    try {
      await expect(b.subscribe('hist.q', () => {}, { group: 'g', from: { kind: 'all' } })).rejects.toMatchObject({
        code: 'PUBSUB_UNSUPPORTED',
        details: { feature: 'replay with a queue group' },
      });
    } finally {
      await b.close();
      await AmqpBroker.destroyNamespace(url!, namespace);
    }
  });

  it('refuses bad history and reconnect options before connecting', async () => {
    for (const bad of [{ maxAgeSeconds: 0 }, { maxAgeSeconds: 1.5 }, { maxBytes: 1024 }]) {
      await expect(AmqpBroker.connect({ url: url!, history: bad })).rejects.toMatchObject({
        code: 'PUBSUB_INVALID_OPTIONS',
      });
    }
    for (const bad of [{ minDelayMs: 0 }, { minDelayMs: 100, maxDelayMs: 50 }, { maxDelayMs: Number.NaN }]) {
      await expect(AmqpBroker.connect({ url: url!, reconnect: bad })).rejects.toMatchObject({
        code: 'PUBSUB_INVALID_OPTIONS',
      });
    }
  });

  it('turns Nagle off on its connection (with it on, every confirm waited ~40 ms for a delayed ACK)', async () => {
    // amqplib calls setNoDelay(false) on every socket unless told otherwise: record what the broker's socket got.
    const original = Socket.prototype.setNoDelay;
    const seen: unknown[] = [];
    Socket.prototype.setNoDelay = function (this: Socket, noDelay?: boolean) {
      seen.push(noDelay);
      return original.call(this, noDelay);
    };
    let broker: AmqpBroker | undefined;
    try {
      broker = await AmqpBroker.connect({ url: url!, namespace: uniqueName(), reconnect });
    } finally {
      Socket.prototype.setNoDelay = original;
      await broker?.close();
    }
    expect(seen).toEqual([true]);
  });

  it('publishes each message with its own message id (unique across brokers) and its headers', async () => {
    const namespace = uniqueName();
    const a = await AmqpBroker.connect({ url: url!, namespace, reconnect });
    const b = await AmqpBroker.connect({ url: url!, namespace, reconnect });
    const raw = await connect(url!);
    try {
      const ch = await raw.createChannel();
      const { queue } = await ch.assertQueue('', { exclusive: true });
      await ch.bindQueue(queue, namespace, 'ids.q');
      const seen: Array<{ id: unknown; headers: unknown }> = [];
      await ch.consume(queue, (msg) => {
        if (msg) seen.push({ id: msg.properties.messageId, headers: msg.properties.headers });
      });
      const receipts = [];
      for (let i = 0; i < 3; i++) receipts.push(await a.publish('ids.q', 'x'), await b.publish('ids.q', 'y'));
      receipts.push(await a.publish('ids.q', 'z', { headers: { k: 'v' } }));
      await vi.waitFor(() => expect(seen).toHaveLength(7), { timeout: 5000, interval: 10 });
      const ids = receipts.map((r) => r.id);
      expect(new Set(ids).size).toBe(7);
      for (const id of ids) expect(id).toMatch(/^[0-9a-f]{24}$/);
      expect(seen.map((m) => m.id)).toEqual(ids);
      expect(seen.slice(0, 6).map((m) => m.headers)).toEqual(Array(6).fill({}));
      expect(seen[6]!.headers).toEqual({ k: 'v' });
    } finally {
      await raw.close();
      await a.close();
      await b.close();
      await AmqpBroker.destroyNamespace(url!, namespace);
    }
  });

  it('fails a publish whose confirm does not come within publishTimeoutMs; the late confirm is ignored', async () => {
    const namespace = uniqueName();
    const broker = await AmqpBroker.connect({ url: url!, namespace, reconnect, publishTimeoutMs: 200 });
    // Hold back amqplib's confirm callbacks: the broker's own deadline must settle the publish.
    const pub = (broker as unknown as { pub: ConfirmChannel }).pub;
    const original = pub.publish.bind(pub);
    const held: Array<(error: unknown) => void> = [];
    pub.publish = (exchange, key, content, options, cb) => {
      held.push((error) => cb!(error, {}));
      return original(exchange, key, content, options, () => {});
    };
    try {
      const started = performance.now();
      const first = broker.publish('late.q', 'a');
      await new Promise((r) => setTimeout(r, 120));
      const second = broker.publish('late.q', 'b');
      await expect(first).rejects.toMatchObject({ code: 'PUBSUB_PUBLISH_FAILED', message: /within 200 ms/ });
      expect(performance.now() - started).toBeGreaterThanOrEqual(190);
      // The second was published later: its deadline is its own, not the first one's.
      let secondSettled = false;
      second.catch(() => {}).finally(() => (secondSettled = true));
      await new Promise((r) => setTimeout(r, 20));
      expect(secondSettled).toBe(false);
      await expect(second).rejects.toMatchObject({ code: 'PUBSUB_PUBLISH_FAILED' });
      for (const cb of held) cb(null);
      // A nack that arrives in time rejects typed.
      const third = broker.publish('late.q', 'c');
      held[2]!(new Error('nacked'));
      await expect(third).rejects.toMatchObject({ code: 'PUBSUB_PUBLISH_FAILED' });
      pub.publish = original;
      expect((await broker.publish('late.q', 'd')).id).toMatch(/^[0-9a-f]{24}$/);
      // A publish outstanding at close fails PUBSUB_CLOSED, not after its deadline.
      pub.publish = (exchange, key, content, options) => original(exchange, key, content, options, () => {});
      const pending = broker.publish('late.q', 'e');
      await broker.close();
      await expect(pending).rejects.toMatchObject({ code: 'PUBSUB_CLOSED' });
    } finally {
      await broker.close();
      await AmqpBroker.destroyNamespace(url!, namespace);
    }
  });

  it('delivers a message without headers with an empty frozen header object and a copied payload', async () => {
    const namespace = uniqueName();
    const broker = await AmqpBroker.connect({ url: url!, namespace, reconnect });
    try {
      const seen: Array<{ headers: unknown; frozen: boolean; data: Uint8Array; json: unknown; count: number }> = [];
      await broker.subscribe('plain.q', (m) => {
        seen.push({
          headers: m.headers,
          frozen: Object.isFrozen(m.headers),
          data: m.data,
          json: JSON.parse(JSON.stringify(m)),
          count: m.deliveryCount,
        });
      });
      const { id } = await broker.publish('plain.q', 'hi');
      await broker.publish('plain.q', 'yo', { headers: { k: 'v' } });
      await vi.waitFor(() => expect(seen).toHaveLength(2), { timeout: 5000, interval: 10 });
      expect(seen[0]).toMatchObject({ headers: {}, frozen: true, count: 1 });
      expect(seen[0]!.json).toMatchObject({ id, subject: 'plain.q', headers: {}, deliveryCount: 1 });
      expect(Buffer.isBuffer(seen[0]!.data)).toBe(false);
      expect(new TextDecoder().decode(seen[0]!.data)).toBe('hi');
      expect(seen[1]).toMatchObject({ headers: { k: 'v' }, frozen: false, count: 1 });
    } finally {
      await broker.close();
      await AmqpBroker.destroyNamespace(url!, namespace);
    }
  });

  it('fails the first connect at once when nothing listens (no silent re-dialling)', async () => {
    const dead = new URL(url!);
    dead.port = '1';
    await expect(AmqpBroker.connect({ url: dead.toString(), reconnect })).rejects.toThrow();
  });

  it('a subscription whose queue is deleted under it is re-attached on the same connection', async () => {
    const namespace = uniqueName();
    const b = await AmqpBroker.connect({ url: url!, namespace, reconnect });
    const queue = AmqpBroker.groupQueueName(namespace, 'g', 'gone.q');
    try {
      const got: string[] = [];
      await b.subscribe(
        'gone.q',
        (m) => {
          got.push(new TextDecoder().decode(m.data));
        },
        { group: 'g' },
      );
      const admin = await AmqpBroker.connect({ url: url!, namespace });
      // Deleting the queue cancels the consumer server-side; the broker re-declares and re-binds it.
      const raw = await connect(url!);
      await (await raw.createChannel()).deleteQueue(queue);
      await raw.close();
      let n = 0;
      await vi.waitFor(
        async () => {
          await admin.publish('gone.q', `x${n++}`);
          await new Promise((r) => setTimeout(r, 50));
          expect(got.length).toBeGreaterThan(0);
        },
        { timeout: 8000, interval: 10 },
      );
      await admin.close();
    } finally {
      await b.close();
      await AmqpBroker.destroyNamespace(url!, namespace, [queue]);
    }
  });
});
