import { resolve } from 'node:path';
import { COMMANDS } from './commands/index.ts';
import { EXIT, UsageError, type CliIO } from './io.ts';

const HELP = (): string =>
  [
    'plumego — explicit module boundaries that a machine can check',
    '',
    'Usage: plumego <command> [options]   (every command takes --help)',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`),
    '',
    'Global options: --root <dir> (repository root, default: the current directory)',
    'Exit codes: 0 clean, 1 violations, 2 usage or configuration error.',
    '',
  ].join('\n');

/** Dispatches argv to a command. Never throws: every failure becomes a message and an exit code. */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  const args = [...argv];
  const rootAt = args.indexOf('--root');
  let cwd = io.cwd;
  if (rootAt !== -1) {
    const dir = args[rootAt + 1];
    if (!dir || dir.startsWith('-')) {
      io.stderr('plumego: --root needs a directory\n');
      return EXIT.usage;
    }
    cwd = resolve(io.cwd, dir);
    args.splice(rootAt, 2);
  }
  const [name, ...rest] = args;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(HELP());
    return name ? EXIT.ok : EXIT.usage;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    io.stderr(`plumego: unknown command '${name}'\n\n${HELP()}`);
    return EXIT.usage;
  }
  const command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(`${command.usage.trimEnd()}\n`);
    return EXIT.ok;
  }
  try {
    return await command.run(rest, { ...io, cwd });
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`plumego ${name}: ${error.message}\n\n${command.usage.trimEnd()}\n`);
      return EXIT.usage;
    }
    // An unexpected failure is still reported as one line, with where to look, not a stack trace.
    io.stderr(`plumego ${name}: internal error: ${(error as Error).message}\n(set PLUMEGO_DEBUG=1 for the stack)\n`);
    if (process.env['PLUMEGO_DEBUG']) io.stderr(`${(error as Error).stack ?? ''}\n`);
    return EXIT.usage;
  }
}
