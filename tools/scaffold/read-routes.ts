import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ScaffoldError } from './errors.ts';
import type { RouteRow } from './find-app.ts';

/** The tsx loader next to this package, as a URL for `node --import`. */
export function getTsxLoader(): string {
  return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
}

/** This file's sibling, as source (.ts, in the repository) or compiled (.js, in the package). */
function sibling(name: string): string {
  return fileURLToPath(new URL(`./${name}${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url));
}

export interface ReadRoutesOptions {
  readonly cwd: string;
  readonly exportName?: string;
  /** Extra resolution conditions (`source` for this repository's own services). */
  readonly conditions?: readonly string[];
}

/** Loads `entry` in a child process and returns its app's route table; typed errors for a missing file or app. */
export function readRoutes(entry: string, options: ReadRoutesOptions): Promise<RouteRow[]> {
  const file = resolve(options.cwd, entry);
  if (!existsSync(file))
    return Promise.reject(new ScaffoldError('PLUMEGO_SCAFFOLD_ENTRY_INVALID', `${entry}: no such file`));
  const args = [
    ...(options.conditions ?? []).map((c) => `--conditions=${c}`),
    '--import',
    getTsxLoader(),
    sibling('print-routes'),
    file,
    options.exportName ?? '',
  ];
  return new Promise((resolveRows, reject) => {
    const child = spawn(process.execPath, args, { cwd: options.cwd, stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
    let result = '';
    let stderr = '';
    child.stdio[3]!.on('data', (chunk: Buffer) => {
      result += chunk.toString('utf8');
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('error', (error) =>
      reject(new ScaffoldError('PLUMEGO_SCAFFOLD_ENTRY_INVALID', `${entry}: could not start node: ${error.message}`)),
    );
    child.on('close', () => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(result);
      } catch {
        const lines = stderr.trim().split('\n');
        reject(
          new ScaffoldError(
            'PLUMEGO_SCAFFOLD_ENTRY_INVALID',
            `${entry}: could not be loaded: ${lines.find((l) => /Error/.test(l)) ?? lines[0] ?? 'the process ended without a route table'}`,
          ),
        );
        return;
      }
      const failure = (parsed as { error?: { code: string; message: string } }).error;
      if (failure) reject(new ScaffoldError('PLUMEGO_SCAFFOLD_ENTRY_INVALID', failure.message));
      else resolveRows(parsed as RouteRow[]);
    });
  });
}
