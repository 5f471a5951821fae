/**
 * A broker adapter (RabbitMQ or NATS JetStream) or the raw client's loop for `valgrind --tool=callgrind` (instruction
 * counts do not depend on load): `--warm-runs` uncounted runs of `--warm` messages, then one run of `--n` between two
 * `os.loadavg()` calls, so with `--dump-before=uv_loadavg` the dump ending `.2` holds exactly that run (this process
 * only: the broker's own CPU is not in it). The loops are adapters.ts's runAdapter / runRawAmqp / runRawNats,
 * unchanged. Counts of one side vary by ~±15% between runs at a few thousand messages (how replies batch into
 * socket reads depends on timing under valgrind): take several runs per side.
 *
 *   valgrind --tool=callgrind --dump-before=uv_loadavg --callgrind-out-file=/tmp/cg/amqp-adapter node --single-threaded \
 *     --conditions=source --import tsx bench/messaging/callgrind-broker.ts --backend amqp --side adapter --n 3000
 */
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { AmqpBroker, NatsBroker } from 'plumego/x/messaging/pubsub';
import { runAdapter, runRawAmqp, runRawNats } from './adapters.ts';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'amqp' },
    side: { type: 'string', default: 'adapter' },
    n: { type: 'string', default: '3000' },
    warm: { type: 'string', default: '3000' },
    'warm-runs': { type: 'string', default: '2' },
    // Another copy of the adapter's module (e.g. the previous commit's amqp.ts or nats.ts) for a before/after.
    impl: { type: 'string' },
  },
});
const backends = {
  amqp: {
    url: process.env.PLUMEGO_TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
    exportName: 'AmqpBroker',
    broker: AmqpBroker,
    raw: runRawAmqp,
  },
  nats: {
    url: process.env.PLUMEGO_TEST_NATS_URL ?? 'nats://127.0.0.1:4222',
    exportName: 'NatsBroker',
    broker: NatsBroker,
    raw: runRawNats,
  },
} as const;
if (values.backend !== 'amqp' && values.backend !== 'nats') throw new Error('--backend must be amqp or nats');
const b = backends[values.backend];
type BrokerClass = typeof AmqpBroker | typeof NatsBroker;
const Broker: BrokerClass =
  values.impl === undefined ? b.broker : ((await import(values.impl)) as Record<string, BrokerClass>)[b.exportName]!;
const namespace = `cg-${randomBytes(4).toString('hex')}`;
const run = async (n: number): Promise<void> => {
  if (values.side === 'raw') {
    await b.raw(b.url, n);
    return;
  }
  // Closed after each run: a warm run's subscriber would otherwise also receive the measured run's messages.
  const broker = await Broker.connect({ url: b.url, namespace });
  await runAdapter(broker, n);
  await broker.close();
};
for (let i = 0; i < Number(values['warm-runs']); i++) await run(Number(values.warm));
loadavg();
await run(Number(values.n));
loadavg();
if (values.side !== 'raw') await Broker.destroyNamespace(b.url, namespace);
process.exit(0);
