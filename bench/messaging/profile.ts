/**
 * One side of one case, for `node --cpu-prof`: where does the time go?
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --conditions=source --import tsx bench/messaging/profile.ts --case inprocess|nats|redis|amqp|mq [--raw] [--n N]
 *
 * Prints the throughput of each run; the .cpuprofile files say where the time went.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { runEventEmitter, runInProcess } from './inprocess.ts';
import { openAdapters, runAdapter, runRawAmqp, runRawNats, runRawRedis } from './adapters.ts';
import { runPlainBullMq, runPlumegoMq } from './mq.ts';

const { values } = parseArgs({
  options: {
    case: { type: 'string', default: 'inprocess' },
    raw: { type: 'boolean', default: false },
    n: { type: 'string' },
  },
});
const urls = {
  nats: process.env.PLUMEGO_TEST_NATS_URL ?? 'nats://127.0.0.1:4222',
  redis: process.env.PLUMEGO_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
  amqp: process.env.PLUMEGO_TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
};
const c = values.case!;
if (c === 'inprocess') {
  const n = Number(values.n ?? 1_000_000);
  const run = values.raw ? runEventEmitter : runInProcess;
  await run(50_000);
  for (let i = 0; i < 3; i++)
    console.log(
      `${values.raw ? 'EventEmitter' : 'InProcessBroker'}: ${Math.round((await run(n)).msgsPerSec).toLocaleString('en')} msg/s`,
    );
} else if (c === 'mq') {
  const n = Number(values.n ?? 3000);
  const run = values.raw ? runPlainBullMq : runPlumegoMq;
  for (let i = 0; i < 2; i++)
    console.log(
      `${values.raw ? 'BullMQ' : 'BullMqTaskQueue'}: ${Math.round((await run(urls.redis, n, 8)).jobsPerSec)} jobs/s`,
    );
} else if (c === 'nats' || c === 'redis' || c === 'amqp') {
  const n = Number(values.n ?? (c === 'amqp' ? 200 : 4000));
  for (let i = 0; i < 2; i++) {
    if (values.raw) {
      const r = await {
        nats: () => runRawNats(urls.nats, n),
        redis: () => runRawRedis(urls.redis, n),
        amqp: () => runRawAmqp(urls.amqp, n),
      }[c]();
      console.log(`raw ${c}: ${Math.round(r.msgsPerSec)} msg/s, p99 ${r.p99Ms.toFixed(2)} ms`);
    } else {
      const namespace = `prof${randomBytes(3).toString('hex')}`;
      const broker = await (await openAdapters(urls, namespace))[c]();
      const r = await runAdapter(broker, n);
      await broker.close();
      console.log(`adapter ${c}: ${Math.round(r.msgsPerSec)} msg/s, p99 ${r.p99Ms.toFixed(2)} ms`);
    }
  }
} else {
  throw new Error(`unknown case ${c}`);
}
process.exit(0);
