import { loadControlPlane } from '../control-plane/index.ts';
import { getCachedAnalysis } from './analyze.ts';
const plane = (await loadControlPlane(process.cwd())).plane!;
const t = performance.now();
const a = getCachedAnalysis(plane);
console.log('cached', a.cached, (performance.now() - t).toFixed(0), 'ms');
