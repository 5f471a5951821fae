import { loadControlPlane } from '../control-plane/index.ts';
import { CHECKS } from '../checks/registry.ts';
const t0 = performance.now();
const load = await loadControlPlane(process.cwd());
console.log('load', (performance.now() - t0).toFixed(0), load.configErrors.map(e => e.message));
const plane = load.plane!;
for (const id of ['entrypoints', 'api-snapshots', 'maturity-evidence', 'error-codes']) {
  const t = performance.now();
  const v = await CHECKS[id]!(plane, { load });
  console.log(`== ${id}: ${v.length} in ${(performance.now() - t).toFixed(0)}ms`);
  const byRule = new Map<string, number>(); for (const x of v) byRule.set(x.rule, (byRule.get(x.rule) ?? 0) + 1);
  console.log([...byRule].map(([r, n]) => `${r}=${n}`).join(' '));
  for (const x of v.slice(0, Number(process.argv[2] ?? 4))) console.log(`  ${x.file}:${x.line}:${x.column} [${x.rule}] ${x.message}`);
}
