/**
 * The one conformance suite every Broker runs. Cases a backend cannot support run anyway and assert
 * that subscribing with that feature fails PUBSUB_UNSUPPORTED — a capability flag is a checked claim,
 * never a silent skip.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { Broker, BrokerCapabilities, Delivery, Message, SubscribeOptions } from '../types.ts';
import { addressOf, startTcpProxy } from './tcp-proxy.ts';

export interface ConformanceTarget {
  readonly name: string;
  readonly capabilities: BrokerCapabilities;
  /** Why the whole suite cannot run here (a service is not reachable), or false. */
  readonly unavailable: string | false;
  /** A broker on `namespace`; `url` routes the connection elsewhere (through the fault proxy). */
  create(namespace: string, url?: string): Promise<Broker>;
  /** Removes the namespace's server-side state (streams, keys, queues). */
  cleanup?(namespace: string): Promise<void>;
  /** The server address, for the connection-cut case; absent for the in-process broker. */
  readonly serviceUrl?: string | undefined;
  /** Short ack wait so redelivery cases stay fast. */
  readonly ackWaitMs: number;
}

const text = new TextDecoder();
export const decode = (m: Message): string => text.decode(m.data);
export const uniqueName = (): string => `t${randomBytes(5).toString('hex')}`;
const WAIT = { timeout: 8_000, interval: 10 };

export function describeBrokerConformance(target: ConformanceTarget): void {
  const caps = target.capabilities;
  describe.skipIf(target.unavailable !== false)(`${target.name} broker conformance`, () => {
    const namespaces: string[] = [];
    const brokers: Broker[] = [];
    const open = async (namespace = uniqueName(), url?: string): Promise<Broker> => {
      if (!namespaces.includes(namespace)) namespaces.push(namespace);
      const b = await target.create(namespace, url);
      brokers.push(b);
      return b;
    };
    afterAll(async () => {
      await Promise.allSettled(brokers.map((b) => b.close()));
      if (target.cleanup) await Promise.allSettled(namespaces.map((n) => target.cleanup!(n)));
    });
    const sub = (o: SubscribeOptions = {}): SubscribeOptions => ({ ackWaitMs: target.ackWaitMs, ...o });

    it('declares the capabilities the suite was told about', async () => {
      const b = await open();
      expect(b.capabilities).toEqual(caps);
    });

    it('delivers exact-subject messages in order with data and headers', async () => {
      const b = await open();
      const got: Delivery[] = [];
      await b.subscribe(
        'orders.created',
        (m) => {
          got.push(m);
        },
        sub(),
      );
      await b.subscribe(
        'orders.other',
        () => {
          throw new Error('must not be called');
        },
        sub(),
      );
      for (let i = 0; i < 5; i++) await b.publish('orders.created', `o${i}`, { headers: { 'trace-id': `x${i}` } });
      await vi.waitFor(() => expect(got).toHaveLength(5), WAIT);
      expect(got.map(decode)).toEqual(['o0', 'o1', 'o2', 'o3', 'o4']);
      expect(got[2]).toMatchObject({ subject: 'orders.created', deliveryCount: 1, headers: { 'trace-id': 'x2' } });
      expect(new Set(got.map((m) => m.id)).size).toBe(5);
      // A delivery's fields are getters (decoded on first read): its JSON must still carry all of them.
      const json = JSON.parse(JSON.stringify(got[3])) as Record<string, unknown>;
      expect(Object.keys(json).sort()).toEqual(['data', 'deliveryCount', 'headers', 'id', 'subject']);
      expect(json).toMatchObject({
        id: got[3]!.id,
        subject: 'orders.created',
        deliveryCount: 1,
        headers: { 'trace-id': 'x3' },
      });
      // A Uint8Array writes its bytes by index, a Buffer (some clients hand one out) as { type, data }.
      const data = json.data as { type?: string; data?: number[] } & Record<string, number>;
      expect(data.type === 'Buffer' ? data.data : Object.values(data)).toEqual([...new TextEncoder().encode('o3')]);
    });

    it('fans every message out to each plain subscriber', async () => {
      const b = await open();
      const a: string[] = [];
      const c: string[] = [];
      await b.subscribe(
        'fan.out',
        (m) => {
          a.push(decode(m));
        },
        sub(),
      );
      await b.subscribe(
        'fan.out',
        (m) => {
          c.push(decode(m));
        },
        sub(),
      );
      await b.publish('fan.out', '1');
      await b.publish('fan.out', '2');
      await vi.waitFor(() => {
        expect(a).toEqual(['1', '2']);
        expect(c).toEqual(['1', '2']);
      }, WAIT);
    });

    it(`matches wildcard patterns${caps.wildcards ? '' : ' (unsupported here: refused with PUBSUB_UNSUPPORTED)'}`, async () => {
      const b = await open();
      if (!caps.wildcards) {
        await expect(b.subscribe('orders.*', () => {}, sub())).rejects.toMatchObject({ code: 'PUBSUB_UNSUPPORTED' });
        return;
      }
      const one: string[] = [];
      const tail: string[] = [];
      await b.subscribe(
        'orders.*',
        (m) => {
          one.push(m.subject);
        },
        sub(),
      );
      await b.subscribe(
        'orders.>',
        (m) => {
          tail.push(m.subject);
        },
        sub(),
      );
      for (const s of ['orders.a', 'orders.a.b', 'other.a', 'orders.b']) await b.publish(s, s);
      await vi.waitFor(() => expect(tail.sort()).toEqual(['orders.a', 'orders.a.b', 'orders.b']), WAIT);
      await vi.waitFor(() => expect(one.sort()).toEqual(['orders.a', 'orders.b']), WAIT);
    });

    it(`shares a queue group's messages without duplicates${caps.queueGroups ? '' : ' (unsupported here)'}`, async () => {
      const b = await open();
      if (!caps.queueGroups) {
        await expect(b.subscribe('work.items', () => {}, sub({ group: 'g' }))).rejects.toMatchObject({
          code: 'PUBSUB_UNSUPPORTED',
        });
        return;
      }
      const seen: Record<string, string[]> = { a: [], b: [] };
      // A small delay per message lets the broker hand the next one to the other member.
      const slow =
        (who: 'a' | 'b') =>
        async (m: Message): Promise<void> => {
          seen[who]!.push(decode(m));
          await new Promise((r) => setTimeout(r, 5));
        };
      await b.subscribe('work.items', slow('a'), sub({ group: 'workers' }));
      await b.subscribe('work.items', slow('b'), sub({ group: 'workers' }));
      for (let i = 0; i < 20; i++) await b.publish('work.items', String(i));
      await vi.waitFor(() => expect(seen.a!.length + seen.b!.length).toBe(20), WAIT);
      expect(new Set([...seen.a!, ...seen.b!]).size).toBe(20);
      expect(seen.a!.length).toBeGreaterThan(0);
      expect(seen.b!.length).toBeGreaterThan(0);
    });

    it('redelivers a message whose handler throws, counting deliveries', async () => {
      const b = await open();
      const counts: number[] = [];
      const errors: unknown[] = [];
      // The hook gets the backend's own message object (fields decoded on first read): its JSON too.
      const reported: unknown[] = [];
      await b.subscribe(
        'flaky.job',
        (m) => {
          counts.push(m.deliveryCount);
          if (counts.length === 1) throw new Error('transient');
        },
        sub({
          maxDeliver: 3,
          onError: (e, m) => {
            errors.push(e);
            reported.push(JSON.parse(JSON.stringify(m)));
          },
        }),
      );
      await b.publish('flaky.job', 'x');
      await vi.waitFor(() => expect(counts).toEqual([1, 2]), WAIT);
      expect(errors).toHaveLength(1);
      expect(Object.keys(reported[0] as object).sort()).toEqual(['data', 'deliveryCount', 'headers', 'id', 'subject']);
      expect(reported[0]).toMatchObject({ subject: 'flaky.job', deliveryCount: 1, headers: {} });
    });

    it('dead-letters after maxDeliver failed deliveries and stops redelivering', async () => {
      const b = await open();
      let calls = 0;
      const dead: Delivery[] = [];
      await b.subscribe(
        'dlq.orders',
        (m) => {
          dead.push(m);
        },
        sub(),
      );
      await b.subscribe(
        'poison.orders',
        () => {
          calls++;
          throw Object.assign(new Error('bad'), { code: 'E_POISON' });
        },
        sub({ maxDeliver: 2, deadLetterSubject: 'dlq.orders' }),
      );
      await b.publish('poison.orders', 'p', { headers: { k: 'v' } });
      await vi.waitFor(() => expect(dead).toHaveLength(1), WAIT);
      expect(decode(dead[0]!)).toBe('p');
      expect(dead[0]!.headers).toMatchObject({
        k: 'v',
        'plumego-dl-subject': 'poison.orders',
        'plumego-dl-deliveries': '2',
      });
      await new Promise((r) => setTimeout(r, target.ackWaitMs * 2));
      expect(calls).toBe(2);
    });

    it('counts publishes, deliveries, acks, nacks, redeliveries and dead letters in metrics()', async () => {
      const b = await open();
      const dead: string[] = [];
      const good: string[] = [];
      await b.subscribe(
        'mdlq.q',
        (m) => {
          dead.push(decode(m));
        },
        sub(),
      );
      await b.subscribe(
        'mgood.q',
        (m) => {
          good.push(decode(m));
        },
        sub(),
      );
      await b.subscribe(
        'mpoison.q',
        () => {
          throw new Error('bad');
        },
        sub({ maxDeliver: 2, deadLetterSubject: 'mdlq.q' }),
      );
      await b.publish('mpoison.q', 'p');
      await b.publish('mgood.q', 'g');
      await vi.waitFor(() => {
        expect(dead).toEqual(['p']);
        expect(good).toEqual(['g']);
      }, WAIT);
      await vi.waitFor(async () => {
        const m = await b.metrics();
        expect(m).toMatchObject({ backend: b.backend, published: 2 });
        const by = Object.fromEntries(m.subscriptions.map((s) => [s.pattern, s]));
        expect(by['mpoison.q']).toMatchObject({
          group: undefined,
          delivered: 2,
          acked: 0,
          nacked: 2,
          redelivered: 1,
          deadLettered: 1,
        });
        expect(by['mdlq.q']).toMatchObject({ delivered: 1, acked: 1, nacked: 0, redelivered: 0, deadLettered: 0 });
        expect(by['mgood.q']).toMatchObject({ delivered: 1, acked: 1, nacked: 0 });
        for (const s of m.subscriptions) if (s.depth !== undefined) expect(s.depth).toBeGreaterThanOrEqual(0);
      }, WAIT);
      await expect(b.publish('mgood.q', new Uint8Array(4096))).rejects.toMatchObject({
        code: 'PUBSUB_PAYLOAD_TOO_LARGE',
      });
      expect((await b.metrics()).published).toBe(2);
    });

    it('reports a backlog as queue depth while the handler is held', async () => {
      const b = await open();
      let release!: () => void;
      const gate = new Promise<void>((r) => {
        release = r;
      });
      const got: string[] = [];
      // A server-backed broker takes one message at a time, so the backlog stays on the server (RabbitMQ
      // queue, Redis group lag, JetStream consumer); a process-local one holds it in the subscriber's buffer.
      const bufferSize = caps.durable ? 1 : 64;
      await b.subscribe(
        'depth.q',
        async (m) => {
          await gate;
          got.push(decode(m));
        },
        sub({ bufferSize, ...(caps.queueGroups ? { group: 'depth' } : {}) }),
      );
      for (let i = 0; i < 6; i++) await b.publish('depth.q', String(i));
      await vi.waitFor(async () => {
        const [s] = (await b.metrics()).subscriptions;
        expect(s!.depth).toBeGreaterThanOrEqual(3);
      }, WAIT);
      release();
      await vi.waitFor(() => expect(got).toHaveLength(6), WAIT);
      await vi.waitFor(async () => expect((await b.metrics()).subscriptions[0]!.depth).toBe(0), WAIT);
    });

    it('manual ack: nack redelivers, ack settles for good', async () => {
      const b = await open();
      const seen: Array<[string, number]> = [];
      await b.subscribe(
        'manual.q',
        async (m) => {
          seen.push([decode(m), m.deliveryCount]);
          if (decode(m) === 'n' && m.deliveryCount === 1) await m.nack();
          else await m.ack();
        },
        sub({ ack: 'manual', maxDeliver: 5 }),
      );
      await b.publish('manual.q', 'n');
      await b.publish('manual.q', 'a');
      await vi.waitFor(() => expect(seen).toContainEqual(['n', 2]), WAIT);
      await new Promise((r) => setTimeout(r, target.ackWaitMs * 2));
      expect(seen.filter(([d]) => d === 'a')).toEqual([['a', 1]]);
      expect(seen.filter(([d]) => d === 'n')).toHaveLength(2);
    });

    it(`redelivers a delivery never acknowledged within ackWaitMs${caps.delivery === 'at-least-once' ? '' : ' (at-most-once backend: retried in-process)'}`, async () => {
      const b = await open();
      const seen: number[] = [];
      await b.subscribe(
        'stuck.q',
        async (m) => {
          seen.push(m.deliveryCount);
          if (m.deliveryCount > 1) await m.ack();
        },
        sub({ ack: 'manual' }),
      );
      await b.publish('stuck.q', 's');
      await vi.waitFor(() => expect(seen.length).toBeGreaterThanOrEqual(2), WAIT);
      expect(seen[1]).toBeGreaterThanOrEqual(2);
    });

    it(`replays history from the start or a time${caps.replay ? '' : ' (unsupported here)'}`, async () => {
      const b = await open();
      if (!caps.replay) {
        await expect(b.subscribe('hist.q', () => {}, sub({ from: { kind: 'all' } }))).rejects.toMatchObject({
          code: 'PUBSUB_UNSUPPORTED',
        });
        return;
      }
      await b.publish('hist.q', 'old');
      await new Promise((r) => setTimeout(r, 20));
      const mid = new Date();
      await new Promise((r) => setTimeout(r, 20));
      await b.publish('hist.q', 'newer');
      const all: string[] = [];
      const since: string[] = [];
      const fresh: string[] = [];
      await b.subscribe(
        'hist.q',
        (m) => {
          all.push(decode(m));
        },
        sub({ from: { kind: 'all' } }),
      );
      await b.subscribe(
        'hist.q',
        (m) => {
          since.push(decode(m));
        },
        sub({ from: { kind: 'time', at: mid } }),
      );
      await b.subscribe(
        'hist.q',
        (m) => {
          fresh.push(decode(m));
        },
        sub(),
      );
      await b.publish('hist.q', 'live');
      await vi.waitFor(() => {
        expect(all).toEqual(['old', 'newer', 'live']);
        expect(since).toEqual(['newer', 'live']);
        expect(fresh).toEqual(['live']);
      }, WAIT);
    });

    it('refuses bad subjects, patterns, headers, options and oversized payloads with typed errors', async () => {
      const b = await open();
      const got: string[] = [];
      await b.subscribe(
        'limits.q',
        (m) => {
          got.push(decode(m));
        },
        sub(),
      );
      for (const s of ['', 'a..b', 'a.*', 'a.>', 'sp ace', 'x'.repeat(300), 'ü.v']) {
        await expect(b.publish(s, 'x')).rejects.toMatchObject({ code: 'PUBSUB_INVALID_SUBJECT' });
      }
      for (const p of ['a.>.b', 'a.b*', '', '>x']) {
        await expect(b.subscribe(p, () => {}, sub())).rejects.toMatchObject({ code: 'PUBSUB_INVALID_SUBJECT' });
      }
      await expect(b.publish('limits.q', new Uint8Array(2048))).rejects.toMatchObject({
        code: 'PUBSUB_PAYLOAD_TOO_LARGE',
        details: { size: 2048, limit: 1024 },
      });
      await expect(b.publish('limits.q', 'x', { headers: { 'plumego-dl-subject': 'forged' } })).rejects.toMatchObject({
        code: 'PUBSUB_INVALID_OPTIONS',
      });
      await expect(b.subscribe('limits.q', () => {}, sub({ maxDeliver: 0 }))).rejects.toMatchObject({
        code: 'PUBSUB_INVALID_OPTIONS',
      });
      await expect(b.subscribe('limits.q', () => {}, sub({ group: 'bad group' }))).rejects.toMatchObject({
        code: 'PUBSUB_INVALID_OPTIONS',
      });
      await b.publish('limits.q', new Uint8Array(1024));
      await vi.waitFor(() => expect(got).toHaveLength(1), WAIT);
    });

    it(`applies the overflow policies it claims (${caps.overflowPolicies.join(', ')}) and refuses the others`, async () => {
      const b = await open();
      for (const policy of ['block', 'drop-oldest', 'error'] as const) {
        if (!caps.overflowPolicies.includes(policy)) {
          await expect(b.subscribe('ovf.q', () => {}, sub({ overflow: policy }))).rejects.toMatchObject({
            code: 'PUBSUB_UNSUPPORTED',
          });
        }
      }
      if (caps.overflowPolicies.includes('block')) {
        // A one-message buffer and a handler held at a gate: `block` holds the publisher back
        // (in process) or leaves the backlog on the server, and nothing is lost.
        let release!: () => void;
        const gate = new Promise<void>((r) => {
          release = r;
        });
        const got: string[] = [];
        await b.subscribe(
          'ovf.block',
          async (m) => {
            await gate;
            got.push(decode(m));
          },
          sub({ overflow: 'block', bufferSize: 1 }),
        );
        const pubs = Promise.all(['1', '2', '3', '4'].map((d) => b.publish('ovf.block', d)));
        await new Promise((r) => setTimeout(r, 50));
        expect(got).toEqual([]);
        release();
        await pubs;
        await vi.waitFor(() => expect(got.sort()).toEqual(['1', '2', '3', '4']), WAIT);
      }
      if (caps.overflowPolicies.includes('drop-oldest')) {
        // The handler holds '1'; a one-message buffer keeps only the newest of the rest.
        let release!: () => void;
        const gate = new Promise<void>((r) => {
          release = r;
        });
        const got: string[] = [];
        const dropped: string[] = [];
        await b.subscribe(
          'ovf.drop',
          async (m) => {
            await gate;
            got.push(decode(m));
          },
          sub({
            overflow: 'drop-oldest',
            bufferSize: 1,
            onError: (e, m) => {
              expect(e).toMatchObject({ code: 'PUBSUB_BUFFER_FULL' });
              dropped.push(decode(m));
            },
          }),
        );
        for (const d of ['1', '2', '3', '4']) await b.publish('ovf.drop', d);
        await vi.waitFor(() => expect(dropped).toEqual(['2', '3']), WAIT);
        release();
        await vi.waitFor(() => expect(got).toEqual(['1', '4']), WAIT);
      }
    });

    it('rejects publish and subscribe after close with PUBSUB_CLOSED', async () => {
      const b = await open();
      await b.close();
      await expect(b.publish('closed.q', 'x')).rejects.toMatchObject({ code: 'PUBSUB_CLOSED' });
      await expect(b.subscribe('closed.q', () => {})).rejects.toMatchObject({ code: 'PUBSUB_CLOSED' });
      await b.close();
    });

    it.skipIf(target.serviceUrl === undefined || !caps.queueGroups)(
      `a consumer that dies before acking: ${caps.delivery === 'at-least-once' ? 'another consumer gets the message (at-least-once)' : 'the message is lost (at-most-once)'}`,
      async () => {
        const ns = uniqueName();
        const first = await open(ns);
        const second = await open(ns);
        let took = 0;
        await first.subscribe(
          'crash.q',
          () => {
            took++;
            return new Promise<void>(() => {});
          },
          sub({ group: 'crashers', ack: 'manual' }),
        );
        await first.publish('crash.q', 'survives');
        await vi.waitFor(() => expect(took).toBe(1), WAIT);
        await first.close(); // the handler never acked: as if the process died mid-job
        const got: Message[] = [];
        await second.subscribe(
          'crash.q',
          (m) => {
            got.push(m);
          },
          sub({ group: 'crashers' }),
        );
        if (caps.delivery === 'at-least-once') {
          await vi.waitFor(() => expect(got.map(decode)).toEqual(['survives']), WAIT);
          expect(got[0]!.deliveryCount).toBeGreaterThanOrEqual(2);
        } else {
          await new Promise((r) => setTimeout(r, target.ackWaitMs * 3));
          expect(got).toEqual([]);
        }
      },
    );

    it.skipIf(target.serviceUrl === undefined)(
      `re-dials a cut connection: in-flight publishes settle typed, publishing and the subscription resume${caps.delivery === 'at-least-once' ? ', nothing published meanwhile is lost' : ''}`,
      async () => {
        const ns = uniqueName();
        const proxy = await startTcpProxy(addressOf(target.serviceUrl!));
        try {
          const direct = await open(ns);
          const observed = new Set<string>();
          await direct.subscribe(
            'rejoin.q',
            (m) => {
              observed.add(decode(m));
            },
            sub(),
          );
          const cut = await open(ns, proxy.url(target.serviceUrl!));
          const got = new Set<string>();
          // A queue group where there is one: its server-side queue outlives the connection.
          await cut.subscribe(
            'rejoin.q',
            (m) => {
              got.add(decode(m));
            },
            sub(caps.queueGroups ? { group: 'rejoin' } : {}),
          );
          await cut.publish('rejoin.q', 'before');
          await vi.waitFor(() => expect(got.has('before')).toBe(true), WAIT);

          // Confirms outstanding at the cut: each publish resolves (and then arrives) or rejects typed; none hangs.
          const inflight = Promise.allSettled(Array.from({ length: 50 }, (_, i) => cut.publish('rejoin.q', `f${i}`)));
          proxy.cut();
          const during = ['d0', 'd1', 'd2'];
          for (const d of during) await direct.publish('rejoin.q', d);
          const settled = await inflight;
          for (const r of settled)
            if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'PUBSUB_PUBLISH_FAILED' });
          proxy.resume();

          // Publishing resumes once the client has re-dialled (a publish made meanwhile waits or fails typed).
          await vi.waitFor(() => cut.publish('rejoin.q', 'after'), WAIT);
          await vi.waitFor(() => expect(observed.has('after')).toBe(true), WAIT);
          settled.forEach((r, i) => {
            if (r.status === 'fulfilled') expect(observed.has(`f${i}`), `f${i}`).toBe(true);
          });
          // The subscription is back on the new connection.
          let n = 0;
          await vi.waitFor(async () => {
            await direct.publish('rejoin.q', `late${n++}`);
            await new Promise((r) => setTimeout(r, 50));
            expect([...got].some((g) => g.startsWith('late'))).toBe(true);
          }, WAIT);
          if (caps.delivery === 'at-least-once' && caps.queueGroups) {
            await vi.waitFor(() => {
              for (const d of [...during, 'after']) expect(got.has(d), d).toBe(true);
            }, WAIT);
          }
        } finally {
          await proxy.close();
        }
      },
    );

    it.skipIf(target.serviceUrl === undefined)(
      'never loses an acknowledged publish when the connection is cut mid-stream',
      async () => {
        const ns = uniqueName();
        const proxy = await startTcpProxy(addressOf(target.serviceUrl!));
        try {
          const direct = await open(ns);
          const received = new Set<string>();
          await direct.subscribe(
            'cut.q',
            (m) => {
              received.add(decode(m));
            },
            sub(),
          );
          const viaProxy = await open(ns, proxy.url(target.serviceUrl!));
          const acked: string[] = [];
          const failures: unknown[] = [];
          const publishing = (async () => {
            for (let i = 0; i < 400; i++) {
              if (i === 60) proxy.cut();
              try {
                await viaProxy.publish('cut.q', `m${i}`);
                acked.push(`m${i}`);
              } catch (error) {
                failures.push(error);
                if (failures.length >= 2) break;
              }
            }
          })();
          await publishing;
          expect(acked.length).toBeGreaterThanOrEqual(60);
          expect(failures.length).toBeGreaterThan(0);
          for (const f of failures)
            expect(f).toMatchObject({ code: expect.stringMatching(/^PUBSUB_(PUBLISH_FAILED|CLOSED)$/) });
          await vi.waitFor(() => {
            for (const m of acked) expect(received.has(m), m).toBe(true);
          }, WAIT);
        } finally {
          await proxy.close();
        }
      },
    );
  });
}
