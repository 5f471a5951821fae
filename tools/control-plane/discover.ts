import { readdir } from 'node:fs/promises';

/** Directory names never scanned for manifests: dependencies, build output and test fixtures. */
export const SKIP_DIRS: ReadonlySet<string> = new Set([
  'node_modules',
  'dist',
  'fixtures',
  '__fixtures__',
  'generated',
  'results',
]);

/** Repository-relative paths of every module.yaml under the given directories (sorted). */
export async function findManifests(root: string, dirs: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  async function walk(rel: string): Promise<void> {
    let entries;
    try {
      entries = await readdir(`${root}/${rel}`, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.isFile() && entry.name === 'module.yaml') found.push(`${rel}/module.yaml`);
      else if (entry.isDirectory() && !entry.name.startsWith('.') && !SKIP_DIRS.has(entry.name))
        await walk(`${rel}/${entry.name}`);
    }
  }
  for (const dir of dirs) await walk(dir);
  return found.sort();
}

/** Names of the subdirectories of a repository directory (sorted; missing directory → empty). */
export async function listDirs(root: string, rel: string): Promise<string[]> {
  try {
    const entries = await readdir(rel ? `${root}/${rel}` : root, { withFileTypes: true });
    return entries
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

/** Names of the YAML files directly inside a repository directory (sorted). */
export async function listYamlFiles(root: string, rel: string): Promise<string[]> {
  try {
    const entries = await readdir(`${root}/${rel}`, { withFileTypes: true });
    return entries
      .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}
