// Plain JavaScript: the CLI launcher and the extraction worker use it before any TypeScript loads.
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Writes a cache file whole: to a temporary name, then renamed, so a concurrent reader never sees
 * half a file. Best effort: false when it cannot be written (read-only or missing node_modules),
 * which only costs the next run its speed.
 */
export function writeCacheFile(path, data) {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(tmp, data);
    renameSync(tmp, path);
    return true;
  } catch {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // Nothing was written.
    }
    return false;
  }
}
