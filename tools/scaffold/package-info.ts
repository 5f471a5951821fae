import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface PlumegoPackage {
  readonly root: string;
  readonly version: string;
  /** Pinned versions of everything Plumego itself depends on or is tested with. */
  readonly versions: Readonly<Record<string, string>>;
  /** Subpaths of package.json "exports" ('.', './core', './x/validate', …). */
  readonly exports: readonly string[];
}

/**
 * The running Plumego package: found by walking up from this file, because the same code runs from
 * tools/scaffold/ in the repository and from dist/tools/scaffold/ in an installed package.
 */
export function readPlumegoPackage(from: string = fileURLToPath(import.meta.url)): PlumegoPackage {
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as {
        name?: string;
        version?: string;
        dependencies?: Record<string, string>;
        devDependencies?: Record<string, string>;
        exports?: Record<string, unknown>;
      };
      if (pkg.name === 'plumego') {
        return {
          root: dir,
          version: pkg.version ?? '0.0.0',
          versions: { ...pkg.devDependencies, ...pkg.dependencies },
          exports: Object.keys(pkg.exports ?? {}),
        };
      }
    }
    if (dirname(dir) === dir) throw new Error(`plumego's package.json was not found above ${from}`);
  }
}
