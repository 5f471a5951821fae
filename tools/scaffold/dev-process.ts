import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ScaffoldError } from './errors.ts';
import { getTsxLoader } from './read-routes.ts';

export interface DevOptions {
  readonly cwd: string;
  /** Extra package exports conditions (`source` in the plumego repository). */
  readonly conditions?: readonly string[];
  /** Arguments passed to the app after its entry file. */
  readonly args?: readonly string[];
  readonly stdio?: StdioOptions;
}

/**
 * The node arguments of `plumego dev`: Node's own watch mode (it restarts when the entry or any
 * module it loaded changes) with tsx as the loader, so the TypeScript runs without a build step.
 */
export function getDevArgs(file: string, options: Pick<DevOptions, 'conditions' | 'args'> = {}): string[] {
  return [
    '--watch',
    ...(options.conditions ?? []).map((c) => `--conditions=${c}`),
    '--import',
    getTsxLoader(),
    file,
    ...(options.args ?? []),
  ];
}

/** Starts the app under watch mode; refuses an entry that does not exist rather than watching nothing. */
export function startDev(entry: string, options: DevOptions): ChildProcess {
  const file = resolve(options.cwd, entry);
  if (!existsSync(file)) throw new ScaffoldError('PLUMEGO_SCAFFOLD_ENTRY_INVALID', `${entry}: no such file`);
  return spawn(process.execPath, getDevArgs(file, options), { cwd: options.cwd, stdio: options.stdio ?? 'inherit' });
}
