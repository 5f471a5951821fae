/**
 * One in-process side for `valgrind --tool=callgrind` (instruction counts do not depend on load):
 * the measured run sits between two `os.loadavg()` calls, so with `--dump-before=uv_loadavg` callgrind
 * writes a dump (the file ending `.2`) that holds exactly that run: instructions / n is the cost per
 * message. The older method, the difference of two whole-process totals with different --n, is not
 * usable: the startup (tsx, JIT, GC) varies between runs by ~1e8 instructions, hundreds per message.
 *
 * `--warm N` (default 20 000) sets the uncounted first run. With the default the window still holds
 * V8 re-optimising for the fresh broker/emitter and handlers of the measured run (TurboFan and GC
 * frames in the dump, ~150-200 instructions per message on either side); `--warm 400000` gives
 * closer to steady-state counts. `--warm-runs K` (default 1) repeats the uncounted run K times with
 * fresh objects: V8's one-off re-optimisations for a second broker/emitter (a call site first reached
 * by the second instance, loops re-entered after an OSR deopt) then fall outside the window, which
 * holds no compiler frames at `--warm 100000 --warm-runs 3` on either side. Report which one was used.
 *
 *   valgrind --tool=callgrind --dump-before=uv_loadavg --callgrind-out-file=/tmp/cg/ee node --single-threaded --conditions=source --import tsx bench/messaging/callgrind.ts --side ee --n 200000
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { runEventEmitter, runInProcess } from './inprocess.ts';

const { values } = parseArgs({
  options: {
    side: { type: 'string', default: 'inprocess' },
    n: { type: 'string', default: '100000' },
    warm: { type: 'string', default: '20000' },
    'warm-runs': { type: 'string', default: '1' },
  },
});
const run = values.side === 'ee' ? runEventEmitter : runInProcess;
for (let i = 0; i < Number(values['warm-runs']); i++) await run(Number(values.warm));
loadavg();
await run(Number(values.n));
loadavg();
process.exit(0);
