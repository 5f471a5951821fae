/** The one conformance suite every TaskQueue runs (SQLite in memory and on disk, BullMQ on Redis). */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { JobContext, TaskQueue } from '../types.ts';

export interface QueueConformanceTarget {
  readonly name: string;
  /** Why the suite cannot run here, or false. */
  readonly unavailable: string | false;
  /** Jobs outlive the queue object (reopening `namespace` finds them). */
  readonly durable: boolean;
  open(namespace: string): Promise<TaskQueue>;
  cleanup?(namespace: string): Promise<void>;
}

export const uniqueName = (): string => `q${randomBytes(5).toString('hex')}`;
const WAIT = { timeout: 8_000, interval: 10 };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const fast = { backoff: { type: 'fixed', delayMs: 10 } } as const;

export function describeQueueConformance(target: QueueConformanceTarget): void {
  describe.skipIf(target.unavailable !== false)(`${target.name} task queue conformance`, () => {
    const queues: TaskQueue[] = [];
    const namespaces: string[] = [];
    const open = async (ns = uniqueName()): Promise<TaskQueue> => {
      namespaces.push(ns);
      const q = await target.open(ns);
      queues.push(q);
      return q;
    };
    afterAll(async () => {
      await Promise.allSettled(queues.map((q) => q.close()));
      if (target.cleanup) await Promise.allSettled(namespaces.map((n) => target.cleanup!(n)));
    });

    it('runs a job with its data and keeps the result', async () => {
      const q = await open();
      const { id, deduplicated } = await q.add('email.send', { to: 'a@example.test', n: 1 });
      expect(deduplicated).toBe(false);
      const seen: JobContext[] = [];
      q.process(async (job) => {
        seen.push(job);
        return { sent: true };
      });
      await vi.waitFor(async () => expect((await q.getJob(id))?.state).toBe('completed'), WAIT);
      expect(seen[0]).toMatchObject({ id, name: 'email.send', data: { to: 'a@example.test', n: 1 }, attempt: 1 });
      expect(await q.getJob(id)).toMatchObject({ result: { sent: true }, attempts: 1, error: undefined });
      expect(await q.getJob('no-such-job')).toBeUndefined();
    });

    it('runs higher priorities first', async () => {
      const q = await open();
      const order: string[] = [];
      for (const [name, priority] of [
        ['low', 1],
        ['high', 10],
        ['mid', 5],
        ['low2', 1],
      ] as const)
        await q.add(name, {}, { priority });
      q.process((job) => {
        order.push(job.name);
      });
      await vi.waitFor(() => expect(order).toHaveLength(4), WAIT);
      expect(order).toEqual(['high', 'mid', 'low', 'low2']);
    });

    it('holds a delayed job until its time', async () => {
      const q = await open();
      const ran: number[] = [];
      const added = Date.now();
      q.process(() => {
        ran.push(Date.now());
      });
      await q.add('later', {}, { delayMs: 300 });
      await sleep(100);
      expect(ran).toEqual([]);
      await vi.waitFor(() => expect(ran).toHaveLength(1), WAIT);
      expect(ran[0]! - added).toBeGreaterThanOrEqual(290);
    });

    it('retries a failing job with backoff and records the last error', async () => {
      const q = await open();
      const attempts: number[] = [];
      const { id } = await q.add('flaky', { k: 1 }, { maxAttempts: 3, ...fast });
      const { id: doomed } = await q.add('doomed', {}, { maxAttempts: 2, ...fast });
      q.process((job) => {
        if (job.name === 'doomed') throw Object.assign(new Error('permanent'), { code: 'E_PERM' });
        attempts.push(job.attempt);
        if (job.attempt < 3) throw new Error('transient');
        return 'ok';
      });
      await vi.waitFor(async () => expect((await q.getJob(id))?.state).toBe('completed'), WAIT);
      expect(attempts).toEqual([1, 2, 3]);
      await vi.waitFor(async () => expect((await q.getJob(doomed))?.state).toBe('failed'), WAIT);
      expect(await q.getJob(doomed)).toMatchObject({ attempts: 2, error: { code: 'E_PERM', message: 'permanent' } });
    });

    it('aborts a job that outruns its timeout and fails it MQ_JOB_TIMEOUT', async () => {
      const q = await open();
      let signal: AbortSignal | undefined;
      const { id } = await q.add('hang', {}, { timeoutMs: 100, maxAttempts: 1 });
      q.process((job) => {
        signal = job.signal;
        return new Promise(() => {});
      });
      await vi.waitFor(async () => expect((await q.getJob(id))?.state).toBe('failed'), WAIT);
      expect((await q.getJob(id))?.error).toMatchObject({ code: 'MQ_JOB_TIMEOUT' });
      expect(signal?.aborted).toBe(true);
    });

    it('deduplicates by key while the job is unfinished, not after', async () => {
      const q = await open();
      const first = await q.add('sync', { v: 1 }, { dedupeKey: 'user-7', delayMs: 200 });
      const second = await q.add('sync', { v: 2 }, { dedupeKey: 'user-7' });
      expect(second).toEqual({ id: first.id, deduplicated: true });
      const data: unknown[] = [];
      q.process((job) => {
        data.push(job.data);
      });
      await vi.waitFor(async () => expect((await q.getJob(first.id))?.state).toBe('completed'), WAIT);
      const third = await q.add('sync', { v: 3 }, { dedupeKey: 'user-7' });
      expect(third.deduplicated).toBe(false);
      expect(third.id).not.toBe(first.id);
      await vi.waitFor(() => expect(data).toEqual([{ v: 1 }, { v: 3 }]), WAIT);
    });

    it('runs at most `concurrency` jobs at once and reports progress', async () => {
      const q = await open();
      let active = 0;
      let peak = 0;
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) ids.push((await q.add('work', { i })).id);
      q.process(
        async (job) => {
          active++;
          peak = Math.max(peak, active);
          await job.updateProgress({ pct: 50 });
          await sleep(40);
          active--;
        },
        { concurrency: 3 },
      );
      await vi.waitFor(async () => {
        for (const id of ids) expect((await q.getJob(id))?.state).toBe('completed');
      }, WAIT);
      expect(peak).toBe(3);
      expect((await q.getJob(ids[0]!))?.progress).toEqual({ pct: 50 });
    });

    it('graceful stop finishes quick jobs and returns hanging ones to the queue unconsumed', async () => {
      const q = await open();
      const { id: quick } = await q.add('quick', {});
      const { id: stuck } = await q.add('stuck', {});
      const started: string[] = [];
      const worker = q.process(
        async (job) => {
          started.push(job.name);
          if (job.name === 'quick') {
            await sleep(50);
            return 'done';
          }
          await new Promise(() => {});
        },
        { concurrency: 2 },
      );
      await vi.waitFor(() => expect(started.sort()).toEqual(['quick', 'stuck']), WAIT);
      expect(await worker.stop({ timeoutMs: 300 })).toEqual({ finished: 1, returned: 1 });
      expect((await q.getJob(quick))?.state).toBe('completed');
      expect(await q.getJob(stuck)).toMatchObject({ state: 'waiting', attempts: 0 });
      const again: number[] = [];
      q.process((job) => {
        again.push(job.attempt);
      });
      await vi.waitFor(async () => expect((await q.getJob(stuck))?.state).toBe('completed'), WAIT);
      expect(again).toEqual([1]);
    });

    it.skipIf(!target.durable)('keeps waiting jobs across a close and reopen', async () => {
      const ns = uniqueName();
      const first = await open(ns);
      const { id } = await first.add('persist', { keep: true });
      await first.close();
      const second = await open(ns);
      expect(await second.getJob(id)).toMatchObject({ state: 'waiting', data: { keep: true } });
      const got: unknown[] = [];
      second.process((job) => {
        got.push(job.data);
      });
      await vi.waitFor(() => expect(got).toEqual([{ keep: true }]), WAIT);
    });

    it('counts adds, runs, completions, failures, retries and final failures, and reports the backlog', async () => {
      const q = await open();
      await q.add('ok', {});
      await q.add('dup', {}, { dedupeKey: 'k' });
      expect((await q.add('dup', {}, { dedupeKey: 'k' })).deduplicated).toBe(true);
      await q.add('bad', {}, { maxAttempts: 2, ...fast });
      await q.add('later', {}, { delayMs: 60_000 });
      const before = await q.metrics();
      // The deduplicated add is not counted; the delayed job is part of the backlog.
      expect(before).toMatchObject({ backend: q.backend, published: 4 });
      expect(before.subscriptions).toHaveLength(1);
      expect(before.subscriptions[0]).toMatchObject({ delivered: 0, acked: 0, depth: 4 });
      q.process((job) => {
        if (job.name === 'bad') throw new Error('bad job');
      });
      await vi.waitFor(async () => {
        expect((await q.metrics()).subscriptions[0]).toMatchObject({
          delivered: 4,
          acked: 2,
          nacked: 2,
          redelivered: 1,
          deadLettered: 1,
          depth: 1,
        });
      }, WAIT);
    });

    it('refuses bad names, options and payloads with typed errors, and everything after close', async () => {
      const q = await open();
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      await expect(q.add('bad name!', {})).rejects.toMatchObject({ code: 'MQ_INVALID_OPTIONS' });
      await expect(q.add('x', cyclic)).rejects.toMatchObject({ code: 'MQ_INVALID_PAYLOAD' });
      await expect(q.add('x', { f: () => 1 })).rejects.toMatchObject({ code: 'MQ_INVALID_PAYLOAD' });
      await expect(q.add('x', { n: Number.NaN })).rejects.toMatchObject({ code: 'MQ_INVALID_PAYLOAD' });
      await expect(q.add('x', {}, { priority: 1.5 })).rejects.toMatchObject({ code: 'MQ_INVALID_OPTIONS' });
      await expect(q.add('x', {}, { maxAttempts: 0 })).rejects.toMatchObject({ code: 'MQ_INVALID_OPTIONS' });
      await expect(q.add('x', {}, { delayMs: -1 })).rejects.toMatchObject({ code: 'MQ_INVALID_OPTIONS' });
      await expect(q.add('x', {}, { backoff: { type: 'linear' as 'fixed', delayMs: 1 } })).rejects.toMatchObject({
        code: 'MQ_INVALID_OPTIONS',
      });
      expect(() => q.process(() => {}, { concurrency: 0 })).toThrow(
        expect.objectContaining({ code: 'MQ_INVALID_OPTIONS' }),
      );
      await q.close();
      await expect(q.add('x', {})).rejects.toMatchObject({ code: 'MQ_CLOSED' });
    });
  });
}
