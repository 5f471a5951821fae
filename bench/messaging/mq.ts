/**
 * The task queue on Redis against plain BullMQ: add N jobs one after the other, then one worker with
 * the same concurrency runs them; the clock covers both phases (each also reported on its own).
 *
 * Alone (the mq case only, a few seconds per round):
 *
 *   flock /tmp/plumego-bench.lock node --conditions=source --import tsx bench/messaging/mq.ts [--jobs 5000] [--rounds 6]
 *
 * Same work on both sides: the same add options (3 attempts, exponential backoff from 1 s — the
 * wrapper's defaults), nothing removed on completion, a small result stored, the same concurrency,
 * and the same connections (one for the queue, one for the worker, plus the blocking connection
 * BullMQ's worker opens itself). The queue (and its connection) is ready before the clock starts; the
 * worker and its connections are made on the clock on both sides; closing is after it stops. Every
 * round uses a fresh queue name, obliterated afterwards, so no round sees another's keys. Plain
 * BullMQ's jobs go to its wait list; the wrapper's are prioritized (its contract has priorities, and
 * BullMQ runs unprioritized jobs before all prioritized ones) - that cost is the wrapper's.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadavg } from 'node:os';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { BullMqTaskQueue } from 'plumego/x/messaging/mq';

/** Key prefix of every bench queue (never used by tests or apps), removed in full at the end of a run. */
export const MQ_BENCH_PREFIX = 'plumego-bench-mq';

export interface JobsResult {
  readonly jobs: number;
  /** Adds + runs. */
  readonly seconds: number;
  readonly jobsPerSec: number;
  /** The add phase alone (N awaited adds). */
  readonly addSeconds: number;
  /** From creating the worker to the last handler call. */
  readonly runSeconds: number;
}

interface Side {
  /** Creates the queue outside the clock; returns the timed phases and the untimed cleanup. */
  open(): Promise<{
    add(i: number): Promise<unknown>;
    work(onJob: () => void): Promise<() => Promise<void>>;
    close(): Promise<void>;
  }>;
}

async function timed(side: Side, jobs: number): Promise<JobsResult> {
  const q = await side.open();
  let completed = 0;
  let resolve!: () => void;
  const done = new Promise<void>((r) => {
    resolve = r;
  });
  const start = performance.now();
  for (let i = 0; i < jobs; i++) await q.add(i);
  const added = performance.now();
  // Counted in the handler on both sides, so neither waits for a completion event the other lacks.
  const stop = await q.work(() => {
    if (++completed === jobs) queueMicrotask(resolve);
  });
  await done;
  const end = performance.now();
  await stop();
  await q.close();
  const seconds = (end - start) / 1000;
  return {
    jobs,
    seconds,
    jobsPerSec: jobs / seconds,
    addSeconds: (added - start) / 1000,
    runSeconds: (end - added) / 1000,
  };
}

const plainBullMq = (url: string, concurrency: number): Side => ({
  async open() {
    const name = `raw-${randomBytes(4).toString('hex')}`;
    const conn = new Redis(url, { maxRetriesPerRequest: null });
    let wconn: Redis | undefined;
    const queue = new Queue(name, { connection: conn, prefix: MQ_BENCH_PREFIX });
    await queue.waitUntilReady();
    return {
      add: (i) => queue.add('job', { i }, { attempts: 3, backoff: { type: 'exponential', delay: 1000 } }),
      async work(onJob) {
        // Connected on the clock, as BullMqTaskQueue.process connects its worker's connection.
        wconn = new Redis(url, { maxRetriesPerRequest: null });
        const worker = new Worker(
          name,
          async (job) => {
            onJob();
            return { n: (job.data as { i: number }).i };
          },
          { connection: wconn, prefix: MQ_BENCH_PREFIX, concurrency },
        );
        return () => worker.close();
      },
      async close() {
        await queue.obliterate({ force: true });
        await queue.close();
        conn.disconnect();
        wconn?.disconnect();
      },
    };
  },
});

const plumegoMq = (url: string, concurrency: number): Side => ({
  async open() {
    const q = new BullMqTaskQueue({ url, queue: `pm-${randomBytes(4).toString('hex')}`, prefix: MQ_BENCH_PREFIX });
    // The same readiness the plain side waits for: the queue's connection is up before the clock.
    await q.metrics();
    return {
      add: (i) => q.add('job', { i }, { maxAttempts: 3 }),
      async work(onJob) {
        const worker = q.process<{ i: number }>(
          (job) => {
            onJob();
            return { n: job.data.i };
          },
          { concurrency },
        );
        return async () => {
          await worker.stop();
        };
      },
      async close() {
        await q.obliterate();
        await q.close();
      },
    };
  },
});

export const runPlainBullMq = (url: string, jobs: number, concurrency: number): Promise<JobsResult> =>
  timed(plainBullMq(url, concurrency), jobs);

export const runPlumegoMq = (url: string, jobs: number, concurrency: number): Promise<JobsResult> =>
  timed(plumegoMq(url, concurrency), jobs);

export interface MqCaseResult {
  readonly jobs: number;
  readonly concurrency: number;
  readonly plumego: JobsResult[];
  readonly bullmq: JobsResult[];
  /** plumego / BullMQ jobs/s of each round (both sides back to back, so slow drifts of load cancel). */
  readonly roundRatios: number[];
  readonly ratioMedian: number;
  readonly loadavg: { readonly before: number[]; readonly after: number[] };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/**
 * Warm-up (both sides, uncounted: the first round of either side otherwise pays for compiling BullMQ
 * and ioredis), then `rounds` rounds in ABBA order so neither side always runs first.
 */
export async function runMqCase(
  url: string,
  opts: { jobs: number; concurrency: number; rounds: number },
): Promise<MqCaseResult> {
  const before = loadavg();
  const warm = Math.min(opts.jobs, 2000);
  for (let i = 0; i < 2; i++) {
    await runPlainBullMq(url, warm, opts.concurrency);
    await runPlumegoMq(url, warm, opts.concurrency);
  }
  const plumego: JobsResult[] = [];
  const bullmq: JobsResult[] = [];
  for (let r = 0; r < opts.rounds; r++) {
    if (r % 4 === 0 || r % 4 === 3) {
      bullmq.push(await runPlainBullMq(url, opts.jobs, opts.concurrency));
      plumego.push(await runPlumegoMq(url, opts.jobs, opts.concurrency));
    } else {
      plumego.push(await runPlumegoMq(url, opts.jobs, opts.concurrency));
      bullmq.push(await runPlainBullMq(url, opts.jobs, opts.concurrency));
    }
  }
  await removeBenchKeys(url);
  const roundRatios = plumego.map((p, i) => p.jobsPerSec / bullmq[i]!.jobsPerSec);
  return {
    jobs: opts.jobs,
    concurrency: opts.concurrency,
    plumego,
    bullmq,
    roundRatios,
    ratioMedian: median(roundRatios),
    loadavg: { before, after: loadavg() },
  };
}

/** Whatever an interrupted run left under the bench prefix (obliterate already removed the rest). */
async function removeBenchKeys(url: string): Promise<void> {
  const redis = new Redis(url);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${MQ_BENCH_PREFIX}:*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export function formatMqCase(r: MqCaseResult): string {
  const med = (xs: JobsResult[], k: (x: JobsResult) => number): number => median(xs.map(k));
  const phase = (xs: JobsResult[]): string =>
    `add ${Math.round(r.jobs / med(xs, (x) => x.addSeconds))}/s, run ${Math.round(r.jobs / med(xs, (x) => x.runSeconds))}/s`;
  return [
    `mq on Redis, ${r.jobs} jobs x ${r.plumego.length} rounds, concurrency ${r.concurrency}, load ${r.loadavg.before.map((x) => x.toFixed(2)).join(' ')} -> ${r.loadavg.after.map((x) => x.toFixed(2)).join(' ')}`,
    `  BullMqTaskQueue: ${Math.round(med(r.plumego, (x) => x.jobsPerSec))} jobs/s (${phase(r.plumego)}) rounds ${r.plumego.map((x) => Math.round(x.jobsPerSec)).join(' ')}`,
    `  plain BullMQ:    ${Math.round(med(r.bullmq, (x) => x.jobsPerSec))} jobs/s (${phase(r.bullmq)}) rounds ${r.bullmq.map((x) => Math.round(x.jobsPerSec)).join(' ')}`,
    `  ratio per round ${r.roundRatios.map((x) => x.toFixed(3)).join(' ')}; median ${r.ratioMedian.toFixed(3)}`,
  ].join('\n');
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({
    options: {
      jobs: { type: 'string', default: '5000' },
      rounds: { type: 'string', default: '6' },
      concurrency: { type: 'string', default: '8' },
      side: { type: 'string' },
      warm: { type: 'string', default: '1000' },
    },
  });
  const url = process.env.PLUMEGO_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const jobs = Number(values.jobs);
  const concurrency = Number(values.concurrency);
  if (values.side !== undefined) {
    // One side only, for callgrind / --cpu-prof: a warm-up run, then the measured one. Instructions per
    // job = difference of two runs' totals over the difference of their --jobs (startup cancels out).
    const run = values.side === 'bullmq' ? runPlainBullMq : runPlumegoMq;
    if (Number(values.warm) > 0) await run(url, Number(values.warm), concurrency);
    const r = await run(url, jobs, concurrency);
    await removeBenchKeys(url);
    process.stdout.write(`${values.side}: ${JSON.stringify(r)}\n`);
  } else {
    process.stdout.write(
      `${formatMqCase(await runMqCase(url, { jobs, concurrency, rounds: Number(values.rounds) }))}\n`,
    );
  }
  process.exit(0);
}
