import { existsSync } from 'node:fs';
import { loadControlPlane, type ControlPlane, type LoadOptions, type LoadResult } from '../control-plane/index.ts';
import type { ConfigError } from '../control-plane/violation.ts';
import type { CliIO } from './io.ts';

export type Loaded = { ok: true; load: LoadResult; plane: ControlPlane } | { ok: false; exitCode: number; load?: LoadResult };

/** Renders configuration errors as message + hint + location, one block each. */
export function renderConfigErrors(errors: readonly ConfigError[]): string {
  return `${errors.map((e) => `✖ configuration error [${e.code}]\n  ${e.message}\n  hint: ${e.hint}`).join('\n')}\n`;
}

/**
 * Loads the plane for a command. Unreadable configuration → exit 2 with located messages. When
 * the specs fail their schemas there is no plane: exit 1, with the load result so `check` can
 * report why.
 */
export async function loadForCommand(io: CliIO, options: LoadOptions = {}): Promise<Loaded> {
  if (!existsSync(`${io.cwd}/specs/repo.yaml`)) {
    io.stderr(`plumego: no specs/repo.yaml under ${io.cwd}\n  hint: run plumego from the repository root, or pass --root <dir>.\n`);
    return { ok: false, exitCode: 2 };
  }
  const load = await loadControlPlane(io.cwd, options);
  if (load.configErrors.length) {
    io.stderr(renderConfigErrors(load.configErrors));
    return { ok: false, exitCode: 2, load };
  }
  if (!load.plane) return { ok: false, exitCode: 1, load };
  return { ok: true, load, plane: load.plane };
}
