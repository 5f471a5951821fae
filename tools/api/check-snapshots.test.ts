import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Violation } from '../control-plane/index.ts';
import { analyzeApis } from './analyze.ts';
import { findSnapshotViolations } from './check-snapshots.ts';
import { loadApiFixture, manifestWith, type LoadedFixture } from './testing/api-fixture.ts';
import { writeSnapshots } from './write-snapshots.ts';

let fixture: LoadedFixture | undefined;
afterEach(() => fixture?.cleanup());

const CONTRACT_V1 =
  'export const contract = 1;\nexport function keep(a: string): string { return a; }\nexport function drop(): void {}\n';
const contractManifest = (extra: Record<string, unknown> = {}): object =>
  manifestWith('framework/contract/module.yaml', { public_entrypoints: ['contract', 'drop', 'keep'], ...extra });

/** A fixture whose ga contract module has a snapshot of CONTRACT_V1, then `edit` applied to its files. */
async function withSnapshot(
  edit: Record<string, string | object> = {},
  tier: 'ga' | 'beta' = 'ga',
): Promise<LoadedFixture> {
  const status = tier === 'ga' ? {} : { status: 'beta' };
  const first = await loadApiFixture({
    'framework/contract/index.ts': CONTRACT_V1,
    'framework/contract/module.yaml': contractManifest(status),
  });
  const written = writeSnapshots(first.plane, [first.plane.moduleByName.get('contract')!]);
  expect(written.outcomes.map((o) => o.result)).toEqual(['written']);
  const snapshot = readFileSync(`${first.root}/framework/contract/api.md`, 'utf8');
  first.cleanup();
  fixture = await loadApiFixture({
    'framework/contract/index.ts': CONTRACT_V1,
    'framework/contract/module.yaml': contractManifest(status),
    'framework/contract/api.md': snapshot,
    ...edit,
  });
  return fixture;
}

function check(f: LoadedFixture): Violation[] {
  return findSnapshotViolations(f.plane, analyzeApis(f.plane));
}

const brief = (v: Violation): string => `${v.rule} ${v.file}:${v.line}`;

describe('api-snapshots check', () => {
  it('passes when the committed snapshot matches the code', async () => {
    expect(check(await withSnapshot())).toEqual([]);
  });

  it('reports an added export as a stale snapshot, nothing more', async () => {
    const v = check(
      await withSnapshot({ 'framework/contract/index.ts': `${CONTRACT_V1}export const added = true;\n` }),
    );
    expect(v.map(brief)).toEqual(['snapshot-stale framework/contract/api.md:1']);
    expect(v[0]!.message).toBe('framework/contract/api.md is stale: added added');
    expect(v[0]!.fix).toBe('Run `plumego api snapshot --module contract` and commit framework/contract/api.md.');
  });

  it('fails a ga module that removes or changes an export without recording it', async () => {
    const v = check(
      await withSnapshot({
        'framework/contract/index.ts':
          'export const contract = 1;\nexport function keep(a: number): string { return String(a); }\n',
      }),
    );
    expect(v.map(brief)).toEqual([
      'snapshot-stale framework/contract/api.md:1',
      expect.stringMatching(/^breaking-change framework\/contract\/api\.md:\d+$/),
      'breaking-change framework/contract/index.ts:2',
    ]);
    expect(v[1]!.message).toBe(
      "ga module 'contract': export 'drop' was removed — a breaking change that module.yaml does not record",
    );
    expect(v[2]!.message).toBe(
      "ga module 'contract': the signature of 'keep' changed (was: function keep(a: string): string) — a breaking change that module.yaml does not record",
    );
    expect(v[2]!.fix).toMatch(
      /api_changes: \[\{ version: v2\.0\.0, reason: "<why the break is worth it>", changed: \[keep\] \}\]/,
    );
  });

  it('accepts a recorded break, leaving only the stale snapshot', async () => {
    const record = { version: 'v2.0.0', reason: 'drop was never used by anyone', removed: ['drop'], changed: ['keep'] };
    const v = check(
      await withSnapshot({
        'framework/contract/index.ts':
          'export const contract = 1;\nexport function keep(a: number): string { return String(a); }\n',
        'framework/contract/module.yaml': contractManifest({
          public_entrypoints: ['contract', 'keep'],
          api_changes: [record],
        }),
      }),
    );
    expect(v.map((x) => x.rule)).toEqual(['snapshot-stale']);
  });

  it('lets a beta module break with only a stale snapshot', async () => {
    const v = check(await withSnapshot({ 'framework/contract/index.ts': 'export const contract = 1;\n' }, 'beta'));
    expect(v.map((x) => x.rule)).toEqual(['snapshot-stale']);
    expect(v[0]!.message).toMatch(/removed drop, removed keep/);
  });

  it('reports a snapshot edited by hand outside the signatures', async () => {
    const f = await withSnapshot();
    const path = `${f.root}/framework/contract/api.md`;
    writeFileSync(path, readFileSync(path, 'utf8').replace('# API snapshot', '# My API snapshot'));
    const v = check(f);
    expect(v.map(brief)).toEqual(['snapshot-stale framework/contract/api.md:1']);
    expect(v[0]!.message).toMatch(/only the text outside the signatures differs \(edited by hand\)/);
  });

  it('reports a snapshot edited by hand into another shape, with the line', async () => {
    const f = await withSnapshot();
    const path = `${f.root}/framework/contract/api.md`;
    const lines = readFileSync(path, 'utf8').split('\n');
    const at = lines.findIndex((l) => l.startsWith('## keep'));
    lines.splice(at, 0, 'Note: keep is important.');
    writeFileSync(path, lines.join('\n'));
    const v = check(f);
    expect(v.map(brief)).toEqual([`snapshot-unreadable framework/contract/api.md:${at + 1}`]);
    expect(v[0]!.message).toMatch(
      /is not a snapshot the tool wrote \(expected an "## <export> \(<kind>\)" heading, found "Note: keep is important\."\); it was probably edited by hand/,
    );
  });

  it('reports an export whose type cannot be printed', async () => {
    const v = check(
      await withSnapshot({
        'framework/contract/index.ts': `${CONTRACT_V1}import { make } from 'nowhere';\nexport const made = make();\n`,
      }),
    );
    expect(v.map(brief)).toContain('unprintable-type framework/contract/index.ts:5');
  });

  it('validates api_changes versions against promoted_in and the ga major-version rule', async () => {
    const v = check(
      await withSnapshot({
        'framework/contract/module.yaml': contractManifest({
          api_changes: [
            { version: 'v0.9.0', reason: 'older than the promotion itself', removed: ['x'] },
            { version: 'v1.2.0', reason: 'a minor release may not break ga', removed: ['y'] },
          ],
        }),
      }),
    );
    expect(v.map((x) => x.message)).toEqual([
      'api_changes[0] version v0.9.0 is not later than promoted_in v1.0.0',
      'api_changes[1] version v1.2.0 breaks a ga module outside a new major version (expected v2.0.0 or later, as vN.0.0)',
    ]);
  });
});

describe('writeSnapshots', () => {
  it('refuses to write an unrecorded break of a ga module and leaves the file alone', async () => {
    const f = await withSnapshot({ 'framework/contract/index.ts': 'export const contract = 1;\n' });
    const before = readFileSync(`${f.root}/framework/contract/api.md`, 'utf8');
    const { outcomes } = writeSnapshots(f.plane, [f.plane.moduleByName.get('contract')!]);
    expect(outcomes).toEqual([
      expect.objectContaining({
        result: 'refused',
        reason: "breaking change(s) to ga module 'contract' not recorded: removed drop, removed keep",
      }),
    ]);
    expect(readFileSync(`${f.root}/framework/contract/api.md`, 'utf8')).toBe(before);
  });

  it('writes additions and reports an unchanged snapshot as such', async () => {
    const f = await withSnapshot({ 'framework/contract/index.ts': `${CONTRACT_V1}export const added = true;\n` });
    const contract = f.plane.moduleByName.get('contract')!;
    expect(writeSnapshots(f.plane, [contract]).outcomes).toEqual([
      expect.objectContaining({
        result: 'written',
        changes: [expect.objectContaining({ name: 'added', change: 'added' })],
      }),
    ]);
    expect(writeSnapshots(f.plane, [contract]).outcomes).toEqual([expect.objectContaining({ result: 'unchanged' })]);
  });
});
