import { Redis } from 'ioredis';
import { describe, expect, inject, it, vi } from 'vitest';
import { RedisStreamsBroker } from './redis-streams.ts';
import { describeBrokerConformance, uniqueName } from './__tests__/broker-conformance.ts';

const url = inject('services').redis;

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
  it('delivers foreign or malformed stream entries with what can be read, never stopping the read loop', async () => {
    const namespace = uniqueName();
    const broker = await RedisStreamsBroker.connect({ url: url!, namespace });
    const raw = new Redis(url!);
    try {
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
    } finally {
      raw.disconnect();
      await broker.close();
      await RedisStreamsBroker.destroyNamespace(url!, namespace);
    }
  });
});
