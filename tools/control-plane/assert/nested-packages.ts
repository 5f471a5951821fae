import { readdir } from 'node:fs/promises';
import { SKIP_DIRS } from '../discover.ts';
import type { ControlPlane } from '../model.ts';
import type { Finding } from './violation-at.ts';

/**
 * A package.json below the repository root changes how Node, TypeScript and the gate resolve every
 * import beneath it (its `exports`, `imports`, `type`), so inside the library root and the module
 * folders it must be a declared workspace package, never an accident.
 */
export async function assertNoNestedPackages(plane: ControlPlane): Promise<Finding[]> {
  const dirs = [
    ...new Set(
      [plane.repo.identity.library_root, ...plane.modules.filter((m) => !m.invalid).map((m) => m.path)].filter(
        (d) => d && d !== '.' && !d.split('/').includes('..') && !d.startsWith('/'),
      ),
    ),
  ].sort();
  const found = new Set<string>();
  for (const dir of dirs) {
    if (dirs.some((d) => d !== dir && dir.startsWith(`${d}/`))) continue;
    for (const file of await findPackageFiles(plane.root, dir)) found.add(file);
  }
  const out: Finding[] = [];
  for (const file of [...found].sort()) {
    const dir = file.slice(0, -'/package.json'.length);
    if (plane.workspaces.has(dir)) continue;
    out.push({
      rule: 'nested-package-json',
      file,
      message: `${file} sits inside a module folder but is not a declared workspace package; it changes how every import below ${dir}/ resolves`,
      fix: `Remove ${file}, or declare '${dir}' under "workspaces" in the root package.json if it is a package of its own.`,
    });
  }
  return out;
}

async function findPackageFiles(root: string, rel: string): Promise<string[]> {
  const out: string[] = [];
  let entries;
  try {
    entries = await readdir(`${root}/${rel}`, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    if (e.isFile() && e.name === 'package.json') out.push(`${rel}/package.json`);
    else if (e.isDirectory() && !e.name.startsWith('.') && !SKIP_DIRS.has(e.name))
      out.push(...(await findPackageFiles(root, `${rel}/${e.name}`)));
  }
  return out;
}
