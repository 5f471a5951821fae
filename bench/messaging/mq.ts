/** The task queue on Redis against plain BullMQ: add N jobs, one worker with the same concurrency, time until all completed. */
import { randomBytes } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { BullMqTaskQueue } from 'plumego/x/messaging/mq';

export interface JobsResult {
  readonly jobs: number;
  readonly seconds: number;
  readonly jobsPerSec: number;
}

export async function runPlainBullMq(url: string, jobs: number, concurrency: number): Promise<JobsResult> {
  const name = `raw-${randomBytes(4).toString('hex')}`;
  const conn = new Redis(url, { maxRetriesPerRequest: null });
  const wconn = new Redis(url, { maxRetriesPerRequest: null });
  const queue = new Queue(name, { connection: conn, prefix: 'bench' });
  let completed = 0;
  let resolve!: () => void;
  const done = new Promise<void>((r) => {
    resolve = r;
  });
  const start = performance.now();
  for (let i = 0; i < jobs; i++)
    await queue.add('job', { i }, { attempts: 3, backoff: { type: 'exponential', delay: 1000 } });
  // Counted in the handler on both sides, so neither waits for a completion event the other lacks.
  const worker = new Worker(
    name,
    async (job) => {
      if (++completed === jobs) queueMicrotask(resolve);
      return { n: (job.data as { i: number }).i };
    },
    { connection: wconn, prefix: 'bench', concurrency },
  );
  await done;
  const seconds = (performance.now() - start) / 1000;
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  conn.disconnect();
  wconn.disconnect();
  return { jobs, seconds, jobsPerSec: jobs / seconds };
}

export async function runPlumegoMq(url: string, jobs: number, concurrency: number): Promise<JobsResult> {
  const q = new BullMqTaskQueue({ url, queue: `pm-${randomBytes(4).toString('hex')}`, prefix: 'bench' });
  let completed = 0;
  let resolve!: () => void;
  const done = new Promise<void>((r) => {
    resolve = r;
  });
  const start = performance.now();
  for (let i = 0; i < jobs; i++) await q.add('job', { i }, { maxAttempts: 3 });
  const worker = q.process<{ i: number }>(
    (job) => {
      if (++completed === jobs) queueMicrotask(resolve);
      return { n: job.data.i };
    },
    { concurrency },
  );
  await done;
  const seconds = (performance.now() - start) / 1000;
  await worker.stop();
  await q.obliterate();
  await q.close();
  return { jobs, seconds, jobsPerSec: jobs / seconds };
}
