import { loadControlPlane } from '../control-plane/index.ts';
import { analyzeApis, getApiModules } from './analyze.ts';
const load = await loadControlPlane(process.cwd());
const plane = load.plane!;
const mods = getApiModules(plane);
console.log('api modules', mods.length, mods.map(m => m.name).join(' '));
for (const mode of ['names', 'default', 'all']) {
  const t = performance.now();
  const a = analyzeApis(plane, mode === 'names' ? { print: () => false } : mode === 'all' ? { print: () => true } : {});
  const exports = [...a.apis.values()].reduce((n, x) => n + x.names.length, 0);
  console.log(mode, 'printed', a.printed.size, 'exports', exports, 'files', a.timings.files, 'load', a.timings.loadMs.toFixed(0), 'extract', a.timings.extractMs.toFixed(0), 'total', (performance.now() - t).toFixed(0));
}
