import { afterAll, describe, expect, inject, it, vi } from 'vitest';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { BullMqTaskQueue } from './bullmq-task-queue.ts';
import { describeQueueConformance, uniqueName } from './__tests__/queue-conformance.ts';

const url = inject('services').redis;

describeQueueConformance({
  name: 'BullMQ (Redis)',
  unavailable: url === null ? 'Redis is not reachable' : false,
  durable: true,
  open: async (ns) => new BullMqTaskQueue({ url: url!, queue: ns, prefix: 'plumego-test' }),
  cleanup: async (ns) => {
    const q = new BullMqTaskQueue({ url: url!, queue: ns, prefix: 'plumego-test' });
    await q.obliterate();
    await q.close();
  },
});

const WAIT = { timeout: 8_000, interval: 10 };

describe.skipIf(url === null)('BullMqTaskQueue on Redis', () => {
  const queues: BullMqTaskQueue[] = [];
  const open = (name = uniqueName()): BullMqTaskQueue => {
    const q = new BullMqTaskQueue({ url: url!, queue: name, prefix: 'plumego-test' });
    queues.push(q);
    return q;
  };
  afterAll(async () => {
    for (const q of queues) {
      await q.obliterate().catch(() => {});
      await q.close();
    }
  });

  it('times out a handler that never reads its signal, and a signal read late is already aborted', async () => {
    const q = open();
    let late: AbortSignal | undefined;
    const { id } = await q.add('hang', {}, { timeoutMs: 50, maxAttempts: 1 });
    q.process((job) => {
      // The signal is made on first read: read it only after the timeout fired.
      setTimeout(() => {
        late = job.signal;
      }, 200);
      return new Promise(() => {});
    });
    await vi.waitFor(async () => expect((await q.getJob(id))?.state).toBe('failed'), WAIT);
    expect((await q.getJob(id))?.error).toMatchObject({ code: 'MQ_JOB_TIMEOUT' });
    await vi.waitFor(() => expect(late).toBeDefined(), WAIT);
    expect(late!.aborted).toBe(true);
    expect(late!.reason).toMatchObject({ code: 'MQ_JOB_TIMEOUT' });
  });

  it('a job that finishes before its timeout keeps its result and its signal unaborted', async () => {
    const q = open();
    let signal: AbortSignal | undefined;
    const { id } = await q.add('quick', { n: 2 }, { timeoutMs: 200 });
    q.process<{ n: number }>(async (job) => {
      signal = job.signal;
      return job.data.n * 2;
    });
    await vi.waitFor(async () => expect((await q.getJob(id))?.state).toBe('completed'), WAIT);
    expect((await q.getJob(id))?.result).toBe(4);
    await new Promise((r) => setTimeout(r, 250));
    expect(signal?.aborted).toBe(false);
  });

  it('gives jobs without a dedupe key distinct ids and never reports them deduplicated', async () => {
    const q = open();
    const added = [await q.add('a', { same: 1 }), await q.add('a', { same: 1 }), await q.add('a', { same: 1 })];
    expect(added.every((a) => !a.deduplicated)).toBe(true);
    expect(new Set(added.map((a) => a.id)).size).toBe(3);
    expect((await q.metrics()).published).toBe(3);
  });

  it('still runs jobs stored in the earlier data shape ({ payload, timeoutMs: null })', async () => {
    const name = uniqueName();
    const q = open(name);
    const conn = new Redis(url!, { maxRetriesPerRequest: null });
    const raw = new Queue(name, { connection: conn, prefix: 'plumego-test' });
    const old = await raw.add('legacy', { payload: { v: 7 }, timeoutMs: null }, { priority: 1001, attempts: 1 });
    await raw.close();
    conn.disconnect();
    const seen: unknown[] = [];
    q.process((job) => {
      seen.push(job.data);
      return 'ok';
    });
    await vi.waitFor(async () => expect((await q.getJob(String(old.id)))?.state).toBe('completed'), WAIT);
    expect(seen).toEqual([{ v: 7 }]);
  });
});
