/**
 * One in-process side for `valgrind --tool=callgrind` (instruction counts do not depend on load):
 * run it twice with different --n and divide the difference in instructions by the difference in
 * messages to get instructions per message without startup.
 *
 *   valgrind --tool=callgrind --callgrind-out-file=/tmp/cg/ee.%p node --conditions=source --import tsx bench/messaging/callgrind.ts --side ee --n 200000
 */
import { parseArgs } from 'node:util';
import { runEventEmitter, runInProcess } from './inprocess.ts';

const { values } = parseArgs({
  options: { side: { type: 'string', default: 'inprocess' }, n: { type: 'string', default: '100000' } },
});
const run = values.side === 'ee' ? runEventEmitter : runInProcess;
await run(20_000);
await run(Number(values.n));
process.exit(0);
