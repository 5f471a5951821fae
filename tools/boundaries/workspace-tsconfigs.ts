/**
 * Workspace packages that map import paths of their own (`"paths": { "~/*": ["./src/*"] }` in
 * packages/x/tsconfig.json). Such a mapping is scoped to its package, so those files are cruised
 * with their package's tsconfig instead of the root one.
 */
import { readFileSync } from 'node:fs';
import { listWorkspaceDirs, type PackageJson } from '../control-plane/index.ts';

/** Repository-relative workspace directories whose own tsconfig.json declares `paths` (sorted). */
export function listPathsWorkspaces(root: string): string[] {
  let pkg: PackageJson;
  try {
    pkg = JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as PackageJson;
  } catch {
    return [];
  }
  return listWorkspaceDirs(root, pkg).filter((dir) => {
    try {
      return /"paths"\s*:/.test(readFileSync(`${root}/${dir}/tsconfig.json`, 'utf8'));
    } catch {
      return false;
    }
  });
}

/** Files grouped by the paths workspace that holds them (`''`: the rest, which use the root tsconfig). */
export function groupByWorkspace(files: readonly string[], dirs: readonly string[]): Map<string, string[]> {
  const longestFirst = [...dirs].sort((a, b) => b.length - a.length);
  const groups = new Map<string, string[]>();
  for (const file of files) {
    const dir = longestFirst.find((d) => file.startsWith(`${d}/`)) ?? '';
    let group = groups.get(dir);
    if (!group) groups.set(dir, (group = []));
    group.push(file);
  }
  return groups;
}
