import type { ControlPlane, Module } from '../model.ts';
import { findDuplicates, type Finding } from './violation-at.ts';

/** The directory a manifest with this name and layer must sit in. */
function expectedPath(plane: ControlPlane, layer: Module['layer'], name: string): string | undefined {
  const lib = plane.repo.identity.library_root;
  switch (layer) {
    case 'stable':
    case 'extension':
      return `${lib}/${name}`;
    case 'facade':
      return plane.repo.layers.facade.paths?.[0] ?? lib;
    default:
      return name;
  }
}

/** Meaning of each manifest: name ↔ path ↔ layer ↔ taxonomy, tiers, releases, imports, tasks. */
export function assertManifests(plane: ControlPlane, manifestFiles: readonly string[]): Finding[] {
  const out: Finding[] = [];
  const { repo, taxonomy } = plane;
  const stableRoots = new Set(repo.layers.stable.roots ?? []);
  const families = new Map(taxonomy.families.map((f) => [f.root, f]));
  const ownSubpackages = new Set(
    taxonomy.families.flatMap((f) => f.subordinates.filter((s) => s.module).map((s) => s.name)),
  );
  const releases = new Set(plane.releases.releases.map((r) => r.version));
  const rank = new Map(repo.tiers.map((t) => [t.id, t.rank]));
  const taskKeys = new Set(Object.keys(plane.taskRouting.tasks));

  for (const name of findDuplicates(plane.modules.map((m) => m.name))) {
    const files = plane.modules.filter((m) => m.name === name).map((m) => m.manifestFile);
    for (const file of files.slice(1)) {
      out.push({
        rule: 'duplicate-module',
        file,
        path: ['name'],
        message: `module '${name}' is declared twice (also in ${files[0]})`,
        fix: 'Give each module a unique name equal to its path; delete the copy.',
      });
    }
  }
  const full = plane.profile === 'full';
  const tiers = full || plane.features.has('releases');
  if (full && !manifestFiles.includes('module.yaml')) {
    out.push({
      rule: 'facade-manifest',
      file: 'specs/repo.yaml',
      path: ['layers', 'facade'],
      message: 'the root module.yaml (the facade manifest) is missing',
      fix: `Create module.yaml at the repository root with name '${repo.identity.package}' and layer 'facade'.`,
    });
  }

  for (const m of plane.modules) {
    // A manifest that failed its schema has reported that already; its coerced values are not facts.
    if (m.invalid) continue;
    const f = m.manifestFile;
    const man = m.manifest;
    const dir = f === 'module.yaml' ? '' : f.slice(0, -'/module.yaml'.length);
    const want = expectedPath(plane, man.layer, man.name);
    if (man.layer === 'facade') {
      if (f !== 'module.yaml')
        out.push({
          rule: 'layer-matches-repo',
          file: f,
          path: ['layer'],
          message: `only the root module.yaml may have layer 'facade'`,
          fix: 'Use the layer of the directory the manifest sits in.',
        });
      if (man.name !== repo.identity.package)
        out.push({
          rule: 'name-matches-path',
          file: f,
          path: ['name'],
          message: `the facade must be named after the package '${repo.identity.package}', not '${man.name}'`,
          fix: `Set name: ${repo.identity.package}.`,
        });
    } else if (dir !== want) {
      out.push({
        rule: 'name-matches-path',
        file: f,
        path: ['name'],
        message: `module name '${man.name}' does not match its folder '${dir}' (expected folder ${want})`,
        fix: `Rename the module to '${nameForDir(plane, dir)}' or move the manifest to ${want}/module.yaml.`,
      });
    }
    if (man.path !== (man.layer === 'facade' ? want : dir)) {
      out.push({
        rule: 'name-matches-path',
        file: f,
        path: ['path'],
        message: `path '${man.path}' is not the manifest's folder '${man.layer === 'facade' ? want : dir}'`,
        fix: 'Set path to the directory that holds the module.yaml.',
      });
    }
    if (full) out.push(...assertLayer(plane, m, stableRoots, families, ownSubpackages));

    if (tiers && man.layer === 'stable' && man.status !== 'ga') {
      out.push({
        rule: 'stable-is-ga',
        file: f,
        path: ['status'],
        message: `stable root '${m.name}' has status '${man.status}'; stable roots are ga`,
        fix: 'Set status: ga, or move the package under framework/x/.',
      });
    }
    if (tiers && man.promoted_in !== undefined && !releases.has(man.promoted_in)) {
      out.push({
        rule: 'promoted-in-release',
        file: f,
        path: ['promoted_in'],
        message: `promoted_in '${man.promoted_in}' is not a release in specs/releases.yaml`,
        fix: `Use one of: ${[...releases].join(', ')}; or add the release first.`,
      });
    }
    if (
      tiers &&
      man.status !== 'experimental' &&
      man.promoted_in === undefined &&
      (man.layer === 'stable' || man.layer === 'extension' || man.layer === 'facade')
    ) {
      out.push({
        rule: 'promoted-in-required',
        file: f,
        path: ['status'],
        message: `${man.status} module '${m.name}' has no promoted_in`,
        fix: 'Add promoted_in: the release in which it reached this tier.',
      });
    }
    if (tiers && man.status === 'experimental' && man.promoted_in !== undefined) {
      out.push({
        rule: 'promoted-in-required',
        file: f,
        path: ['promoted_in'],
        message: `experimental module '${m.name}' declares promoted_in '${man.promoted_in}'`,
        fix: 'Remove promoted_in, or set the tier it was promoted to.',
      });
    }

    const allowed = man.allowed_imports.modules;
    allowed.forEach((target, i) => {
      if (target === m.name)
        out.push({
          rule: 'allowed-imports-exist',
          file: f,
          path: ['allowed_imports', 'modules', i],
          message: `'${m.name}' lists itself in allowed_imports.modules`,
          fix: 'Remove it; a module may always import its own files.',
        });
      else if (!plane.moduleByName.has(target))
        out.push({
          rule: 'allowed-imports-exist',
          file: f,
          path: ['allowed_imports', 'modules', i],
          message: `allowed_imports.modules names unknown module '${target}'`,
          fix: `Use a declared module name (${suggest(
            target,
            plane.modules.map((x) => x.name),
          )}).`,
        });
    });
    (man.allowed_imports.lower_tier ?? []).forEach((target, i) => {
      const t = plane.moduleByName.get(target);
      if (!allowed.includes(target))
        out.push({
          rule: 'lower-tier-opt-in',
          file: f,
          path: ['allowed_imports', 'lower_tier', i],
          message: `lower_tier names '${target}', which is not in allowed_imports.modules`,
          fix: 'List the module in allowed_imports.modules too; lower_tier only opts in to its lower maturity.',
        });
      else if (t && (rank.get(t.tier) ?? 0) >= (rank.get(m.tier) ?? 0))
        out.push({
          rule: 'lower-tier-opt-in',
          severity: 'warn',
          file: f,
          path: ['allowed_imports', 'lower_tier', i],
          message: `'${target}' (${t.tier}) is not below '${m.name}' (${m.tier}); the opt-in is unnecessary`,
          fix: 'Remove the entry from lower_tier.',
        });
    });
    const declaredPackages = plane.declaredPackages(m);
    man.allowed_imports.packages.forEach((p, i) => {
      if (!declaredPackages.has(p.name))
        out.push({
          rule: 'allowed-packages-declared',
          file: f,
          path: ['allowed_imports', 'packages', i, 'name'],
          message: `allowed package '${p.name}' is not declared in package.json`,
          fix: `Add ${p.name} to package.json (npm install --save-exact ${p.name}) or remove it from the manifest.`,
        });
    });
    for (const name of findDuplicates(man.allowed_imports.packages.map((p) => p.name))) {
      out.push({
        rule: 'allowed-packages-declared',
        file: f,
        path: ['allowed_imports', 'packages'],
        message: `package '${name}' is listed twice`,
        fix: 'Keep one entry.',
      });
    }
    (man.forbidden_imports ?? []).forEach((target, i) => {
      if (!plane.moduleByName.has(target))
        out.push({
          rule: 'allowed-imports-exist',
          file: f,
          path: ['forbidden_imports', i],
          message: `forbidden_imports names unknown module '${target}'`,
          fix: 'Use a declared module name or remove the entry.',
        });
      else if (allowed.includes(target))
        out.push({
          rule: 'allowed-imports-exist',
          file: f,
          path: ['forbidden_imports', i],
          message: `'${target}' is both allowed and forbidden`,
          fix: 'Decide: remove it from one of the two lists.',
        });
    });
    (man.task_affinity ?? []).forEach((key, i) => {
      if (plane.features.has('routing') && !taskKeys.has(key))
        out.push({
          rule: 'task-affinity-exists',
          file: f,
          path: ['task_affinity', i],
          message: `task_affinity names unknown task '${key}'`,
          fix: `Use a task key from specs/task-routing.yaml (${suggest(key, [...taskKeys])}).`,
        });
    });
    for (const key of ['landing_zones', 'doc_paths'] as const) {
      (man[key] ?? []).forEach((p, i) => {
        if (!plane.pathExists(p))
          out.push({
            rule: 'paths-exist',
            file: f,
            path: [key, i],
            message: `${key} entry '${p}' does not exist`,
            fix: 'Point at an existing file or directory, or remove the entry.',
          });
      });
    }
  }
  return out;
}

function assertLayer(
  plane: ControlPlane,
  m: Module,
  stableRoots: Set<string>,
  families: Map<string, unknown>,
  ownSubpackages: Set<string>,
): Finding[] {
  const f = m.manifestFile;
  const { layers } = plane.repo;
  const fail = (message: string, fix: string): Finding[] => [
    { rule: 'layer-matches-repo', file: f, path: ['layer'], message, fix },
  ];
  switch (m.layer) {
    case 'stable':
      return stableRoots.has(m.name)
        ? []
        : fail(
            `'${m.name}' has layer stable but is not a stable root in specs/repo.yaml`,
            'Use layer extension under framework/x/, or add the root to layers.stable.roots (a reviewed decision).',
          );
    case 'extension': {
      if (!m.name.startsWith('x/'))
        return fail(`extension module '${m.name}' is not under x/`, 'Move it under framework/x/<family>.');
      const family = m.name.split('/').slice(0, 2).join('/');
      const depth = m.name.split('/').length;
      if (!families.has(family))
        return [
          {
            rule: 'family-declared',
            file: f,
            path: ['name'],
            message: `family '${family}' is not declared in specs/extension-taxonomy.yaml`,
            fix: 'Declare the family (root, work_about, subordinates) in the taxonomy first.',
          },
        ];
      if (depth > 2 && !ownSubpackages.has(m.name))
        return [
          {
            rule: 'family-declared',
            file: f,
            path: ['name'],
            message: `'${m.name}' has its own manifest but is not a subordinate with module: true in specs/extension-taxonomy.yaml`,
            fix: 'Declare it as a subordinate with module: true, or delete the nested manifest (it then belongs to its family).',
          },
        ];
      if (depth > 2 && m.manifest.parent !== family)
        return [
          {
            rule: 'family-declared',
            file: f,
            path: ['parent'],
            message: `subpackage '${m.name}' must declare parent: ${family}`,
            fix: `Set parent: ${family}.`,
          },
        ];
      if (depth === 2 && m.manifest.parent !== undefined)
        return [
          {
            rule: 'family-declared',
            file: f,
            path: ['parent'],
            message: `family root '${m.name}' must not declare a parent`,
            fix: 'Remove parent.',
          },
        ];
      return [];
    }
    case 'tooling': {
      // A tooling path's direct subfolders may be modules of their own (tools/boundaries), so the
      // tools are governed folder by folder the way the library is.
      const paths = layers.tooling.paths ?? [];
      const parent = m.path.slice(0, Math.max(0, m.path.lastIndexOf('/')));
      return paths.includes(m.path) || paths.includes(parent)
        ? []
        : fail(
            `'${m.path}' is neither a tooling path in specs/repo.yaml nor a direct subfolder of one`,
            'Use the layer of the directory, or add the path to layers.tooling.paths.',
          );
    }
    case 'reference': {
      const base = layers.reference.base ?? 'reference';
      return m.path.startsWith(`${base}/`) && m.path.split('/').length === base.split('/').length + 1
        ? []
        : fail(`'${m.path}' is not a direct child of ${base}/`, `Reference services live at ${base}/<service>/.`);
    }
    case 'facade':
      return [];
  }
}

function nameForDir(plane: ControlPlane, dir: string): string {
  const lib = `${plane.repo.identity.library_root}/`;
  return dir.startsWith(lib) ? dir.slice(lib.length) : dir;
}

/** A short hint: the closest known names by shared prefix, or the first few. */
export function suggest(value: string, known: readonly string[]): string {
  const close = known.filter(
    (k) => k.includes(value) || value.includes(k) || k.split('/').pop() === value.split('/').pop(),
  );
  const list = (close.length ? close : known).slice(0, 5);
  return `known: ${list.join(', ')}${known.length > list.length && !close.length ? ', …' : ''}`;
}
