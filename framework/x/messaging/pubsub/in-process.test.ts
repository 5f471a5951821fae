import { describe, expect, it, vi } from 'vitest';
import { InProcessBroker } from './in-process.ts';
import type { Delivery, MessageHandler, Subscription } from './types.ts';
import { describeBrokerConformance, decode } from './__tests__/broker-conformance.ts';

// A handler as a JavaScript caller (or one typed loosely) may write it: returning any value at all.
const returning = (f: (m: Delivery) => unknown): MessageHandler => f as MessageHandler;

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

describe('InProcessBroker in-line delivery (auto-ack handlers run during publish)', () => {
  const later = (): Promise<void> => new Promise((r) => setTimeout(r, 5));

  it('runs synchronous handlers before publish returns, in publish order, on one read-only view', async () => {
    const b = new InProcessBroker();
    const seen: Array<[string, Delivery]> = [];
    for (const who of ['a', 'b']) {
      await b.subscribe('in.q', (m) => {
        seen.push([who, m]);
      });
    }
    const first = b.publish('in.q', '1', { headers: { k: 'v' } });
    expect(seen.map(([who, m]) => `${who}${decode(m)}`)).toEqual(['a1', 'b1']);
    void b.publish('in.q', '2');
    expect(seen.map(([who, m]) => `${who}${decode(m)}`)).toEqual(['a1', 'b1', 'a2', 'b2']);
    const m = seen[0]![1];
    expect(() => {
      (m as unknown as { subject: string }).subject = 'x';
    }).toThrow(TypeError);
    expect([m.subject, m.headers, m.deliveryCount]).toEqual(['in.q', { k: 'v' }, 1]);
    expect((await first).id).toBe(m.id);
    expect((await b.metrics()).subscriptions.map((s) => [s.delivered, s.acked])).toEqual([
      [2, 2],
      [2, 2],
    ]);
  });

  it('returns a promise-compatible result: then, catch, finally and await all give the receipt', async () => {
    const b = new InProcessBroker();
    const r = b.publish('res.q', 'x');
    expect(Object.prototype.toString.call(r)).toBe('[object Promise]');
    const viaThen = await r.then((x) => x.id);
    const viaFinally = await r.finally(() => {});
    const viaCatch = await r.catch(() => 'never');
    expect([viaThen, (viaCatch as { id: string }).id, viaFinally.id]).toEqual(['1', '1', '1']);
    expect(JSON.parse(JSON.stringify(await r))).toEqual({ id: '1' });
    await expect(Promise.all([b.publish('res.q', 'y')])).resolves.toMatchObject([{ id: '2' }]);
  });

  it('a synchronous throw reports, redelivers ahead of later messages, then dead-letters', async () => {
    const b = new InProcessBroker();
    const seen: string[] = [];
    const dead: Delivery[] = [];
    const errors: unknown[] = [];
    await b.subscribe('dead.q', (m) => {
      dead.push(m);
    });
    await b.subscribe(
      'th.q',
      (m) => {
        seen.push(`${decode(m)}#${m.deliveryCount}`);
        if (decode(m) === 'bad') throw new Error('sync boom');
      },
      { maxDeliver: 2, deadLetterSubject: 'dead.q', onError: (e) => errors.push(e) },
    );
    const other: string[] = [];
    await b.subscribe('th.q', (m) => {
      other.push(decode(m));
    });
    for (const d of ['ok1', 'bad', 'ok2']) void b.publish('th.q', d);
    await vi.waitFor(() => expect(dead).toHaveLength(1));
    expect(seen).toEqual(['ok1#1', 'bad#1', 'bad#2', 'ok2#1']);
    expect(other).toEqual(['ok1', 'bad', 'ok2']);
    expect(errors).toHaveLength(2);
    expect(dead[0]!.headers).toMatchObject({ 'plumego-dl-subject': 'th.q', 'plumego-dl-deliveries': '2' });
    const by = (await b.metrics()).subscriptions.find((s) => s.pattern === 'th.q' && s.nacked > 0)!;
    expect(by).toMatchObject({ delivered: 4, acked: 2, nacked: 2, redelivered: 1, deadLettered: 1 });
  });

  it('ack() or nack() during a synchronous handler settles it; calls after it returned are ignored', async () => {
    const b = new InProcessBroker();
    const seen: string[] = [];
    const kept: Delivery[] = [];
    const errors: unknown[] = [];
    await b.subscribe(
      'an.q',
      (m) => {
        seen.push(`${decode(m)}#${m.deliveryCount}`);
        kept.push(m);
        if (decode(m) === 'nack' && m.deliveryCount === 1) void m.nack();
        if (decode(m) === 'ack-then-throw') {
          void m.ack();
          throw new Error('after ack');
        }
      },
      { onError: (e) => errors.push(e) },
    );
    for (const d of ['nack', 'ack-then-throw', 'plain']) await b.publish('an.q', d);
    await later();
    expect(seen).toEqual(['nack#1', 'nack#2', 'ack-then-throw#1', 'plain#1']);
    expect(errors).toHaveLength(1); // the throw after ack is reported, not redelivered
    await kept.find((m) => decode(m) === 'plain')!.nack(); // after return: ignored
    await kept[0]!.ack();
    await later();
    expect(seen).toHaveLength(4);
    expect((await b.metrics()).subscriptions[0]).toMatchObject({ delivered: 4, acked: 3, nacked: 1 });
  });

  it('a handler returning a promise falls back to queued delivery, keeping order and settling on the outcome', async () => {
    const b = new InProcessBroker();
    const gates: Array<() => void> = [];
    const order: string[] = [];
    const syncSide: string[] = [];
    // Not an async function: it is taken for synchronous until it returns a promise.
    await b.subscribe('pr.q', (m) => {
      order.push(`${decode(m)}#${m.deliveryCount}`);
      if (decode(m) === 's1') return undefined;
      return new Promise<void>((resolve, reject) =>
        gates.push(() => (decode(m) === 'p2' && m.deliveryCount === 1 ? reject(new Error('once')) : resolve())),
      );
    });
    await b.subscribe('pr.q', (m) => {
      syncSide.push(decode(m));
    });
    for (const d of ['s1', 'p1', 'p2', 'p3']) void b.publish('pr.q', d);
    expect(syncSide).toEqual(['s1', 'p1', 'p2', 'p3']); // the other subscriber is not held back
    expect(order).toEqual(['s1#1', 'p1#1']);
    while (order.length < 5) {
      gates.shift()!();
      await later();
    }
    // A retry joins the back of the subscriber's buffer, as on any queued path.
    expect(order).toEqual(['s1#1', 'p1#1', 'p2#1', 'p3#1', 'p2#2']);
    gates.splice(0).forEach((g) => g());
    await later();
    expect((await b.metrics()).subscriptions[0]).toMatchObject({ delivered: 5, acked: 4, nacked: 1, redelivered: 1 });
  });

  it('a late nack() from a pending handler redelivers only its own delivery', async () => {
    const b = new InProcessBroker();
    const kept: Delivery[] = [];
    const pending: string[] = [];
    const plain: string[] = [];
    await b.subscribe('ln.q', (m) => {
      plain.push(`${decode(m)}#${m.deliveryCount}`);
      kept.push(m);
    });
    let release!: () => void;
    await b.subscribe('ln.q', (m) => {
      pending.push(`${decode(m)}#${m.deliveryCount}`);
      if (m.deliveryCount > 1) return undefined;
      return new Promise<void>((r) => {
        release = () => {
          void m.nack();
          r();
        };
      });
    });
    const third: string[] = [];
    await b.subscribe('ln.q', (m) => {
      third.push(decode(m));
    });
    await b.publish('ln.q', 'x');
    await kept[0]!.ack(); // the plain subscriber's delivery was settled when it returned: ignored
    release();
    await vi.waitFor(() => expect(pending).toEqual(['x#1', 'x#2']));
    await later();
    expect(plain).toEqual(['x#1']);
    expect(third).toEqual(['x']);
    const subs = (await b.metrics()).subscriptions;
    expect(subs.map((s) => [s.delivered, s.acked, s.nacked])).toEqual([
      [1, 1, 0],
      [2, 1, 1],
      [1, 1, 0],
    ]);
  });

  it('a pending handler settles its own delivery once, whatever it calls afterwards', async () => {
    const b = new InProcessBroker();
    const seen: number[] = [];
    await b.subscribe('once.q', (m) => {
      seen.push(m.deliveryCount);
      return Promise.resolve().then(async () => {
        await m.ack();
        await m.ack();
        await m.nack(); // after the ack: ignored
        throw new Error('after settling'); // reported, not redelivered
      });
    });
    await b.publish('once.q', 'x');
    await later();
    expect(seen).toEqual([1]);
    expect((await b.metrics()).subscriptions[0]).toMatchObject({ delivered: 1, acked: 1, nacked: 0 });
  });

  it('a subscriber unsubscribing itself or another during delivery neither breaks the publish nor the rest', async () => {
    const b = new InProcessBroker();
    const got: Record<string, string[]> = { a: [], b: [], c: [] };
    const subs: Record<string, Subscription> = {};
    let left: Promise<void> | undefined;
    subs.a = await b.subscribe('un.q', (m) => {
      got.a!.push(decode(m));
      if (decode(m) === '1') {
        void subs.b!.unsubscribe();
        left = subs.a!.unsubscribe();
      }
    });
    subs.b = await b.subscribe('un.q', (m) => {
      got.b!.push(decode(m));
    });
    subs.c = await b.subscribe('un.q', (m) => {
      got.c!.push(decode(m));
    });
    await expect(b.publish('un.q', '1')).resolves.toMatchObject({ id: '1' });
    await left;
    await b.publish('un.q', '2');
    expect(got).toEqual({ a: ['1'], b: [], c: ['1', '2'] });
  });

  it('a publish from inside a handler goes out after the current one, so every subscriber sees publish order', async () => {
    const b = new InProcessBroker();
    const a: string[] = [];
    const c: string[] = [];
    const inner: Array<Promise<unknown>> = [];
    await b.subscribe('re.q', (m) => {
      a.push(decode(m));
      if (decode(m) === '1') inner.push(b.publish('re.q', '2'), b.publish('re.q', '3'));
    });
    await b.subscribe('re.q', (m) => {
      c.push(decode(m));
    });
    await b.publish('re.q', '1');
    expect(a).toEqual(['1', '2', '3']);
    expect(c).toEqual(['1', '2', '3']);
    await expect(Promise.all(inner)).resolves.toMatchObject([{ id: '2' }, { id: '3' }]);
    await b.close();
  });

  it('a deferred publish that fails rejects on its own, not the publish that ran it', async () => {
    const b = new InProcessBroker();
    await b.subscribe('held.q', () => new Promise<void>(() => {}), {
      overflow: 'drop-oldest',
      bufferSize: 1,
      onError: () => {
        throw new Error('hook failed');
      },
    });
    let inner: Promise<unknown> | undefined;
    await b.subscribe('trigger.q', () => {
      inner = b.publish('held.q', 'x3');
    });
    await b.publish('held.q', 'x1'); // taken, never settles
    await b.publish('held.q', 'x2'); // buffered
    await expect(b.publish('trigger.q', 'go')).resolves.toMatchObject({ id: '3' });
    await expect(inner).rejects.toThrow('hook failed');
    await expect(b.publish('trigger.q', 'again')).resolves.toMatchObject({ id: '5' });
  });

  it('applies the overflow policy once a subscriber that was keeping up starts to lag', async () => {
    for (const overflow of ['error', 'drop-oldest', 'block'] as const) {
      const b = new InProcessBroker();
      let hold = false;
      const gates: Array<() => void> = [];
      const got: string[] = [];
      const dropped: string[] = [];
      await b.subscribe(
        'lag.q',
        (m) => {
          got.push(decode(m));
          return hold ? new Promise<void>((r) => gates.push(r)) : undefined;
        },
        { overflow, bufferSize: 2, onError: (_e, m) => dropped.push(decode(m)) },
      );
      for (const d of ['1', '2']) await b.publish('lag.q', d);
      hold = true;
      await b.publish('lag.q', '3'); // taken by the handler, now pending
      await b.publish('lag.q', '4');
      await b.publish('lag.q', '5'); // buffer (2) full after this
      const sixth = b.publish('lag.q', '6');
      if (overflow === 'error') await expect(sixth).rejects.toMatchObject({ code: 'PUBSUB_BUFFER_FULL' });
      let sixthDone = false;
      void Promise.resolve(sixth).then(
        () => (sixthDone = true),
        () => {},
      );
      await later();
      if (overflow === 'block') expect(sixthDone).toBe(false);
      hold = false;
      gates.splice(0).forEach((g) => g());
      await vi.waitFor(() => expect(got.length).toBeGreaterThanOrEqual(overflow === 'error' ? 5 : 5));
      await later();
      gates.splice(0).forEach((g) => g());
      await sixth.catch(() => {});
      await later();
      if (overflow === 'error') expect([got, dropped]).toEqual([['1', '2', '3', '4', '5'], []]);
      if (overflow === 'drop-oldest') expect([got, dropped]).toEqual([['1', '2', '3', '5', '6'], ['4']]);
      if (overflow === 'block') expect([got, dropped, sixthDone]).toEqual([['1', '2', '3', '4', '5', '6'], [], true]);
      await b.close();
    }
  });
});

// Byte payloads to the subject published just before take the broker's common-case branch (no
// wrapper calls); strings and new subjects take the general one. These repeat the switching cases
// with bytes so that branch is the one under test.
describe('InProcessBroker handler results that are broken thenables', () => {
  // What a JavaScript caller may return: an object whose `then` cannot be read or called, or calls back twice.
  const throwingGetter = (): unknown => ({
    get then(): never {
      throw new Error('then getter broke');
    },
  });
  const throwingThen = (): unknown => ({
    then(): never {
      throw new Error('then call broke');
    },
  });

  for (const [label, ack] of [
    ['in line (auto ack)', 'auto'],
    ['queued (manual ack)', 'manual'],
  ] as const) {
    for (const [kind, make, message] of [
      ['a throwing then getter', throwingGetter, 'then getter broke'],
      ['a then that throws when called', throwingThen, 'then call broke'],
    ] as const) {
      it(`${label}: ${kind} fails the delivery like a throw, is retried, and leaves the subscriber working`, async () => {
        const b = new InProcessBroker();
        const errors: unknown[] = [];
        const seen: string[] = [];
        await b.subscribe(
          'bt.q',
          returning((m) => {
            seen.push(`${decode(m)}#${m.deliveryCount}`);
            if (decode(m) === '1' && m.deliveryCount === 1) return make();
            return ack === 'manual' ? m.ack() : undefined;
          }),
          { ack, maxDeliver: 2, onError: (e) => errors.push(e) },
        );
        await b.publish('bt.q', '1');
        await vi.waitFor(() => expect(seen).toContain('1#2'));
        await b.publish('bt.q', '2');
        await vi.waitFor(() => expect(seen).toContain('2#1'));
        expect(errors.map((e) => (e as Error).message)).toEqual([message]);
        expect((await b.metrics()).subscriptions[0]).toMatchObject({ delivered: 3, acked: 2, nacked: 1 });
        // Nothing is left holding the subscriber: close() does not wait for a delivery that never settles.
        await b.close();
      });
    }
  }

  it('a thenable that calls back twice and then fails is settled once, by its first call', async () => {
    const b = new InProcessBroker();
    const errors: unknown[] = [];
    await b.subscribe(
      'bt2.q',
      returning(() => ({
        then(ok: () => void, fail: (e: unknown) => void) {
          ok();
          ok();
          fail(new Error('late failure'));
        },
      })),
      { onError: (e) => errors.push(e) },
    );
    await b.publish('bt2.q', '1');
    await vi.waitFor(async () => expect((await b.metrics()).subscriptions[0]).toMatchObject({ acked: 1 }));
    expect((await b.metrics()).subscriptions[0]).toMatchObject({ delivered: 1, acked: 1, nacked: 0 });
    expect(errors).toEqual([]);
    await b.close();
  });
});

describe('InProcessBroker common-case publish (bytes to the same subject)', () => {
  const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

  it('bytes: a subscriber turning async mid-stream is queued in order while the others stay in line', async () => {
    const b = new InProcessBroker();
    const slow: string[] = [];
    const fast: string[] = [];
    const gates: Array<() => void> = [];
    await b.subscribe('cb.q', (m) => {
      slow.push(decode(m));
      return decode(m) === '2' ? new Promise<void>((r) => gates.push(r)) : undefined;
    });
    await b.subscribe('cb.q', (m) => {
      fast.push(decode(m));
    });
    for (const d of ['1', '2', '3', '4']) void b.publish('cb.q', bytes(d));
    // The second subscriber ran in line every time; the first stopped at its pending '2'.
    expect(fast).toEqual(['1', '2', '3', '4']);
    expect(slow).toEqual(['1', '2']);
    gates.splice(0).forEach((g) => g());
    await vi.waitFor(() => expect(slow).toEqual(['1', '2', '3', '4']));
    const [first] = (await b.metrics()).subscriptions;
    expect(first).toMatchObject({ delivered: 4, acked: 4, nacked: 0 });
    await b.close();
  });

  it('a copy made for the subscribers after a pending one keeps the headers; a retry counts its delivery', async () => {
    const b = new InProcessBroker();
    const later: Array<[string, Record<string, string>, number]> = [];
    const held: Array<() => void> = [];
    const tries: Array<[string, Record<string, string>, number]> = [];
    await b.subscribe('cp.q', () => new Promise<void>((r) => held.push(r))); // keeps the view pending
    await b.subscribe('cp.q', (m) => {
      later.push([decode(m), { ...m.headers }, m.deliveryCount]);
    });
    await b.subscribe(
      'cp.q',
      (m) => {
        tries.push([decode(m), { ...m.headers }, m.deliveryCount]);
        if (m.deliveryCount === 1) throw new Error('once');
      },
      { maxDeliver: 2, onError: () => {} },
    );
    void b.publish('cp.q', 'h', { headers: { k: 'v' } });
    expect(later).toEqual([['h', { k: 'v' }, 1]]);
    await vi.waitFor(() => expect(tries).toHaveLength(2));
    expect(tries).toEqual([
      ['h', { k: 'v' }, 1],
      ['h', { k: 'v' }, 2],
    ]);
    held.splice(0).forEach((g) => g());
    await b.close();
  });

  it('bytes: a subscriber that returned a promise once leaves in-line delivery for good', async () => {
    const b = new InProcessBroker();
    const first: Delivery[] = [];
    const second: Delivery[] = [];
    await b.subscribe('cb.off', (m) => {
      first.push(m);
      return decode(m) === '1' ? Promise.resolve() : undefined;
    });
    await b.subscribe('cb.off', (m) => {
      second.push(m);
    });
    void b.publish('cb.off', bytes('1'));
    // The first handler kept its view pending, so the second got a copy of the same delivery.
    expect(second[0]).not.toBe(first[0]);
    expect(second[0]!.id).toBe(first[0]!.id);
    // Its promise settles on the next microtasks; a turn of the event loop is past them.
    await new Promise((r) => setImmediate(r));
    // Settled and idle again, but no longer in line even though it now returns synchronously: it
    // gets its own delivery through its queue path, not the view shared by the in-line subscribers.
    for (const d of ['2', '3']) void b.publish('cb.off', bytes(d));
    expect(first.map(decode)).toEqual(['1', '2', '3']);
    expect(second.map(decode)).toEqual(['1', '2', '3']);
    expect(first[1]).not.toBe(second[1]);
    expect(first[2]).not.toBe(second[2]);
    await vi.waitFor(async () =>
      expect((await b.metrics()).subscriptions.map((s) => [s.delivered, s.acked])).toEqual([
        [3, 3],
        [3, 3],
      ]),
    );
    await b.close();
  });

  it('bytes: an async handler next to synchronous ones gets every message in order, each settled once', async () => {
    const b = new InProcessBroker();
    const got: string[] = [];
    const sync: string[] = [];
    await b.subscribe('ca.q', async (m) => {
      await Promise.resolve();
      got.push(decode(m));
    });
    await b.subscribe('ca.q', (m) => {
      sync.push(decode(m));
    });
    const receipts = ['1', '2', '3'].map((d) => b.publish('ca.q', bytes(d)));
    expect(sync).toEqual(['1', '2', '3']);
    await expect(Promise.all(receipts)).resolves.toMatchObject([{ id: '1' }, { id: '2' }, { id: '3' }]);
    await vi.waitFor(() => expect(got).toEqual(['1', '2', '3']));
    const m = await b.metrics();
    expect(m.published).toBe(3);
    expect(m.subscriptions.map((s) => [s.delivered, s.acked])).toEqual([
      [3, 3],
      [3, 3],
    ]);
  });

  it('bytes: a synchronous throw is retried ahead of later messages, the others keep running in line', async () => {
    const b = new InProcessBroker();
    const tries: string[] = [];
    const other: string[] = [];
    const reported: string[] = [];
    await b.subscribe(
      'ct.q',
      (m) => {
        tries.push(`${decode(m)}#${m.deliveryCount}`);
        if (decode(m) === '1' && m.deliveryCount === 1) throw new Error('boom');
      },
      { maxDeliver: 2, onError: (_e, m) => reported.push(decode(m)) },
    );
    await b.subscribe('ct.q', (m) => {
      other.push(decode(m));
    });
    for (const d of ['1', '2', '3']) void b.publish('ct.q', bytes(d));
    expect(other).toEqual(['1', '2', '3']);
    await vi.waitFor(() => expect(tries).toEqual(['1#1', '1#2', '2#1', '3#1']));
    expect(reported).toEqual(['1']);
    await b.close();
  });

  it('bytes: a handler that unsubscribes a later subscriber mid fan-out skips it from then on', async () => {
    const b = new InProcessBroker();
    const got: Record<string, string[]> = { a: [], b: [], c: [] };
    await b.subscribe('cu.q', (m) => {
      got.a!.push(decode(m));
      if (decode(m) === '2') void victim.unsubscribe();
    });
    const victim = await b.subscribe('cu.q', (m) => {
      got.b!.push(decode(m));
    });
    await b.subscribe('cu.q', (m) => {
      got.c!.push(decode(m));
    });
    for (const d of ['1', '2', '3']) await b.publish('cu.q', bytes(d));
    expect(got).toEqual({ a: ['1', '2', '3'], b: ['1'], c: ['1', '2', '3'] });
  });

  it('bytes: publishes made by a handler go out after the current one, for every subscriber', async () => {
    const b = new InProcessBroker();
    const a: string[] = [];
    const c: string[] = [];
    const inner: Array<Promise<unknown>> = [];
    await b.subscribe('cr.q', (m) => {
      a.push(decode(m));
      if (decode(m) === '2') inner.push(b.publish('cr.q', bytes('2a')), b.publish('cr.q', bytes('2b')));
    });
    await b.subscribe('cr.q', (m) => {
      c.push(decode(m));
    });
    await b.publish('cr.q', bytes('1'));
    await b.publish('cr.q', bytes('2'));
    await b.publish('cr.q', bytes('3'));
    expect(a).toEqual(['1', '2', '2a', '2b', '3']);
    expect(c).toEqual(['1', '2', '2a', '2b', '3']);
    await expect(Promise.all(inner)).resolves.toMatchObject([{ id: '3' }, { id: '4' }]);
  });

  it('bytes: a handler returning a value that is not a thenable still runs in line and is counted once', async () => {
    const b = new InProcessBroker();
    const seen: string[] = [];
    await b.subscribe(
      'rv.q',
      returning((m) => seen.push(`n${decode(m)}`)),
    );
    await b.subscribe(
      'rv.q',
      returning((m) => {
        seen.push(`t${decode(m)}`);
        return { then: 'not callable' };
      }),
    );
    await b.subscribe(
      'rv.q',
      returning((m) => {
        seen.push(`a${decode(m)}`);
        void m.ack(); // settled by the handler, then a value returned
        return 0;
      }),
    );
    let tries = 0;
    await b.subscribe(
      'rv.q',
      returning((m) => {
        seen.push(`k${decode(m)}#${m.deliveryCount}`);
        if (decode(m) === '1' && tries++ === 0) void m.nack();
        return null;
      }),
      { maxDeliver: 2 },
    );
    void b.publish('rv.q', bytes('1'));
    void b.publish('rv.q', bytes('2'));
    // Both ran before publish returned; the nack's retry runs after the publish that delivered it.
    expect(seen.slice(0, 4)).toEqual(['n1', 't1', 'a1', 'k1#1']);
    await vi.waitFor(() => expect(seen).toContain('k1#2'));
    expect(seen.filter((s) => s.startsWith('n') || s.startsWith('t') || s.startsWith('a'))).toEqual([
      'n1',
      't1',
      'a1',
      'n2',
      't2',
      'a2',
    ]);
    const subs = (await b.metrics()).subscriptions.map((s) => [s.delivered, s.acked, s.nacked]);
    expect(subs).toEqual([
      [2, 2, 0],
      [2, 2, 0],
      [2, 2, 0],
      [3, 2, 1],
    ]);
    await b.close();
  });

  it('bytes: a retry queued by an in-line handler (nack) runs after that handler returned, never inside it', async () => {
    const b = new InProcessBroker();
    const trace: string[] = [];
    await b.subscribe(
      'nr.q',
      (m) => {
        trace.push(`in ${decode(m)}#${m.deliveryCount}`);
        if (m.deliveryCount === 1) void m.nack();
        trace.push(`out ${decode(m)}#${m.deliveryCount}`);
      },
      { maxDeliver: 2 },
    );
    await b.publish('nr.q', bytes('1'));
    await vi.waitFor(() => expect(trace).toHaveLength(4));
    expect(trace).toEqual(['in 1#1', 'out 1#1', 'in 1#2', 'out 1#2']);
    expect((await b.metrics()).subscriptions[0]).toMatchObject({ delivered: 2, acked: 1, nacked: 1 });
    await b.close();
  });

  it('bytes: a retry queued by an in-line handler that returns a non-thenable value runs without another publish', async () => {
    // The value-returning exit of the in-line path must hand a queued retry over just like the
    // undefined-returning one; otherwise the retry waits for the next publish to this subscriber.
    const b = new InProcessBroker();
    const trace: string[] = [];
    await b.subscribe(
      'nv.q',
      returning((m) => {
        trace.push(`in ${decode(m)}#${m.deliveryCount}`);
        if (m.deliveryCount === 1) void m.nack();
        trace.push(`out ${decode(m)}#${m.deliveryCount}`);
        return 'done';
      }),
      { maxDeliver: 2 },
    );
    await b.publish('nv.q', bytes('1'));
    await vi.waitFor(() => expect(trace).toHaveLength(4));
    expect(trace).toEqual(['in 1#1', 'out 1#1', 'in 1#2', 'out 1#2']);
    expect((await b.metrics()).subscriptions[0]).toMatchObject({ delivered: 2, acked: 1, nacked: 1 });
    await b.close();
  });

  it('bytes: after an in-line handler throws, later publishes queue behind the unsettled failure instead of running in line', async () => {
    const b = new InProcessBroker();
    const trace: string[] = [];
    await b.subscribe(
      'tq.q',
      (m) => {
        trace.push(`${decode(m)}#${m.deliveryCount}`);
        if (decode(m) === '1' && m.deliveryCount === 1) throw new Error('first try fails');
      },
      { maxDeliver: 2, onError: () => {} },
    );
    void b.publish('tq.q', bytes('1'));
    void b.publish('tq.q', bytes('2'));
    // '2' must not run during its publish while the failed delivery of '1' is still being settled.
    expect(trace).toEqual(['1#1']);
    await vi.waitFor(() => expect(trace).toHaveLength(3));
    expect(trace).toEqual(['1#1', '1#2', '2#1']);
    await b.close();
  });

  it('bytes: a publish made while a thrown in-line delivery is still being dropped waits for it (concurrency 1)', async () => {
    // maxDeliver 1: the failure is settled (dropped) asynchronously, with no retry queued meanwhile,
    // so only the subscriber leaving the in-line path keeps '2' from running alongside it.
    const b = new InProcessBroker();
    const trace: string[] = [];
    const errors: string[] = [];
    await b.subscribe(
      'td.q',
      (m) => {
        trace.push(decode(m));
        if (decode(m) === '1') throw new Error('dropped');
      },
      { maxDeliver: 1, onError: (e) => errors.push((e as Error).message) },
    );
    void b.publish('td.q', bytes('1'));
    void b.publish('td.q', bytes('2'));
    expect(trace).toEqual(['1']);
    await vi.waitFor(() => expect(trace).toEqual(['1', '2']));
    expect(errors).toEqual(['dropped']);
    const sub = (await b.metrics()).subscriptions[0];
    expect(sub).toMatchObject({ delivered: 2, acked: 1, nacked: 1, depth: 0 });
    await b.close();
  });

  it('bytes: a throwing clock fails that publish only, and the next one is delivered in line again', async () => {
    let broken = false;
    const b = new InProcessBroker({
      historySize: 5,
      now: () => {
        if (broken) throw new Error('clock failed');
        return 1;
      },
    });
    const got: string[] = [];
    await b.subscribe('tc.q', (m) => {
      got.push(decode(m));
      if (decode(m) === '3') void b.publish('tc.q', bytes('3a'));
    });
    await b.publish('tc.q', bytes('1'));
    broken = true;
    await expect(b.publish('tc.q', bytes('2'))).rejects.toThrow('clock failed');
    broken = false;
    void b.publish('tc.q', bytes('3'));
    // In line, and the handler's own publish went out after it: no delivery loop was left running.
    expect(got).toEqual(['1', '3', '3a']);
    await b.close();
  });

  it('bytes: a full overflow-error subscriber refuses a repeated-subject publish before anyone gets it', async () => {
    const b = new InProcessBroker();
    const other: string[] = [];
    const gates: Array<() => void> = [];
    await b.subscribe('ce.q', () => new Promise<void>((r) => gates.push(r)), { overflow: 'error', bufferSize: 1 });
    await b.subscribe('ce.q', (m) => {
      other.push(decode(m));
    });
    await b.publish('ce.q', bytes('1')); // taken by the held handler
    await b.publish('ce.q', bytes('2')); // buffered
    await expect(b.publish('ce.q', bytes('3'))).rejects.toMatchObject({ code: 'PUBSUB_BUFFER_FULL' });
    expect(other).toEqual(['1', '2']);
    gates.splice(0).forEach((g) => g());
    await vi.waitFor(() => expect(gates).toHaveLength(1));
    gates.splice(0).forEach((g) => g());
    await b.close();
  });

  it('bytes: the repeated-subject size check counts the view, not its buffer, and re-reads a growing view', async () => {
    const b = new InProcessBroker({ maxPayloadBytes: 4, historySize: 0 });
    const sizes: number[] = [];
    await b.subscribe('cm.q', (m) => void sizes.push(m.data.byteLength));
    const big = new Uint8Array(64);
    await b.publish('cm.q', big.subarray(0, 1));
    // 4 bytes at an offset into a 64-byte buffer: within the limit; 5 bytes: over it.
    await b.publish('cm.q', big.subarray(10, 14));
    await expect(b.publish('cm.q', big.subarray(10, 15))).rejects.toMatchObject({ code: 'PUBSUB_PAYLOAD_TOO_LARGE' });
    await b.publish('cm.q', Buffer.from('abcd'));
    // A length-tracking view of a resizable buffer: accepted at 4 bytes, refused once grown to 5.
    // (the project's TypeScript lib predates resizable buffers, which Node 20 has)
    type Resizable = ArrayBuffer & { resize(bytes: number): void };
    const Resizable = ArrayBuffer as unknown as new (bytes: number, o: { maxByteLength: number }) => Resizable;
    const resizable = new Resizable(4, { maxByteLength: 16 });
    const view = new Uint8Array(resizable);
    await b.publish('cm.q', view);
    resizable.resize(5);
    await expect(b.publish('cm.q', view)).rejects.toMatchObject({ code: 'PUBSUB_PAYLOAD_TOO_LARGE' });
    expect(sizes).toEqual([1, 4, 4, 4]);
    await b.close();
  });

  it('bytes: limits, close, history, groups and overflow error still apply on a repeated subject', async () => {
    const b = new InProcessBroker({ maxPayloadBytes: 4, historySize: 10 });
    const got: string[] = [];
    await b.subscribe('cl.q', (m) => {
      got.push(decode(m));
    });
    await b.publish('cl.q', bytes('1'));
    await expect(b.publish('cl.q', bytes('12345'))).rejects.toMatchObject({ code: 'PUBSUB_PAYLOAD_TOO_LARGE' });
    await expect(b.publish('cl.q', 42 as unknown as Uint8Array)).rejects.toMatchObject({
      code: 'PUBSUB_INVALID_OPTIONS',
    });
    await b.publish('cl.q', bytes('2'), { headers: { k: 'v' } });
    await b.publish('cl.q', bytes('3'));
    expect(got).toEqual(['1', '2', '3']);
    // Replay sees what the common case published.
    const replayed: string[] = [];
    await b.subscribe('cl.q', (m) => void replayed.push(decode(m)), { from: { kind: 'all' } });
    await vi.waitFor(() => expect(replayed).toEqual(['1', '2', '3']));
    // A queue group on the subject shares messages instead of copying them.
    const g: string[] = [];
    await b.subscribe('cl.q', (m) => void g.push(`x${decode(m)}`), { group: 'g' });
    await b.subscribe('cl.q', (m) => void g.push(`y${decode(m)}`), { group: 'g' });
    await b.publish('cl.q', bytes('4'));
    await b.publish('cl.q', bytes('5'));
    expect(g).toEqual(['x4', 'y5']);
    // A full subscriber with overflow 'error' refuses the publish for everyone.
    const gates: Array<() => void> = [];
    await b.subscribe('cl.q', () => new Promise<void>((r) => gates.push(r)), { overflow: 'error', bufferSize: 1 });
    await b.publish('cl.q', bytes('6'));
    await b.publish('cl.q', bytes('7'));
    await expect(b.publish('cl.q', bytes('8'))).rejects.toMatchObject({ code: 'PUBSUB_BUFFER_FULL' });
    expect(got).toEqual(['1', '2', '3', '4', '5', '6', '7']);
    expect((await b.metrics()).published).toBe(7);
    gates.splice(0).forEach((g) => g());
    await vi.waitFor(() => expect(gates).toHaveLength(1)); // '7' came out of the buffer
    gates.splice(0).forEach((g) => g());
    await b.close();
    await expect(b.publish('cl.q', bytes('9'))).rejects.toMatchObject({ code: 'PUBSUB_CLOSED' });
  });
});
