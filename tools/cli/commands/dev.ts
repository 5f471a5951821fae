import { ScaffoldError, startDev } from '../../scaffold/index.ts';
import { EXIT, parseCommandArgs, UsageError, type Command } from '../io.ts';

const USAGE = `Usage: plumego dev <entry-file> [--condition <name>]... [-- <app arguments>]

Runs the app with Node's own watch mode (node --watch) and tsx as the TypeScript loader: it
restarts when the entry file or any module it imported changes. Ctrl-C stops it.

Options:
  --condition <name>   an extra package exports condition (repeatable), e.g. source in the plumego repository`;

export const command: Command = {
  name: 'dev',
  usage: USAGE,
  async run(args, io) {
    const split = args.indexOf('--');
    const own = split === -1 ? args : args.slice(0, split);
    const appArgs = split === -1 ? [] : args.slice(split + 1);
    const { values, positionals } = parseCommandArgs(own, { condition: { type: 'string', multiple: true } }, true);
    if (positionals.length !== 1)
      throw new UsageError(
        positionals.length ? `expected one entry file, got ${positionals.length}` : 'missing <entry-file>',
      );
    let child;
    try {
      child = startDev(positionals[0]!, {
        cwd: io.cwd,
        conditions: (values['condition'] as string[] | undefined) ?? [],
        args: appArgs,
      });
    } catch (error) {
      if (!(error instanceof ScaffoldError)) throw error;
      io.stderr(`plumego dev: ${error.message} [${error.code}]\n`);
      return EXIT.usage;
    }
    // The terminal's Ctrl-C reaches both processes; a SIGTERM sent to this one is passed on.
    const forward = (signal: NodeJS.Signals): void => {
      child.kill(signal);
    };
    process.on('SIGTERM', forward);
    process.on('SIGINT', forward);
    return new Promise((resolveCode) => {
      child.on('exit', (code, signal) => {
        process.off('SIGTERM', forward);
        process.off('SIGINT', forward);
        resolveCode(code ?? (signal ? EXIT.ok : EXIT.violations));
      });
    });
  },
};
