import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadControlPlane } from './load.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

// Dogfood: the repository's own control plane loads with no schema or meaning violations, and
// its tiers say what the mission says (counted, not listed: the lists live only in the specs).
describe('this repository', async () => {
  const result = await loadControlPlane(ROOT);

  it('loads with no configuration errors and no violations', () => {
    expect(result.configErrors.map((e) => e.message)).toEqual([]);
    expect(result.violations.map((v) => `${v.file}:${v.line}:${v.column} ${v.rule} ${v.message}`)).toEqual([]);
  });

  it('has 9 ga stable roots, and 14 families split 7 beta / 7 experimental', () => {
    const plane = result.plane!;
    const stable = plane.modules.filter((m) => m.layer === 'stable');
    expect(stable).toHaveLength(9);
    expect(stable.every((m) => m.tier === 'ga')).toBe(true);
    const families = plane.taxonomy.families.map((f) => plane.moduleByName.get(f.root)!);
    expect(families).toHaveLength(14);
    expect(families.filter((m) => m.tier === 'beta')).toHaveLength(7);
    expect(families.filter((m) => m.tier === 'experimental')).toHaveLength(7);
  });

  it('declares the beta surfaces inside experimental families as beta', () => {
    const plane = result.plane!;
    const surfaces = plane.modules.filter(
      (m) =>
        m.manifest.parent && m.tier === 'beta' && plane.moduleByName.get(m.manifest.parent)?.tier === 'experimental',
    );
    expect(surfaces.length).toBe(6);
  });
});
