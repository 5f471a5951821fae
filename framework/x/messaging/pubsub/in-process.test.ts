import { describe, expect, it, vi } from 'vitest';
import { InProcessBroker } from './in-process.ts';
import type { Delivery } from './types.ts';
import { describeBrokerConformance, decode } from './__tests__/broker-conformance.ts';

describeBrokerConformance({
  name: 'in-process',
  capabilities: new InProcessBroker().capabilities,
  unavailable: false,
  create: async () => new InProcessBroker({ maxPayloadBytes: 1024 }),
  ackWaitMs: 50,
});

describe('InProcessBroker specifics', () => {
  it('drop-oldest keeps the newest messages and reports each drop', async () => {
    const b = new InProcessBroker();
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const got: string[] = [];
    const dropped: string[] = [];
    await b.subscribe(
      'd.q',
      async (m) => {
        await gate;
        got.push(decode(m));
      },
      {
        overflow: 'drop-oldest',
        bufferSize: 2,
        onError: (e, m) => {
          expect(e).toMatchObject({ code: 'PUBSUB_BUFFER_FULL' });
          dropped.push(decode(m));
        },
      },
    );
    for (const d of ['1', '2', '3', '4', '5']) await b.publish('d.q', d);
    release();
    await vi.waitFor(() => expect(got).toHaveLength(3));
    // '1' was taken by the handler at once; the buffer of two kept the newest.
    expect(dropped).toEqual(['2', '3']);
    expect(got).toEqual(['1', '4', '5']);
  });

  it('error overflow rejects the publish with PUBSUB_BUFFER_FULL and delivers nothing to anyone', async () => {
    const b = new InProcessBroker();
    const other: string[] = [];
    await b.subscribe('e.q', () => new Promise<void>(() => {}), { overflow: 'error', bufferSize: 1 });
    await b.subscribe('e.q', (m) => {
      other.push(decode(m));
    });
    await b.publish('e.q', '1'); // taken by the handler
    await b.publish('e.q', '2'); // buffered
    await expect(b.publish('e.q', '3')).rejects.toMatchObject({ code: 'PUBSUB_BUFFER_FULL' });
    await new Promise((r) => setTimeout(r, 5));
    expect(other).toEqual(['1', '2']);
  });

  it('a throwing subscriber does not stop delivery to the others', async () => {
    const b = new InProcessBroker();
    const got: string[] = [];
    await b.subscribe(
      't.q',
      () => {
        throw new Error('boom');
      },
      { maxDeliver: 1 },
    );
    await b.subscribe('t.q', (m) => {
      got.push(decode(m));
    });
    await b.publish('t.q', 'a');
    await b.publish('t.q', 'b');
    expect(got).toEqual(['a', 'b']);
  });

  it('keeps only historySize messages for replay and evicts the oldest', async () => {
    const b = new InProcessBroker({ historySize: 2 });
    for (const d of ['1', '2', '3']) await b.publish('h.q', d);
    const got: string[] = [];
    await b.subscribe(
      'h.q',
      (m) => {
        got.push(decode(m));
      },
      { from: { kind: 'all' } },
    );
    expect(got).toEqual(['2', '3']);
    expect(() => new InProcessBroker({ historySize: -1 })).toThrow(
      expect.objectContaining({ code: 'PUBSUB_INVALID_OPTIONS' }),
    );
  });

  it("hands a leaving group member's queued messages to the rest of the group", async () => {
    const b = new InProcessBroker();
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const a: string[] = [];
    const c: string[] = [];
    const subA = await b.subscribe(
      'g.q',
      async (m) => {
        await gate;
        a.push(decode(m));
      },
      { group: 'g', bufferSize: 10 },
    );
    await b.subscribe(
      'g.q',
      async (m) => {
        await gate;
        c.push(decode(m));
      },
      { group: 'g', bufferSize: 10 },
    );
    for (let i = 0; i < 6; i++) await b.publish('g.q', String(i));
    const leaving = subA.unsubscribe();
    release();
    await leaving;
    await new Promise((r) => setTimeout(r, 5));
    expect([...a, ...c].sort()).toEqual(['0', '1', '2', '3', '4', '5']);
    expect(a).toEqual(['0']); // only its in-flight message
  });
});

describe('InProcessBroker ids and routing', () => {
  it('resolves a receipt whose id is the string id subscribers see, kept across redeliveries', async () => {
    const b = new InProcessBroker();
    const seen: Array<[string, number]> = [];
    await b.subscribe(
      'ids.q',
      (m) => {
        seen.push([m.id, m.deliveryCount]);
        if (m.deliveryCount === 1) throw new Error('once more');
      },
      { maxDeliver: 2 },
    );
    const first = await b.publish('ids.q', 'a');
    const second = await b.publish('ids.q', 'b');
    expect(typeof first.id).toBe('string');
    expect(first.id).not.toBe(second.id);
    expect(JSON.parse(JSON.stringify(first))).toEqual({ id: first.id });
    await vi.waitFor(() => expect(seen).toHaveLength(4));
    expect(seen.filter(([id]) => id === first.id).map(([, n]) => n)).toEqual([1, 2]);
    expect(seen.filter(([id]) => id === second.id).map(([, n]) => n)).toEqual([1, 2]);
  });

  it('routes a subject published before to subscribers that join or leave afterwards', async () => {
    const b = new InProcessBroker();
    const a: string[] = [];
    const c: string[] = [];
    const subA = await b.subscribe('r.q', (m) => {
      a.push(decode(m));
    });
    await b.publish('r.q', '1');
    await b.subscribe('r.*', (m) => {
      c.push(decode(m));
    });
    await b.publish('r.q', '2');
    await subA.unsubscribe();
    await b.publish('r.q', '3');
    await b.publish('r.other', '4');
    await b.publish('r.q', '5');
    expect(a).toEqual(['1', '2']);
    expect(c).toEqual(['2', '3', '4', '5']);
  });

  it('still validates a new subject after a run of publishes to a valid one', async () => {
    const b = new InProcessBroker();
    await b.publish('v.q', 'x');
    await b.publish('v.q', 'x');
    await expect(b.publish('v..q', 'x')).rejects.toMatchObject({ code: 'PUBSUB_INVALID_SUBJECT' });
    await expect(b.publish('v.q', 42 as unknown as string)).rejects.toMatchObject({ code: 'PUBSUB_INVALID_OPTIONS' });
  });
});

describe('InProcessBroker deliveries', () => {
  it('shows the message fields, serialises without broker internals, and ignores a second settle', async () => {
    const b = new InProcessBroker();
    const got: Delivery[] = [];
    const errors: unknown[] = [];
    await b.subscribe(
      'dl.q',
      async (m) => {
        got.push(m);
        await m.ack();
        await m.nack(); // ignored: already settled
      },
      { ack: 'manual', onError: (e) => errors.push(e) },
    );
    const receipt = await b.publish('dl.q', 'hello', { headers: { k: 'v' } });
    await vi.waitFor(() => expect(got).toHaveLength(1));
    const d = got[0]!;
    expect([d.id, d.subject, decode(d), d.headers, d.deliveryCount]).toEqual([
      receipt.id,
      'dl.q',
      'hello',
      { k: 'v' },
      1,
    ]);
    expect(Object.keys(d)).toEqual([]);
    const json = JSON.parse(JSON.stringify(d)) as Record<string, unknown>;
    expect(Object.keys(json).sort()).toEqual(['data', 'deliveryCount', 'headers', 'id', 'subject']);
    await new Promise((r) => setTimeout(r, 5));
    expect(got).toHaveLength(1);
    expect(errors).toEqual([]);
    const m = await b.metrics();
    expect(m.subscriptions[0]).toMatchObject({ delivered: 1, acked: 1, nacked: 0 });
  });
});
