import type { ApiChangeRecord, Module } from '../control-plane/index.ts';
import type { ApiChange } from './diff.ts';

export type { ApiChangeRecord };

export function getApiChangeRecords(m: Module): readonly ApiChangeRecord[] {
  return m.manifest.api_changes ?? [];
}

/** The record that accepts a breaking change, if any: removals under `removed`, rewrites under `changed`. */
export function findRecord(records: readonly ApiChangeRecord[], change: ApiChange): ApiChangeRecord | undefined {
  const list = change.change === 'removed' ? 'removed' : 'changed';
  return records.find((r) => r[list]?.includes(change.name));
}

/** What to add to module.yaml to accept the given breaking changes (shown in fix hints). */
export function suggestRecord(m: Module, breaking: readonly ApiChange[]): string {
  const removed = breaking.filter((c) => c.change === 'removed').map((c) => c.name);
  const changed = breaking.filter((c) => c.change !== 'removed').map((c) => c.name);
  const version = nextMajor(m);
  return `api_changes: [{ version: ${version}, reason: "<why the break is worth it>"${removed.length ? `, removed: [${removed.join(', ')}]` : ''}${changed.length ? `, changed: [${changed.join(', ')}]` : ''} }]`;
}

export interface RecordProblem {
  readonly index: number;
  readonly message: string;
}

/**
 * Meaning of the records beyond the schema: versions move forward from promoted_in, and a ga
 * module's breaks ship only in a new major version (the v1 compatibility promise).
 */
export function assertApiChangeRecords(m: Module): RecordProblem[] {
  const problems: RecordProblem[] = [];
  let floor = m.manifest.promoted_in ? parseVersion(m.manifest.promoted_in) : undefined;
  let floorLabel = m.manifest.promoted_in ? `promoted_in ${m.manifest.promoted_in}` : '';
  getApiChangeRecords(m).forEach((r, index) => {
    const v = parseVersion(r.version);
    if (!v) return; // the schema reports malformed versions
    if (floor && compareVersions(v, floor) <= 0) {
      problems.push({ index, message: `api_changes[${index}] version ${r.version} is not later than ${floorLabel}` });
      return;
    }
    if (m.tier === 'ga' && floor && (v[1] !== 0 || v[2] !== 0 || v[0] <= floor[0])) {
      problems.push({
        index,
        message: `api_changes[${index}] version ${r.version} breaks a ga module outside a new major version (expected v${floor[0] + 1}.0.0 or later, as vN.0.0)`,
      });
      return;
    }
    // Only a valid entry moves the floor, so one bad version does not hide the next.
    floor = v;
    floorLabel = `api_changes[${index}] ${r.version}`;
  });
  return problems;
}

function nextMajor(m: Module): string {
  const versions = [m.manifest.promoted_in, ...getApiChangeRecords(m).map((r) => r.version)].map((v) =>
    v ? parseVersion(v) : undefined,
  );
  const major = Math.max(0, ...versions.map((v) => v?.[0] ?? 0));
  return `v${major + 1}.0.0`;
}

type Version = readonly [number, number, number];

function parseVersion(text: string): Version | undefined {
  const m = /^v(\d+)\.(\d+)\.(\d+)$/.exec(text);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

function compareVersions(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}
