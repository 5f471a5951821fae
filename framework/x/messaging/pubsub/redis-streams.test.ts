import { Redis } from 'ioredis';
import { describe, expect, inject, it, vi } from 'vitest';
import { createAckBatcher, RedisStreamsBroker, type RedisStreamsBrokerOptions } from './redis-streams.ts';
import { describeBrokerConformance, uniqueName } from './__tests__/broker-conformance.ts';
import { addressOf, startTcpProxy } from './__tests__/tcp-proxy.ts';
import type { Delivery } from './types.ts';
import { connect, createServer, type Socket } from 'node:net';

/** The pending count of a stream's group number `index` (XINFO GROUPS). */
async function pendingOf(raw: Redis, key: string, index: number): Promise<unknown> {
  const groups = (await raw.call('XINFO', 'GROUPS', key)) as unknown[][];
  const g = groups[index]!;
  return g[g.indexOf('pending') + 1];
}

/**
 * A pass-through proxy that counts how many times a command name appears in what clients send and,
 * when asked, holds back the server's replies on a connection from the moment it carried that command.
 */
async function startCommandProxy(
  target: { host: string; port: number },
  command: string,
): Promise<{
  url(template: string): string;
  count(): number;
  holdReplies(on: boolean): void;
  close(): Promise<void>;
}> {
  const needle = Buffer.from(`$${command.length}\r\n${command}\r\n`);
  const sockets = new Set<Socket>();
  const releases = new Set<() => void>();
  let count = 0;
  let hold = false;
  const server = createServer((client) => {
    const upstream = connect(target);
    sockets.add(client).add(upstream);
    let seen = false;
    let held: Buffer[] | undefined;
    client.on('data', (chunk: Buffer) => {
      for (let i = chunk.indexOf(needle); i !== -1; i = chunk.indexOf(needle, i + 1)) {
        count++;
        seen = true;
      }
      if (seen && hold && held === undefined) {
        held = [];
        releases.add(() => {
          for (const h of held!.splice(0)) client.write(h);
          held = undefined;
        });
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (held !== undefined) held.push(chunk);
      else client.write(chunk);
    });
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: (template) => {
      const u = new URL(template);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    count: () => count,
    holdReplies: (on) => {
      hold = on;
      if (!on) for (const r of releases) r();
      if (!on) releases.clear();
    },
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

const url = inject('services').redis;

interface BrokerFixture {
  readonly broker: RedisStreamsBroker;
  readonly namespace: string;
  /** A direct client (never through a test's proxy), for writing and inspecting streams. */
  readonly raw: Redis;
}

/**
 * Connects a broker to a fresh namespace (through `proxy` when given) and runs `body` with it; then,
 * whatever `body` did, disconnects the raw client, closes the broker, closes the proxy and removes
 * the namespace.
 */
async function withBroker(
  options: Omit<RedisStreamsBrokerOptions, 'url' | 'namespace'> & {
    readonly proxy?: { url(template: string): string; close(): Promise<void> };
  },
  body: (fixture: BrokerFixture) => Promise<void>,
): Promise<void> {
  const { proxy, ...rest } = options;
  const namespace = uniqueName();
  let broker: RedisStreamsBroker | undefined;
  let raw: Redis | undefined;
  try {
    // Inside the try: a failed connect still closes the test's proxy.
    broker = await RedisStreamsBroker.connect({ ...rest, url: proxy?.url(url!) ?? url!, namespace });
    raw = new Redis(url!);
    await body({ broker, namespace, raw });
  } finally {
    raw?.disconnect();
    await broker?.close();
    await proxy?.close();
    await RedisStreamsBroker.destroyNamespace(url!, namespace);
  }
}

describeBrokerConformance({
  name: 'Redis Streams',
  capabilities: {
    wildcards: false,
    queueGroups: true,
    brokerRedelivery: true,
    replay: true,
    overflowPolicies: ['block'],
    delivery: 'at-least-once',
    durable: true,
  },
  unavailable: url === null ? 'Redis is not reachable' : false,
  create: (namespace, via) =>
    RedisStreamsBroker.connect({
      url: via ?? url!,
      namespace,
      maxPayloadBytes: 1024,
      publishTimeoutMs: 1000,
      reconnect: { minDelayMs: 50, maxDelayMs: 400 },
    }),
  cleanup: (namespace) => RedisStreamsBroker.destroyNamespace(url!, namespace),
  serviceUrl: url ?? undefined,
  ackWaitMs: 300,
});

describe.skipIf(url === null)('RedisStreamsBroker entries from other writers', () => {
  it('delivers foreign or malformed stream entries with what can be read, never stopping the read loop', () =>
    withBroker({}, async ({ broker, namespace, raw }) => {
      const got: Array<{ data: string; headers: Record<string, string>; id: string }> = [];
      await broker.subscribe('t.foreign', (m) => {
        got.push({ data: Buffer.from(m.data).toString(), headers: m.headers, id: m.id });
      });
      const key = `${namespace}:s:t.foreign`;
      const ids = [
        await raw.xadd(key, '*', 'h', '{not json', 'd', 'reversed'),
        await raw.xadd(key, '*', 'other', 'field'),
        await raw.xadd(key, '*', 'd', 'first', 'h', '{"a":"1","b":2,"c":null}', 'd', 'second'),
        await raw.xadd(key, '*', 'dd', 'not-d', 'h', '[1,2]'),
      ];
      await broker.publish('t.foreign', 'ours', { headers: { k: 'v' } });
      await vi.waitFor(() => expect(got).toHaveLength(5), { timeout: 5_000, interval: 10 });
      expect(got.slice(0, 4)).toEqual([
        { data: 'reversed', headers: {}, id: ids[0] },
        { data: '', headers: {}, id: ids[1] },
        { data: 'second', headers: { a: '1' }, id: ids[2] },
        { data: '', headers: {}, id: ids[3] },
      ]);
      expect(got[4]).toMatchObject({ data: 'ours', headers: { k: 'v' } });
      // Every one of them was acknowledged: nothing pending in the group on the server.
      await vi.waitFor(async () => {
        expect(await broker.metrics()).toMatchObject({ subscriptions: [{ acked: 5 }] });
        const [group] = (await raw.call('XINFO', 'GROUPS', key)) as unknown[][];
        expect(group![group!.indexOf('pending') + 1]).toBe(0);
      });
    }));
});

describe('createAckBatcher', () => {
  const recorder = (): {
    sent: Array<Array<Buffer | string>>;
    send: (ids: Array<Buffer | string>) => Promise<number>;
  } => {
    const sent: Array<Array<Buffer | string>> = [];
    return {
      sent,
      send: async (ids) => {
        sent.push(ids);
        return ids.length;
      },
    };
  };

  it('sends the acks queued within maxDelayMs as one XACK and settles each with it', async () => {
    vi.useFakeTimers();
    try {
      const { sent, send } = recorder();
      const acks = createAckBatcher(send, 64, 10);
      const a = acks.add('1-0');
      await vi.advanceTimersByTimeAsync(5);
      const b = acks.add(Buffer.from('1-1'));
      expect(a).toBe(b);
      expect(sent).toEqual([]);
      await vi.advanceTimersByTimeAsync(5);
      expect(sent).toEqual([['1-0', Buffer.from('1-1')]]);
      await Promise.all([a, b]);
      // The next ack starts a new batch with its own deadline.
      const c = acks.add('2-0');
      expect(c).not.toBe(a);
      await vi.advanceTimersByTimeAsync(10);
      await c;
      expect(sent).toEqual([['1-0', Buffer.from('1-1')], ['2-0']]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('sends a full batch on the next microtask, or through flushVia when taken first', async () => {
    const { sent, send } = recorder();
    const acks = createAckBatcher(send, 3, 1000);
    acks.add('1');
    acks.add('2');
    expect(acks.full).toBe(false);
    const last = acks.add('3');
    expect(acks.full).toBe(true);
    await last;
    expect(sent).toEqual([['1', '2', '3']]);
    // Taken by the read loop in the same turn: its own connection sends it, the microtask finds nothing.
    const other: Array<Array<Buffer | string>> = [];
    for (const id of ['4', '5', '6']) acks.add(id);
    acks.flushVia(async (ids) => other.push(ids));
    acks.flushVia(async (ids) => other.push(ids));
    await acks.settled();
    expect(other).toEqual([['4', '5', '6']]);
    expect(sent).toEqual([['1', '2', '3']]);
  });

  it('rejects every ack of a failed batch (thrown or rejected) and keeps batching afterwards', async () => {
    let mode: 'throw' | 'reject' | 'ok' = 'throw';
    const sent: Array<Array<Buffer | string>> = [];
    const acks = createAckBatcher(
      (ids) => {
        sent.push(ids);
        if (mode === 'throw') throw new Error('stream not writable');
        return mode === 'reject' ? Promise.reject(new Error('Connection is closed.')) : Promise.resolve(1);
      },
      2,
      1000,
    );
    const thrown = [acks.add('1-0'), acks.add('1-1')];
    for (const r of await Promise.allSettled(thrown))
      expect(r).toMatchObject({ status: 'rejected', reason: { message: 'stream not writable' } });
    mode = 'reject';
    const rejected = [acks.add('2-0'), acks.add('2-1')];
    for (const r of await Promise.allSettled(rejected))
      expect(r).toMatchObject({ status: 'rejected', reason: { message: 'Connection is closed.' } });
    mode = 'ok';
    const ok = acks.add('3-0');
    await acks.settled();
    await expect(ok).resolves.toBeUndefined();
    expect(sent).toEqual([['1-0', '1-1'], ['2-0', '2-1'], ['3-0']]);
  });

  it('settled() sends what is queued and waits for every batch in flight, failed ones included', async () => {
    const replies: Array<() => void> = [];
    const acks = createAckBatcher(
      () =>
        new Promise((resolve, reject) =>
          replies.push(replies.length === 0 ? () => reject(new Error('x')) : () => resolve(1)),
        ),
      1,
      60_000,
    );
    await expect(acks.settled()).resolves.toBeUndefined();
    const first = acks.add('1-0').catch(() => 'failed');
    await vi.waitFor(() => expect(replies).toHaveLength(1));
    const second = acks.add('2-0');
    const third = createAckBatcher(async () => 1, 10, 60_000);
    const queued = third.add('x');
    // Not full and far from its deadline: settled() sends it rather than waiting a minute.
    await third.settled();
    await queued;
    let done = false;
    const waiting = acks.settled().then(() => (done = true));
    await vi.waitFor(() => expect(replies).toHaveLength(2));
    replies[0]!();
    expect(await first).toBe('failed');
    await new Promise((r) => setTimeout(r, 5));
    expect(done).toBe(false);
    replies[1]!();
    await second;
    await waiting;
    expect(done).toBe(true);
  });
});

describe.skipIf(url === null)('RedisStreamsBroker batched acks', () => {
  it('acks a whole XREADGROUP reply of synchronous handlers with one XACK', async () => {
    const counter = await startCommandProxy(addressOf(url!), 'XACK');
    await withBroker({ proxy: counter }, async ({ broker, namespace, raw }) => {
      const order: string[] = [];
      const key = `${namespace}:s:t.batch`;
      // Written before the subscription, read from the start: one XREADGROUP reply carries all 30.
      for (let i = 0; i < 30; i++) await raw.xadd(key, '*', 'd', String(i));
      await broker.subscribe(
        't.batch',
        (m) => {
          order.push(Buffer.from(m.data).toString());
        },
        { from: { kind: 'all' } },
      );
      await vi.waitFor(() => expect(order).toHaveLength(30), { timeout: 5_000, interval: 5 });
      await vi.waitFor(async () => expect(await pendingOf(raw, key, 0)).toBe(0));
      expect(order).toEqual(Array.from({ length: 30 }, (_, i) => String(i)));
      // One XACK per entry before batching.
      expect(counter.count()).toBeGreaterThan(0);
      expect(counter.count()).toBeLessThanOrEqual(2);
    });
  });

  it('starts the next async handler once the previous one queued its ack, without waiting for the XACK reply', async () => {
    const proxy = await startCommandProxy(addressOf(url!), 'XACK');
    await withBroker({ proxy }, async ({ broker, namespace, raw }) => {
      const order: string[] = [];
      let running = 0;
      let most = 0;
      const key = `${namespace}:s:t.seq`;
      // Written before the subscription, read from the start: one XREADGROUP reply carries all 30.
      for (let i = 0; i < 30; i++) await raw.xadd(key, '*', 'd', String(i));
      // From its first XACK on, a connection gets no replies: the handlers must not need them.
      proxy.holdReplies(true);
      await broker.subscribe(
        't.seq',
        async (m) => {
          running++;
          most = Math.max(most, running);
          order.push(Buffer.from(m.data).toString());
          await new Promise((r) => setImmediate(r));
          running--;
        },
        { from: { kind: 'all' }, ackWaitMs: 1000 },
      );
      await vi.waitFor(() => expect(order).toHaveLength(30), { timeout: 5_000, interval: 10 });
      expect(order).toEqual(Array.from({ length: 30 }, (_, i) => String(i)));
      expect(most).toBe(1);
      await vi.waitFor(() => expect(proxy.count()).toBeGreaterThan(0));
      proxy.holdReplies(false);
      await vi.waitFor(async () => expect(await pendingOf(raw, key, 0)).toBe(0));
    });
  });

  it('close() resolves only after the acks of handlers that ran are on the server', () =>
    withBroker({}, async ({ broker, namespace, raw }) => {
      let seen = 0;
      await broker.subscribe(
        't.close',
        () => {
          seen++;
        },
        { group: 'keep' },
      );
      const key = `${namespace}:s:t.close`;
      for (let i = 0; i < 50; i++) await broker.publish('t.close', String(i));
      await vi.waitFor(() => expect(seen).toBe(50), { timeout: 5_000, interval: 1 });
      await broker.close();
      const [group] = (await raw.call('XINFO', 'GROUPS', key)) as unknown[][];
      expect(group![group!.indexOf('pending') + 1]).toBe(0);
    }));

  it('a batch of acks lost with a cut connection is reported per message and the entries are redelivered', async () => {
    const proxy = await startTcpProxy(addressOf(url!));
    const options = {
      proxy,
      // A probe publish written just before the client saw the cut waits for its deadline: keep it short.
      publishTimeoutMs: 300,
      reconnect: { minDelayMs: 20, maxDelayMs: 100 },
    };
    await withBroker(options, async ({ broker, namespace, raw }) => {
      const held: Delivery[] = [];
      const counts: Array<[string, number]> = [];
      const errors: Array<[unknown, string]> = [];
      let ackAtOnce = false;
      await broker.subscribe(
        't.cut',
        async (m) => {
          counts.push([Buffer.from(m.data).toString(), m.deliveryCount]);
          if (ackAtOnce) await m.ack();
          else held.push(m);
        },
        { ack: 'manual', ackWaitMs: 200, onError: (e, m) => errors.push([e, Buffer.from(m.data).toString()]) },
      );
      const key = `${namespace}:s:t.cut`;
      for (const d of ['a', 'b', 'c']) await raw.xadd(key, '*', 'd', d);
      await vi.waitFor(() => expect(held).toHaveLength(3), { timeout: 5_000, interval: 5 });
      proxy.cut();
      // Once the client knows its connection is gone (a publish fails at once), the batch's one XACK fails:
      // every ack still resolves (settling never throws) and each message's failure is reported.
      await vi.waitFor(() => expect(broker.publish('t.probe', 'x')).rejects.toThrow(), { timeout: 8_000, interval: 5 });
      ackAtOnce = true;
      await Promise.all(held.map((m) => m.ack()));
      expect(errors.map(([, d]) => d).sort()).toEqual(['a', 'b', 'c']);
      proxy.resume();
      // Still pending on the server, so XAUTOCLAIM hands them out again after ackWaitMs; acked this time.
      await vi.waitFor(
        () => {
          for (const d of ['a', 'b', 'c'])
            expect(
              counts.some(([x, n]) => x === d && n > 1),
              d,
            ).toBe(true);
        },
        { timeout: 8_000, interval: 10 },
      );
      await vi.waitFor(async () => {
        const [group] = (await raw.call('XINFO', 'GROUPS', key)) as unknown[][];
        expect(group![group!.indexOf('pending') + 1]).toBe(0);
      });
      expect(errors).toHaveLength(3);
    });
  });

  it('refuses a readLingerMs that is not an integer from 0 to 1000', async () => {
    for (const readLingerMs of [-1, 1.5, 1001, Number.NaN])
      await expect(RedisStreamsBroker.connect({ url: url!, readLingerMs })).rejects.toMatchObject({
        code: 'PUBSUB_INVALID_OPTIONS',
        message: expect.stringContaining('readLingerMs'),
      });
  });

  it('under steady traffic one read serves several messages while it lingers', async () => {
    const proxy = await startCommandProxy(addressOf(url!), 'XREADGROUP');
    await withBroker({ proxy, readLingerMs: 300 }, async ({ broker }) => {
      const got: string[] = [];
      await broker.subscribe('t.linger', (m) => {
        got.push(Buffer.from(m.data).toString());
      });
      const before = proxy.count();
      // Each publish awaited: without the linger the reader would be woken (and read again) for most of them.
      for (let i = 0; i < 50; i++) await broker.publish('t.linger', String(i));
      await vi.waitFor(() => expect(got).toHaveLength(50), { timeout: 5_000, interval: 10 });
      expect(got).toEqual(Array.from({ length: 50 }, (_, i) => String(i)));
      expect(proxy.count() - before).toBeLessThanOrEqual(6);
    });
  });
});
