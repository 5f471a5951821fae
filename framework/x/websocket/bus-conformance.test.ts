import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe, expect, inject, it } from 'vitest';
import { InProcessBroker } from 'plumego/x/messaging/pubsub';
import { createBrokerRoomBus } from './broker-bus.ts';
import { createMemoryBusNetwork, type RoomBus } from './bus.ts';
import { isWebSocketError } from './errors.ts';
import { createNatsRoomBus } from './nats-bus.ts';
import { createRedisRoomBus } from './redis-bus.ts';
import { waitFor } from './test-support.ts';

const services = inject('services');
const suffix = randomBytes(6).toString('hex');

interface BusFactory {
  name: string;
  skip: false | string;
  /** Buses created by one factory call share a channel. */
  network(): () => RoomBus;
}

const memory = createMemoryBusNetwork;
const factories: BusFactory[] = [
  {
    name: 'memory',
    skip: false,
    network: () => {
      const n = memory();
      return () => n.createBus();
    },
  },
  {
    name: 'pubsub in-process broker',
    skip: false,
    network: () => {
      const b = new InProcessBroker();
      return () => createBrokerRoomBus(b, { subject: 'plumego.test.ws' });
    },
  },
  {
    name: 'redis',
    skip: services.redis ? false : 'no Redis',
    network: () => {
      const ch = `plumego:test:bus:${suffix}:${randomBytes(3).toString('hex')}`;
      return () => createRedisRoomBus({ url: services.redis!, channel: ch });
    },
  },
  {
    name: 'nats',
    skip: services.nats ? false : 'no NATS',
    network: () => {
      const s = `plumego.test.bus.${suffix}.${randomBytes(3).toString('hex')}`;
      return () => createNatsRoomBus({ servers: services.nats!, subject: s });
    },
  },
];

// One suite, every RoomBus implementation.
for (const f of factories) {
  describe.skipIf(f.skip !== false)(`RoomBus conformance: ${f.name}`, () => {
    it('delivers every published payload, byte for byte, to every subscriber in publish order', async () => {
      const make = f.network();
      const [x, y, z] = [make(), make(), make()];
      const gotY: Buffer[] = [];
      const gotZ: Buffer[] = [];
      await y.subscribe((p) => gotY.push(p));
      await z.subscribe((p) => gotZ.push(p));
      const payloads = [Buffer.from([0, 1, 2, 255]), Buffer.from('second'), Buffer.alloc(70_000, 7)];
      for (const p of payloads) await x.publish(p);
      await waitFor(() => gotY.length === 3 && gotZ.length === 3);
      expect(gotY.map((b) => Buffer.compare(b, payloads[gotY.indexOf(b)]!))).toEqual([0, 0, 0]);
      expect(gotZ.map((b) => b.byteLength)).toEqual([4, 6, 70_000]);
      await Promise.all([x.close(), y.close(), z.close()]);
    });

    it('stops delivering after close', async () => {
      const make = f.network();
      const [x, y] = [make(), make()];
      const got: Buffer[] = [];
      await y.subscribe((p) => got.push(p));
      await x.publish(Buffer.from('one'));
      await waitFor(() => got.length === 1);
      await y.close();
      await x.publish(Buffer.from('two'));
      await new Promise((r) => setTimeout(r, 50));
      expect(got.map(String)).toEqual(['one']);
      await x.close();
    });
  });
}

describe('bus failures', () => {
  it('fails a NATS publish to an unreachable server with WEBSOCKET_BUS_FAILED', async () => {
    const bus = createNatsRoomBus({ servers: 'nats://127.0.0.1:1', subject: 'x' });
    const err = await bus.publish(Buffer.from('x')).catch((e: unknown) => e);
    expect(isWebSocketError(err, 'WEBSOCKET_BUS_FAILED')).toBe(true);
  });

  it('fails a Redis subscribe to an unreachable server with WEBSOCKET_BUS_FAILED', async () => {
    const bus = createRedisRoomBus({ url: 'redis://127.0.0.1:1', channel: 'x' });
    const err = await bus.subscribe(() => undefined).catch((e: unknown) => e);
    expect(isWebSocketError(err, 'WEBSOCKET_BUS_FAILED')).toBe(true);
    await bus.close();
  });

  it('refuses missing endpoints and bad channel names when built', () => {
    expect(() => createBrokerRoomBus(new InProcessBroker(), { subject: 'bad subject' })).toThrow(/subject/);
    expect(() => createBrokerRoomBus({} as never)).toThrow(/broker/);
    expect(() => createRedisRoomBus({})).toThrow(/url/);
    expect(() => createNatsRoomBus({})).toThrow(/servers/);
    expect(() => createNatsRoomBus({ servers: 'nats://x', subject: 'a.*' })).toThrow(/subject/);
  });

  it.skipIf(!services.redis)(
    'resubscribes after Redis kills the subscriber connection (messages in the gap are lost)',
    async () => {
      const channel = `plumego:test:bus:${suffix}:kill`;
      const admin = new Redis(services.redis!);
      const name = `plumego-ws-test-${suffix}`;
      // The bus subscribes on a duplicate of this client, which keeps its connection name.
      const sub = new Redis(services.redis!, { connectionName: name });
      const bus = createRedisRoomBus({ client: sub, channel });
      const publisher = createRedisRoomBus({ url: services.redis!, channel });
      const got: string[] = [];
      await bus.subscribe((p) => got.push(p.toString()));
      await publisher.publish(Buffer.from('before'));
      await waitFor(() => got.length === 1);
      // Kill only this test's subscriber connection (the server is shared); ioredis must reconnect and subscribe again.
      const list = String(await admin.client('LIST'));
      const ids = list
        .split('\n')
        .filter((l) => l.includes(` name=${name} `) && / sub=[1-9]/.test(l))
        .map((l) => /^id=(\d+)/.exec(l)![1]!);
      expect(ids.length).toBe(1);
      expect(Number(await admin.client('KILL', 'ID', ids[0]!))).toBe(1);
      for (let i = 0; i < 200 && !got.includes('after'); i++) {
        await publisher.publish(Buffer.from('after'));
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(got[0]).toBe('before');
      expect(got).toContain('after');
      await Promise.all([bus.close(), publisher.close()]);
      sub.disconnect();
      admin.disconnect();
    },
  );
});
