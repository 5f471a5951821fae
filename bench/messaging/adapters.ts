/**
 * Each broker adapter against its raw client doing the same loop: publish N messages one after the
 * other, each awaited until the server acknowledged it, while one consumer acks every message.
 * Throughput is N / time until the last message was consumed; latency is publish → handler per message.
 */
import { randomBytes } from 'node:crypto';
import { connect as natsConnect, nanos } from '@nats-io/transport-node';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect as amqpConnect } from 'amqplib';
import { Redis } from 'ioredis';
import { AmqpBroker, NatsBroker, RedisStreamsBroker, type Broker } from 'plumego/x/messaging/pubsub';

export interface LoopResult {
  readonly messages: number;
  readonly seconds: number;
  readonly msgsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

const percentile = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * p))]!;
};

function collector(messages: number): { record(sentAt: number): void; done: Promise<void>; latencies: number[] } {
  const latencies: number[] = [];
  let resolve!: () => void;
  const done = new Promise<void>((r) => {
    resolve = r;
  });
  return {
    latencies,
    done,
    record: (sentAt) => {
      latencies.push(performance.now() - sentAt);
      if (latencies.length === messages) resolve();
    },
  };
}

function summarize(messages: number, start: number, latencies: number[]): LoopResult {
  const seconds = (performance.now() - start) / 1000;
  return {
    messages,
    seconds,
    msgsPerSec: messages / seconds,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
  };
}

const stamp = (): Buffer => {
  const b = Buffer.alloc(16);
  b.writeDoubleLE(performance.now(), 0);
  return b;
};
const sentAtOf = (data: Uint8Array): number =>
  Buffer.from(data.buffer, data.byteOffset, data.byteLength).readDoubleLE(0);

export async function runAdapter(broker: Broker, messages: number): Promise<LoopResult> {
  const c = collector(messages);
  await broker.subscribe('bench.loop', (m) => {
    c.record(sentAtOf(m.data));
  });
  const start = performance.now();
  for (let i = 0; i < messages; i++) await broker.publish('bench.loop', stamp());
  await c.done;
  return summarize(messages, start, c.latencies);
}

export async function runRawNats(url: string, messages: number): Promise<LoopResult> {
  const u = new URL(url);
  // The adapter connects with noAsyncTraces (nats.js otherwise captures two stack traces per request); the raw
  // loop gets the same client setting, so the ratio is the adapter's own overhead, not a connection option.
  const nc = await natsConnect({ servers: `${u.hostname}:${u.port || 4222}`, noAsyncTraces: true });
  const jsm = await jetstreamManager(nc);
  const stream = `raw${randomBytes(4).toString('hex')}`;
  await jsm.streams.add({ name: stream, subjects: [`${stream}.>`] });
  await jsm.consumers.add(stream, {
    durable_name: 'c',
    ack_policy: AckPolicy.Explicit,
    filter_subject: `${stream}.loop`,
    deliver_policy: DeliverPolicy.New,
    ack_wait: nanos(30_000),
    max_deliver: -1,
  });
  const js = jetstream(nc);
  const consumer = await js.consumers.get(stream, 'c');
  const iter = await consumer.consume({ max_messages: 1024 });
  const c = collector(messages);
  void (async () => {
    for await (const m of iter) {
      c.record(sentAtOf(m.data));
      m.ack();
    }
  })();
  const start = performance.now();
  for (let i = 0; i < messages; i++) await js.publish(`${stream}.loop`, stamp());
  await c.done;
  const result = summarize(messages, start, c.latencies);
  await iter.close();
  await jsm.streams.delete(stream);
  await nc.close();
  return result;
}

export async function runRawRedis(url: string, messages: number): Promise<LoopResult> {
  const redis = new Redis(url);
  const reader = new Redis(url);
  const key = `raw-bench:${randomBytes(4).toString('hex')}`;
  await redis.call('XGROUP', 'CREATE', key, 'g', '$', 'MKSTREAM');
  const c = collector(messages);
  let stop = false;
  void (async () => {
    while (!stop) {
      const reply = (await reader.callBuffer(
        'XREADGROUP',
        'GROUP',
        'g',
        'c',
        'COUNT',
        64,
        'BLOCK',
        1000,
        'STREAMS',
        key,
        '>',
      )) as Array<[Buffer, Array<[Buffer, Buffer[]]>]> | null;
      for (const [id, fields] of reply?.[0]?.[1] ?? []) {
        c.record(sentAtOf(fields[1]!));
        await redis.call('XACK', key, 'g', id);
      }
    }
  })().catch(() => {});
  const start = performance.now();
  for (let i = 0; i < messages; i++) await redis.call('XADD', key, 'MAXLEN', '~', 100000, '*', 'd', stamp());
  await c.done;
  const result = summarize(messages, start, c.latencies);
  stop = true;
  reader.disconnect();
  await redis.del(key);
  redis.disconnect();
  return result;
}

export async function runRawAmqp(url: string, messages: number): Promise<LoopResult> {
  // The adapter turns Nagle off (amqplib leaves it on, and every confirmed publish then waited ~40 ms for the
  // broker's delayed ACK); the raw loop gets the same socket option, as the NATS loop gets noAsyncTraces, so the
  // ratio is the adapter's own overhead. Before 2026-12-07 18:00 both sides ran with Nagle (23 msg/s each).
  const conn = await amqpConnect(url, { noDelay: true });
  const pub = await conn.createConfirmChannel();
  const sub = await conn.createChannel();
  const exchange = `raw-bench-${randomBytes(4).toString('hex')}`;
  await pub.assertExchange(exchange, 'topic', { durable: true });
  await sub.prefetch(1024);
  const { queue } = await sub.assertQueue('', { exclusive: true, autoDelete: true });
  await sub.bindQueue(queue, exchange, 'bench.loop');
  const c = collector(messages);
  await sub.consume(queue, (msg) => {
    if (msg) {
      c.record(sentAtOf(msg.content));
      sub.ack(msg);
    }
  });
  const start = performance.now();
  for (let i = 0; i < messages; i++) {
    await new Promise<void>((resolve, reject) =>
      pub.publish(exchange, 'bench.loop', stamp(), { persistent: true }, (e: unknown) => (e ? reject(e) : resolve())),
    );
  }
  await c.done;
  const result = summarize(messages, start, c.latencies);
  await pub.deleteExchange(exchange);
  await conn.close();
  return result;
}

export async function openAdapters(
  urls: { nats: string; redis: string; amqp: string },
  namespace: string,
): Promise<Record<'nats' | 'redis' | 'amqp', () => Promise<Broker>>> {
  return {
    nats: () => NatsBroker.connect({ url: urls.nats, namespace }),
    redis: () => RedisStreamsBroker.connect({ url: urls.redis, namespace }),
    amqp: () => AmqpBroker.connect({ url: urls.amqp, namespace }),
  };
}
