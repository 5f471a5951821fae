import { existsSync } from 'node:fs';
import {
  ConfigError,
  type ControlPlane,
  loadControlPlane,
  type LoadOptions,
  type LoadResult,
} from '../control-plane/index.ts';
import type { CliIO } from './io.ts';

export type Loaded =
  | { ok: true; load: LoadResult; plane: ControlPlane }
  | { ok: false; exitCode: number; load?: LoadResult; configErrors?: readonly ConfigError[] };

export interface LoadForCommandOptions extends LoadOptions {
  /** Leave configuration errors to the caller (it renders them in its own format) instead of printing them on stderr. */
  readonly quiet?: boolean;
}

/** Renders configuration errors as message + hint + location, one block each. */
export function renderConfigErrors(errors: readonly ConfigError[]): string {
  return `${errors.map((e) => `✖ configuration error [${e.code}]\n  ${e.message}\n  hint: ${e.hint}`).join('\n')}\n`;
}

/**
 * Loads the plane for a command. Unreadable configuration → exit 2 with located messages. When
 * the specs fail their schemas there is no plane: exit 1, with the load result so `check` can
 * report why.
 */
export async function loadForCommand(io: CliIO, options: LoadForCommandOptions = {}): Promise<Loaded> {
  if (!existsSync(`${io.cwd}/specs/repo.yaml`)) {
    const error = new ConfigError(
      'PLUMEGO_ERR_SPEC_UNREADABLE',
      `no specs/repo.yaml under ${io.cwd}`,
      { file: 'specs/repo.yaml' },
      'Run plumego from the repository root or pass --root <dir>; a repository without specs starts with plumego init.',
    );
    if (!options.quiet) io.stderr(renderConfigErrors([error]));
    return { ok: false, exitCode: 2, configErrors: [error] };
  }
  const load = await loadControlPlane(io.cwd, options);
  if (load.configErrors.length) {
    if (!options.quiet) io.stderr(renderConfigErrors(load.configErrors));
    return { ok: false, exitCode: 2, load, configErrors: load.configErrors };
  }
  if (!load.plane) return { ok: false, exitCode: 1, load };
  return { ok: true, load, plane: load.plane };
}
