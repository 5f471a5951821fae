/**
 * NATS JetStream's adapter or the raw nats.js loop for `valgrind --tool=callgrind` (instruction counts do not depend on
 * load): `--warm-runs` uncounted runs of `--warm` messages, then one run of `--n` between two `os.loadavg()` calls,
 * so with `--dump-before=uv_loadavg` the dump ending `.2` holds exactly that run (this process only: the broker's
 * own CPU is not in it). The loops are adapters.ts's runAdapter / runRawNats, unchanged.
 *
 *   valgrind --tool=callgrind --dump-before=uv_loadavg --callgrind-out-file=/tmp/cg/nats-adapter node --single-threaded \
 *     --conditions=source --import tsx bench/messaging/callgrind-nats.ts --side adapter --n 3000
 */
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { NatsBroker } from 'plumego/x/messaging/pubsub';
import { runAdapter, runRawNats } from './adapters.ts';

const { values } = parseArgs({
  options: {
    side: { type: 'string', default: 'adapter' },
    n: { type: 'string', default: '3000' },
    warm: { type: 'string', default: '3000' },
    'warm-runs': { type: 'string', default: '2' },
    // Another copy of the adapter (e.g. the previous commit's nats.ts beside the current one) for a before/after.
    impl: { type: 'string' },
  },
});
const url = process.env.PLUMEGO_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const namespace = `cg-${randomBytes(4).toString('hex')}`;
const run = async (n: number): Promise<void> => {
  if (values.side === 'raw') {
    await runRawNats(url, n);
    return;
  }
  // Closed after each run: a warm run's subscriber would otherwise also receive the measured run's messages.
  const broker = await (
    values.impl === undefined
      ? NatsBroker
      : ((await import(values.impl)) as { NatsBroker: typeof NatsBroker }).NatsBroker
  ).connect({ url, namespace });
  await runAdapter(broker, n);
  await broker.close();
};
for (let i = 0; i < Number(values['warm-runs']); i++) await run(Number(values.warm));
loadavg();
await run(Number(values.n));
loadavg();
if (values.side !== 'raw') await NatsBroker.destroyNamespace(url, namespace);
process.exit(0);
