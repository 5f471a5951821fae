import { isDataError } from 'plumego/x/data';
import type { Migrator } from './migrator.ts';

const USAGE = 'usage: <migrate> up [--to <version>] | down [--steps <n>] | status | verify';

function readFlag(args: readonly string[], flag: string): number | undefined | 'bad' {
  const i = args.indexOf(flag);
  if (i === -1) return undefined;
  const value = Number(args[i + 1]);
  return Number.isSafeInteger(value) && value > 0 ? value : 'bad';
}

/**
 * The app's own migration command, independent of the `plumego` CLI:
 * `node migrate.ts up`, where migrate.ts builds a `Migrator` and calls
 * `process.exitCode = await runMigrationCli(process.argv.slice(2), migrator)`. Output lines carry
 * versions, names and error codes only — never SQL or connection details. Exit codes: 0 done,
 * 1 failed (drift, lock, a failing migration), 2 usage.
 */
export async function runMigrationCli(
  args: readonly string[],
  migrator: Migrator,
  write: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
): Promise<number> {
  const [command, ...rest] = args;
  try {
    if (command === 'up') {
      const to = readFlag(rest, '--to');
      if (to === 'bad') return usage(write);
      const applied = await migrator.up(to === undefined ? {} : { to });
      write(applied.length === 0 ? 'up: nothing to apply' : `up: applied ${applied.join(', ')}`);
    } else if (command === 'down') {
      const steps = readFlag(rest, '--steps');
      if (steps === 'bad') return usage(write);
      const reverted = await migrator.down(steps === undefined ? {} : { steps });
      write(reverted.length === 0 ? 'down: nothing to revert' : `down: reverted ${reverted.join(', ')}`);
    } else if (command === 'status') {
      for (const s of await migrator.readStatus()) {
        const state = !s.applied ? 'pending' : s.checksumMatches ? 'applied' : 'DRIFT';
        write(`${String(s.version).padStart(6)}  ${state.padEnd(8)} ${s.name}`);
      }
    } else if (command === 'verify') {
      await migrator.verify();
      write('verify: applied migrations match');
    } else {
      return usage(write);
    }
    return 0;
  } catch (err) {
    if (!isDataError(err)) throw err;
    write(`${command}: ${err.code}${err.reason === undefined ? '' : ` (${err.reason})`}: ${err.message}`);
    return 1;
  }
}

function usage(write: (line: string) => void): number {
  write(USAGE);
  return 2;
}
