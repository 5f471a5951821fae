import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { ControlPlane, Module } from '../control-plane/index.ts';
import { analyzeApis } from './analyze.ts';
import { BadRefError } from './bad-ref-error.ts';
import { findRecord, getApiChangeRecords } from './api-changes.ts';
import { diffApi, type ApiChange } from './diff.ts';
import { getSnapshotPath, parseSnapshot } from './snapshot.ts';

export interface ModuleDiff {
  readonly module: string;
  readonly tier: Module['tier'];
  /** What the code was compared with: the committed file, the file at a git ref, or nothing. */
  readonly baseline: string;
  readonly changes: readonly (ApiChange & { readonly recordedIn?: string })[];
  /** Breaking changes of a ga module that api_changes does not record: these fail. */
  readonly unrecorded: readonly string[];
  /** Why the module could not be compared (syntax error, unreadable baseline), if so. */
  readonly error?: string;
}

export interface DiffResult {
  readonly modules: readonly ModuleDiff[];
  readonly timings: { readonly loadMs: number; readonly extractMs: number; readonly files: number };
}

/**
 * Classifies each module's API change against a baseline snapshot: the working-tree file by default,
 * or the file as committed at `base` (what CI uses: `plumego api diff --base origin/main`), which also
 * catches a break that was regenerated into the snapshot in the same change.
 */
export function diffModules(plane: ControlPlane, modules: readonly Module[], base?: string): DiffResult {
  if (base !== undefined) assertCommit(plane.root, base);
  const analysis = analyzeApis(plane, { modules: modules.map((m) => m.name), print: () => true });
  const out: ModuleDiff[] = [];
  for (const m of modules) {
    const path = getSnapshotPath(m.path);
    const baseline = base === undefined ? path : `${base}:${path}`;
    const api = analysis.apis.get(m.name);
    const blocked = api?.problems.find((p) => p.rule === 'syntax-error');
    if (!api || blocked) {
      out.push({
        module: m.name,
        tier: m.tier,
        baseline,
        changes: [],
        unrecorded: [],
        error: blocked?.message ?? 'not analysed',
      });
      continue;
    }
    const text = base === undefined ? readWorkingFile(plane.root, path) : readAtRef(plane.root, base, path);
    const parsed = text === undefined ? { ok: true as const, entries: [] } : parseSnapshot(text);
    if (!parsed.ok) {
      out.push({
        module: m.name,
        tier: m.tier,
        baseline,
        changes: [],
        unrecorded: [],
        error: `${baseline}:${parsed.line}: ${parsed.message}`,
      });
      continue;
    }
    const records = getApiChangeRecords(m);
    const changes = diffApi(parsed.entries, api.entries).changes.map((c): ModuleDiff['changes'][number] => {
      const record = c.severity === 'breaking' ? findRecord(records, c) : undefined;
      return record ? { ...c, recordedIn: record.version } : c;
    });
    const unrecorded =
      m.tier === 'ga' ? changes.filter((c) => c.severity === 'breaking' && !c.recordedIn).map((c) => c.name) : [];
    out.push({
      module: m.name,
      tier: m.tier,
      baseline: text === undefined ? 'none (no snapshot yet)' : baseline,
      changes,
      unrecorded,
    });
  }
  return { modules: out, timings: analysis.timings };
}

function readWorkingFile(root: string, path: string): string | undefined {
  try {
    return readFileSync(`${root}/${path}`, 'utf8');
  } catch {
    return undefined;
  }
}

function assertCommit(root: string, ref: string): void {
  try {
    execFileSync('git', ['-C', root, 'rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { stdio: 'pipe' });
  } catch {
    throw new BadRefError(`'${ref}' does not name a commit in ${root}`);
  }
}

function readAtRef(root: string, ref: string, path: string): string | undefined {
  try {
    return execFileSync('git', ['-C', root, 'show', `${ref}:${path}`], {
      stdio: 'pipe',
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch {
    // The ref exists (checked above), so the file does not: the module had no snapshot then.
    return undefined;
  }
}
