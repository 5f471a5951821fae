// A worker thread that extracts on request: { id, kind: 'cruise' | 'syntax', ... } → { id, modules?, problems? } or { id, error }.
// Started with workerData.preload (and tsConfigFile), it loads dependency-cruiser and TypeScript at once, before the
// main thread knows which files it will ask for.
import { parentPort, workerData } from 'node:worker_threads';
import { cruiseFiles, findParseProblems, preload } from './extract-core.mjs';

const ready = workerData?.preload ? preload(workerData.tsConfigFile).catch(() => undefined) : Promise.resolve();

parentPort.on('message', async (request) => {
  try {
    await ready;
    if (request.kind === 'syntax') {
      parentPort.postMessage({ id: request.id, problems: findParseProblems(request.root, request.files) });
      return;
    }
    const modules = await cruiseFiles(request.files, request.cruiseOptions, request.tsConfigFile);
    const problems = request.syntax ? findParseProblems(request.root, request.files) : undefined;
    parentPort.postMessage({ id: request.id, modules, problems });
  } catch (error) {
    parentPort.postMessage({ id: request.id, error: { message: String(error?.message ?? error), tsconfig: error?.tsconfig === true } });
  }
});
