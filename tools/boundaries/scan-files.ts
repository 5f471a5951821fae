import { readdirSync } from 'node:fs';
import { getModuleRoots, type RepoSpec } from '../control-plane/index.ts';

/** Source extensions the gate reads. `.astro` is left out: dependency-cruiser has no parser for it. */
export const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts'] as const;

/**
 * Directories never scanned: installed and built code, test fixture repositories (they contain
 * deliberate violations) and generated benchmark repositories. Same list as the manifest discovery.
 */
export const SKIPPED_DIRS: ReadonlySet<string> = new Set([
  'node_modules',
  'dist',
  'fixtures',
  '__fixtures__',
  'generated',
  'results',
]);

/** The repository directories whose sources the gate scans: the same directories that hold the modules. */
export function getScanRoots(repo: RepoSpec): string[] {
  return getModuleRoots(repo);
}

/** Repository-relative paths of every source file under `roots`, sorted. Missing roots are skipped. */
export function listSourceFiles(root: string, roots: readonly string[]): string[] {
  const found: string[] = [];
  const walk = (rel: string): void => {
    let entries;
    try {
      entries = readdirSync(`${root}/${rel}`, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) walk(`${rel}/${entry.name}`);
      } else if (entry.isFile() && isSourceFile(entry.name)) {
        found.push(`${rel}/${entry.name}`);
      }
    }
  };
  for (const dir of roots) walk(dir);
  return found.sort();
}

export function isSourceFile(name: string): boolean {
  return SOURCE_EXTENSIONS.some((ext) => name.endsWith(ext));
}
