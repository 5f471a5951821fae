// A worker thread that extracts on request: { id, files, cruiseOptions, tsConfigFile } → { id, modules, problems, reparsed } or { id, error }.
// Started with workerData.preload (and tsConfigFile), it loads dependency-cruiser and TypeScript at
// once, before the main thread knows which files it will ask for.
import { parentPort, workerData } from 'node:worker_threads';
import { cruiseFiles, preload } from './extract-core.mjs';

const ready = workerData?.preload ? preload(workerData.tsConfigFile).catch(() => undefined) : Promise.resolve();

parentPort.on('message', async (request) => {
  try {
    await ready;
    parentPort.postMessage({
      id: request.id,
      ...(await cruiseFiles(request.files, request.cruiseOptions, request.tsConfigFile)),
    });
  } catch (error) {
    parentPort.postMessage({
      id: request.id,
      error: { message: String(error?.message ?? error), tsconfig: error?.tsconfig === true },
    });
  }
});
