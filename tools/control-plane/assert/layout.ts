import { existsSync, readFileSync } from 'node:fs';
import { findManifests, listDirs, SKIP_DIRS } from '../discover.ts';
import type { ControlPlane } from '../model.ts';
import { assertNoNestedPackages } from './nested-packages.ts';
import type { Finding } from './violation-at.ts';

const REPO = 'specs/repo.yaml';
const TAXONOMY = 'specs/extension-taxonomy.yaml';

/** Directory shape: top-level directories, library roots, families and their manifests. */
export async function assertLayout(plane: ControlPlane): Promise<Finding[]> {
  const out: Finding[] = [];
  const { root, repo, taxonomy } = plane;
  const lib = repo.identity.library_root;
  const ignored = readGitignoredNames(root);

  for (const dir of await listDirs(root, '')) {
    if (dir.startsWith('.') || dir === 'node_modules' || ignored.has(dir)) continue;
    if (!repo.top_level.directories.includes(dir)) {
      out.push({
        rule: 'declared-top-level',
        file: REPO,
        path: ['top_level', 'directories'],
        message: `top-level directory '${dir}/' is not declared in top_level.directories`,
        fix: `Move its contents into a declared directory, or declare '${dir}' in specs/repo.yaml if it is a new area.`,
      });
    }
  }

  const stableRoots = repo.layers.stable.roots ?? [];
  const extBase = repo.layers.extension.base ?? `${lib}/x`;
  const extDirName = extBase.slice(lib.length + 1);
  const discouraged = new Set(repo.top_level.discouraged_roots);
  for (const dir of await listDirs(root, lib)) {
    if (discouraged.has(dir)) {
      out.push({
        rule: 'no-discouraged-roots',
        file: REPO,
        path: ['top_level', 'discouraged_roots'],
        message: `library root '${lib}/${dir}/' uses a discouraged name`,
        fix: `Move it under ${extBase}/ as a declared family, or into the stable root that owns the concern.`,
      });
    } else if (dir !== extDirName && !stableRoots.includes(dir)) {
      out.push({
        rule: 'library-roots-only',
        file: REPO,
        path: ['layers', 'stable', 'roots'],
        message: `'${lib}/${dir}/' is neither a stable root nor ${extDirName}/`,
        fix: `Move it under ${extBase}/<family>/ or into a stable root.`,
      });
    }
  }
  stableRoots.forEach((name, i) => {
    if (!plane.moduleByName.has(name)) {
      out.push({
        rule: 'manifest-per-module',
        file: REPO,
        path: ['layers', 'stable', 'roots', i],
        message: `stable root '${name}' has no module.yaml at ${lib}/${name}/module.yaml`,
        fix: 'Create the manifest (see specs/schemas/module-manifest.schema.json).',
      });
    }
  });

  const declaredFamilies = new Set(taxonomy.families.map((f) => f.root));
  for (const dir of await listDirs(root, extBase)) {
    const name = `${extDirName}/${dir}`;
    if (!declaredFamilies.has(name)) {
      out.push({
        rule: 'every-extension-declared',
        file: TAXONOMY,
        path: ['families'],
        message: `'${extBase}/${dir}/' is not a family in specs/extension-taxonomy.yaml`,
        fix: 'Declare the family in the taxonomy (root, work_about, subordinates), then add its module.yaml.',
      });
    }
  }
  taxonomy.families.forEach((family, i) => {
    if (!plane.moduleByName.has(family.root)) {
      out.push({
        rule: 'manifest-per-module',
        file: TAXONOMY,
        path: ['families', i, 'root'],
        message: `family '${family.root}' has no module.yaml at ${lib}/${family.root}/module.yaml`,
        fix: 'Create the manifest, or remove the family from the taxonomy.',
      });
    }
    family.subordinates.forEach((sub, j) => {
      if (!sub.name.startsWith(`${family.root}/`)) {
        out.push({
          rule: 'every-extension-declared',
          file: TAXONOMY,
          path: ['families', i, 'subordinates', j, 'name'],
          message: `subordinate '${sub.name}' is not inside family '${family.root}'`,
          fix: `Name it ${family.root}/<package>.`,
        });
      } else if (sub.module && !plane.moduleByName.has(sub.name)) {
        out.push({
          rule: 'manifest-per-module',
          file: TAXONOMY,
          path: ['families', i, 'subordinates', j, 'name'],
          message: `subpackage '${sub.name}' is marked module: true but has no module.yaml`,
          fix: `Create ${lib}/${sub.name}/module.yaml, or set module: false.`,
        });
      }
    });
  });

  const refBase = repo.layers.reference.base ?? 'reference';
  for (const dir of await listDirs(root, refBase)) {
    if (!existsSync(`${root}/${refBase}/${dir}/module.yaml`)) {
      out.push({
        rule: 'manifest-per-module',
        file: REPO,
        path: ['layers', 'reference'],
        message: `reference service '${refBase}/${dir}/' has no module.yaml`,
        fix: 'Add a manifest with layer: reference.',
      });
    }
  }
  (repo.layers.tooling.paths ?? []).forEach((p, i) => {
    if (!existsSync(`${root}/${p}/module.yaml`)) {
      out.push({
        rule: 'manifest-per-module',
        file: REPO,
        path: ['layers', 'tooling', 'paths', i],
        message: `tooling path '${p}/' has no module.yaml`,
        fix: 'Add a manifest with layer: tooling, or remove the path.',
      });
    }
  });
  out.push(...(await assertNoNestedPackages(plane)));
  return out;
}

/**
 * The minimal profile's layout: every stable root and tooling path it declares has its manifest,
 * and no stray package.json changes resolution inside a module.
 */
export async function assertDeclaredLayout(plane: ControlPlane): Promise<Finding[]> {
  const out: Finding[] = [];
  const { root, repo } = plane;
  const lib = repo.identity.library_root;
  (repo.layers.stable.roots ?? []).forEach((name, i) => {
    if (!plane.moduleByName.has(name))
      out.push({
        rule: 'manifest-per-module',
        file: REPO,
        path: ['layers', 'stable', 'roots', i],
        message: `stable root '${name}' has no module.yaml at ${lib}/${name}/module.yaml`,
        fix: 'Create the manifest, or remove the root from layers.stable.roots.',
      });
  });
  for (const key of ['tooling', 'reference', 'stable', 'extension'] as const) {
    (repo.layers[key].paths ?? []).forEach((p, i) => {
      if (!existsSync(`${root}/${p}/module.yaml`))
        out.push({
          rule: 'manifest-per-module',
          file: REPO,
          path: ['layers', key, 'paths', i],
          message: `${key} path '${p}/' has no module.yaml`,
          fix: `Add a manifest with layer: ${key}, or remove the path.`,
        });
    });
  }
  out.push(...(await assertNoNestedPackages(plane)));
  return out;
}

/**
 * A module.yaml the loader did not read (it sits outside every directory repo.yaml names) governs
 * nothing; it is reported rather than skipped, so a misplaced manifest never looks like a checked one.
 */
export async function assertManifestsLoaded(
  root: string,
  loaded: readonly string[],
  moduleRoots: readonly string[],
): Promise<Finding[]> {
  const known = new Set(loaded);
  const all = await findManifests(
    root,
    (await listDirs(root, '')).filter((d) => !d.startsWith('.') && !SKIP_DIRS.has(d)),
  );
  return all
    .filter((f) => !known.has(f))
    .map((file) => ({
      rule: 'manifest-not-loaded',
      file: REPO,
      path: ['identity', 'library_root'],
      message: `${file} is outside every directory that holds modules (${moduleRoots.join(', ') || 'none'}), so it governs nothing`,
      fix: `Move the module under one of those directories, or add its directory to a layer's base or paths in specs/repo.yaml.`,
    }));
}

/** Top-level names the root .gitignore excludes (build output is not part of the layout). */
function readGitignoredNames(root: string): Set<string> {
  try {
    return new Set(
      readFileSync(`${root}/.gitignore`, 'utf8')
        .split('\n')
        .map((l) => l.trim().replace(/^\//, '').replace(/\/$/, ''))
        .filter((l) => l && !l.startsWith('#') && !l.includes('/') && !l.includes('*')),
    );
  } catch {
    return new Set();
  }
}
