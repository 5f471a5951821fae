import { parseArgs, type ParseArgsConfig } from 'node:util';

/** What a command may touch of the outside world; tests pass their own. */
export interface CliIO {
  readonly cwd: string;
  stdout(text: string): void;
  stderr(text: string): void;
}

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface Command {
  readonly name: string;
  /** The full help text printed by `plumego <name> --help`. */
  readonly usage: string;
  run(args: readonly string[], io: CliIO): Promise<number>;
}

/** Exit codes used by every command. */
export const EXIT = { ok: 0, violations: 1, usage: 2 } as const;

/** Wrong flags or arguments: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface ParsedArgs {
  readonly values: Record<string, string | boolean | string[] | undefined>;
  readonly positionals: string[];
}

/** Parses a command's arguments strictly; unknown flags are usage errors, never ignored. */
export function parseCommandArgs(args: readonly string[], options: OptionSpec, allowPositionals = false): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: { help: { type: 'boolean', short: 'h' }, ...options },
      allowPositionals,
      strict: true,
    });
    return { values: values as ParsedArgs['values'], positionals };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Reads --format and checks it against the formats a command supports. */
export function getFormat(values: ParsedArgs['values'], allowed: readonly string[], fallback = 'text'): string {
  const format = values['json'] === true ? 'json' : ((values['format'] as string | undefined) ?? fallback);
  if (!allowed.includes(format))
    throw new UsageError(`unknown --format '${format}' (use one of: ${allowed.join(', ')})`);
  return format;
}
