import { readFileSync } from 'node:fs';
import type { ControlPlane, Module, Violation } from '../control-plane/index.ts';
import type { ApiAnalysis } from './model.ts';
import { readApiAnalysis, type CacheOptions } from './read-analysis.ts';
import { assertApiChangeRecords, findRecord, getApiChangeRecords, suggestRecord } from './api-changes.ts';
import { diffApi, type ApiChange, type ApiDiff } from './diff.ts';
import type { ModuleApi } from './model.ts';
import { getSnapshotPath, parseSnapshot, renderSnapshot, type SnapshotEntry } from './snapshot.ts';

const CHECK = 'api-snapshots';

const WHY = {
  stale:
    'The snapshot is the reviewed record of the public API; regenerating it makes every API change show up as a diff in review.',
  breaking:
    'A ga module carries the v1 compatibility promise: removing or changing an export breaks callers, so the break must be recorded with its version and reason.',
  unprintable: 'A snapshot that cannot print a signature cannot show when it changes.',
  records:
    "api_changes is the module's history of breaking changes; versions must move forward and ga breaks need a major release.",
} as const;

/** The outcome for one module, shared by the check, `plumego api diff` and the status evidence. */
export interface SnapshotState {
  readonly module: Module;
  readonly path: string;
  readonly state: 'fresh' | 'stale' | 'missing' | 'unreadable' | 'unchecked';
  readonly diff?: ApiDiff;
  /** Rendered from the code (absent when the module was not printed). */
  readonly rendered?: string;
  readonly snapshotEntries?: readonly SnapshotEntry[];
}

/** Compares one module's current API with its committed snapshot (pure apart from reading the file). */
export function getSnapshotState(
  plane: ControlPlane,
  m: Module,
  api: ModuleApi | undefined,
  printed: boolean,
): SnapshotState {
  const path = getSnapshotPath(m.path);
  if (!api || !printed || api.problems.some((p) => p.rule === 'syntax-error'))
    return { module: m, path, state: 'unchecked' };
  const rendered = renderSnapshot({
    module: m.name,
    ...(m.importSpecifier ? { specifier: m.importSpecifier } : {}),
    entry: m.entry,
    entries: api.entries,
  });
  let text: string;
  try {
    text = readFileSync(`${plane.root}/${path}`, 'utf8');
  } catch {
    return { module: m, path, state: 'missing', rendered, diff: diffApi([], api.entries) };
  }
  if (text === rendered) return { module: m, path, state: 'fresh', rendered };
  const parsed = parseSnapshot(text);
  if (!parsed.ok) return { module: m, path, state: 'unreadable', rendered };
  return {
    module: m,
    path,
    state: 'stale',
    rendered,
    snapshotEntries: parsed.entries,
    diff: diffApi(parsed.entries, api.entries),
  };
}

/**
 * API snapshots check: every snapshot is regenerated in memory and compared with the committed file;
 * for ga modules a removed or changed export fails unless module.yaml records it in api_changes.
 * Missing snapshots of beta/ga modules are the maturity-evidence check's finding, not this one's.
 */
export async function checkApiSnapshots(plane: ControlPlane, options: CacheOptions = {}): Promise<Violation[]> {
  return findSnapshotViolations(plane, await readApiAnalysis(plane, options));
}

export function findSnapshotViolations(plane: ControlPlane, analysis: ApiAnalysis): Violation[] {
  const out: Violation[] = [];
  for (const m of plane.modules) {
    for (const p of assertApiChangeRecords(m)) {
      const pos = plane.locate(m.manifestFile, ['api_changes', p.index, 'version']);
      out.push({
        check: CHECK,
        rule: 'api-changes-invalid',
        severity: 'error',
        ...pos,
        message: p.message,
        rationale: WHY.records,
        fix: 'Name the release that ships the break: later than promoted_in and the previous entry, and vN.0.0 for a ga module.',
        from: m.name,
      });
    }
    const api = analysis.apis.get(m.name);
    if (!api || !analysis.printed.has(m.name)) continue;
    const syntax = api.problems.find((p) => p.rule === 'syntax-error');
    if (syntax) {
      out.push({
        check: CHECK,
        rule: 'not-compared',
        severity: 'error',
        file: syntax.file,
        line: syntax.line,
        column: syntax.column,
        message: `the API snapshot of '${m.name}' was not compared: ${syntax.file} has a syntax error (see the entrypoints check)`,
        rationale: WHY.unprintable,
        fix: 'Fix the syntax error, then run plumego check again.',
        from: m.name,
      });
      continue;
    }
    for (const p of api.problems) {
      out.push({
        check: CHECK,
        rule: p.rule,
        severity: 'error',
        file: p.file,
        line: p.line,
        column: p.column,
        message: `${m.name}: ${p.message}`,
        rationale: WHY.unprintable,
        fix:
          p.rule === 'unresolved-export'
            ? 'Re-export a declaration the repository defines, or fix the broken import.'
            : `Give the export an explicit type annotation in ${p.file}.`,
        from: m.name,
      });
    }
    out.push(...compareWithSnapshot(plane, m, getSnapshotState(plane, m, api, true), api));
  }
  return out;
}

function compareWithSnapshot(plane: ControlPlane, m: Module, s: SnapshotState, api: ModuleApi): Violation[] {
  const regenerate = `Run \`plumego api snapshot --module ${m.name}\` and commit ${s.path}.`;
  if (s.state === 'unreadable') {
    const parsed = parseSnapshot(readFileSync(`${plane.root}/${s.path}`, 'utf8'));
    const line = parsed.ok ? 1 : parsed.line;
    return [
      {
        check: CHECK,
        rule: 'snapshot-unreadable',
        severity: 'error',
        file: s.path,
        line,
        column: 1,
        message: `${s.path} is not a snapshot the tool wrote (${parsed.ok ? 'unknown' : parsed.message}); it was probably edited by hand`,
        rationale: WHY.stale,
        fix: `Do not edit snapshots. ${regenerate}`,
        from: m.name,
      },
    ];
  }
  if (s.state !== 'stale' || !s.diff) return [];
  const out: Violation[] = [];
  const byName = new Map(s.snapshotEntries?.map((e) => [e.name, e]));
  const summary = s.diff.changes.length
    ? s.diff.changes.map((c) => `${c.change} ${c.name}`).join(', ')
    : 'only the text outside the signatures differs (edited by hand)';
  out.push({
    check: CHECK,
    rule: 'snapshot-stale',
    severity: 'error',
    file: s.path,
    line: 1,
    column: 1,
    message: `${s.path} is stale: ${summary}`,
    rationale: WHY.stale,
    fix: regenerate,
    from: m.name,
  });
  if (m.tier !== 'ga') return out;
  const records = getApiChangeRecords(m);
  const unrecorded = s.diff.changes.filter((c) => c.severity === 'breaking' && !findRecord(records, c));
  for (const c of unrecorded) {
    const line =
      c.change === 'removed'
        ? (byName.get(c.name)?.line ?? 1)
        : (api.entries.find((e) => e.name === c.name)?.line ?? 0);
    const file = c.change === 'removed' ? s.path : (api.entries.find((e) => e.name === c.name)?.file ?? m.entry);
    out.push({
      check: CHECK,
      rule: 'breaking-change',
      severity: 'error',
      file,
      line,
      column: line ? 1 : 0,
      message: `ga module '${m.name}': ${describe(c)} — a breaking change that module.yaml does not record`,
      rationale: WHY.breaking,
      fix: `Restore the previous signature, or record the break in ${m.manifestFile}: ${suggestRecord(m, [c])}; then regenerate the snapshot.`,
      from: m.name,
    });
  }
  return out;
}

function describe(c: ApiChange): string {
  if (c.change === 'removed') return `export '${c.name}' was removed`;
  const was = c.before.length ? ` (was: ${c.before.map((l) => l.trim()).join('; ')})` : '';
  return `the signature of '${c.name}' changed${was}`;
}
