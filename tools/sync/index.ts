import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ControlPlane, Violation } from '../control-plane/index.ts';
import { GENERATORS, type Generator } from './generators.ts';

export { GENERATORS, type Generator } from './generators.ts';
export { buildExports } from './package-exports.ts';
export { buildModulesTable, README_END, README_START } from './readme-table.ts';

export interface SyncOutcome {
  readonly generator: Generator;
  /** True when the file on disk differs from what the specs generate. */
  readonly stale: boolean;
  readonly next: string | undefined;
}

async function readMaybe(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The generators specs/repo.yaml turns on (`generate`; by default all in the full profile, none in the minimal one). */
export function getEnabledGenerators(plane: Pick<ControlPlane, 'generators'>): Generator[] {
  return GENERATORS.filter((g) => plane.generators.has(g.group));
}

/** Renders every generated file and compares it with the disk; writes only when `write` is set. */
export async function runSync(
  plane: ControlPlane,
  write: boolean,
  generators: readonly Generator[] = getEnabledGenerators(plane),
): Promise<SyncOutcome[]> {
  const outcomes: SyncOutcome[] = [];
  for (const generator of generators) {
    const path = `${plane.root}/${generator.file}`;
    const current = await readMaybe(path);
    // Awaited: a generator may need another tool's async result (the site data reads the boundary graph).
    const next = await generator.render(plane, current);
    const stale = next !== undefined && next !== current;
    if (stale && write) {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, next);
    }
    outcomes.push({ generator, stale, next });
  }
  return outcomes;
}

/** The `sync` check: one violation per generated file that has drifted from the specs. */
export async function checkSync(plane: ControlPlane): Promise<Violation[]> {
  const outcomes = await runSync(plane, false);
  return outcomes
    .filter((o) => o.stale)
    .map(({ generator }) => ({
      check: 'sync',
      rule: 'generated-file-stale',
      severity: 'error' as const,
      file: generator.file,
      line: 1,
      column: 1,
      message: `${generator.file} is out of date with the ${generator.from} (${generator.id})`,
      rationale:
        'Each fact lives in one place; derived files are regenerated, never edited, so they cannot disagree with the specs.',
      fix: 'Run `npx plumego sync` and commit the result; if you edited the file by hand, move the change into the spec or manifest it comes from.',
    }));
}
