import { writeFileSync } from 'node:fs';
import type { ControlPlane, Module } from '../control-plane/index.ts';
import { analyzeApis } from './analyze.ts';
import { getApiModules, needsSnapshot } from './modules.ts';
import { findRecord, getApiChangeRecords, suggestRecord } from './api-changes.ts';
import { getSnapshotState, type SnapshotState } from './check-snapshots.ts';
import type { ApiChange } from './diff.ts';

export type WriteOutcome =
  | {
      readonly module: string;
      readonly path: string;
      readonly result: 'written' | 'unchanged';
      readonly changes: readonly ApiChange[];
    }
  | {
      readonly module: string;
      readonly path: string;
      readonly result: 'refused';
      readonly reason: string;
      readonly fix: string;
    };

export interface WriteResult {
  readonly outcomes: readonly WriteOutcome[];
  readonly timings: { readonly loadMs: number; readonly extractMs: number; readonly files: number };
}

/**
 * Regenerates snapshots: of the named modules, or of every module that needs one (beta/ga, or one
 * that already has a file). A ga module whose new surface drops or changes an export is refused
 * until module.yaml records the break, so the tool cannot launder a breaking change into the
 * reviewed snapshot; everything else is written.
 */
export function writeSnapshots(plane: ControlPlane, modules: readonly Module[] | undefined): WriteResult {
  const targets = modules ?? getApiModules(plane).filter((m) => needsSnapshot(plane, m));
  const analysis = analyzeApis(plane, { modules: targets.map((m) => m.name), print: () => true });
  const outcomes: WriteOutcome[] = [];
  for (const m of targets) {
    const api = analysis.apis.get(m.name);
    const state = getSnapshotState(plane, m, api, true);
    const blocked = api?.problems.find(
      (p) => p.rule === 'syntax-error' || p.rule === 'unprintable-type' || p.rule === 'unresolved-export',
    );
    if (!api || blocked) {
      outcomes.push({
        module: m.name,
        path: state.path,
        result: 'refused',
        reason: blocked?.message ?? 'the module was not analysed',
        fix:
          blocked?.rule === 'syntax-error'
            ? 'Fix the syntax error first.'
            : 'Give the export an explicit type annotation, or fix the re-export.',
      });
      continue;
    }
    outcomes.push(writeOne(plane, m, state));
  }
  return { outcomes, timings: analysis.timings };
}

function writeOne(plane: ControlPlane, m: Module, state: SnapshotState): WriteOutcome {
  if (state.state === 'fresh') return { module: m.name, path: state.path, result: 'unchanged', changes: [] };
  const changes = state.diff?.changes ?? [];
  if (m.tier === 'ga' && state.state === 'stale') {
    const records = getApiChangeRecords(m);
    const unrecorded = changes.filter((c) => c.severity === 'breaking' && !findRecord(records, c));
    if (unrecorded.length) {
      return {
        module: m.name,
        path: state.path,
        result: 'refused',
        reason: `breaking change(s) to ga module '${m.name}' not recorded: ${unrecorded.map((c) => `${c.change} ${c.name}`).join(', ')}`,
        fix: `Restore the exports, or record the break in ${m.manifestFile}: ${suggestRecord(m, unrecorded)}`,
      };
    }
  }
  // An unreadable (hand-edited) snapshot is replaced: the code, not the edit, is the truth.
  writeFileSync(`${plane.root}/${state.path}`, state.rendered!);
  return { module: m.name, path: state.path, result: 'written', changes };
}
