// Child-process half of `plumego routes`: imports the entry (under tsx, with the app's own
// conditions), finds its app and writes the route table as JSON to file descriptor 3, a pipe of
// its own: the entry may log to stdout. A separate process so that importing an entry never leaves
// servers, timers or patched globals in the CLI.
import { writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ScaffoldError } from './errors.ts';
import { findRouteSource, toRouteRows } from './find-app.ts';

const [entry = '', exportName] = process.argv.slice(2);
try {
  const mod = (await import(pathToFileURL(resolve(entry)).href)) as Record<string, unknown>;
  const rows = toRouteRows(await findRouteSource(mod, entry, exportName || undefined));
  writeSync(3, JSON.stringify(rows));
  process.exit(0);
} catch (error) {
  const message =
    error instanceof ScaffoldError
      ? error.message
      : `${entry}: could not be loaded: ${error instanceof Error ? error.message : String(error)}`;
  writeSync(3, JSON.stringify({ error: { code: 'PLUMEGO_SCAFFOLD_ENTRY_INVALID', message } }));
  process.exit(3);
}
