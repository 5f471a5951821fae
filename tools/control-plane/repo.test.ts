import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadControlPlane, type LoadResult } from './load.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

// Loaded by the first test that asks, not in the describe body, so a load that throws fails a test
// instead of the file. (The loader's mutation target leaves this file out: see tools/mutation/targets.ts.)
let loaded: Promise<LoadResult> | undefined;
const load = (): Promise<LoadResult> => (loaded ??= loadControlPlane(ROOT));

// Dogfood: the repository's own control plane loads with no schema or meaning violations, and
// its tiers say what the mission says (counted, not listed: the lists live only in the specs).
describe('this repository', () => {
  it('loads with no configuration errors and no violations', async () => {
    const result = await load();
    expect(result.configErrors.map((e) => e.message)).toEqual([]);
    expect(result.violations.map((v) => `${v.file}:${v.line}:${v.column} ${v.rule} ${v.message}`)).toEqual([]);
  });

  it('has 9 ga stable roots, and 14 families split 7 beta / 7 experimental', async () => {
    const plane = (await load()).plane!;
    const stable = plane.modules.filter((m) => m.layer === 'stable');
    expect(stable).toHaveLength(9);
    expect(stable.every((m) => m.tier === 'ga')).toBe(true);
    const families = plane.taxonomy.families.map((f) => plane.moduleByName.get(f.root)!);
    expect(families).toHaveLength(14);
    expect(families.filter((m) => m.tier === 'beta')).toHaveLength(7);
    expect(families.filter((m) => m.tier === 'experimental')).toHaveLength(7);
  });

  it('declares the beta surfaces inside experimental families as beta', async () => {
    const plane = (await load()).plane!;
    const surfaces = plane.modules.filter(
      (m) =>
        m.manifest.parent && m.tier === 'beta' && plane.moduleByName.get(m.manifest.parent)?.tier === 'experimental',
    );
    expect(surfaces.length).toBe(6);
  });
});
