/**
 * Stage 2 of `plumego init`: today's imports, read from the real import graph, per module — the
 * modules and the declared npm packages each module's runtime code imports. Written into the
 * manifests, they make the first `check` pass on default deny; what a rule forbids regardless
 * (cycles, layer breaks) is left for the baseline.
 */
import {
  createOwnerIndex,
  getModuleEdges,
  isDevOnlyFile,
  type BoundaryPlane,
  type FileGraph,
} from '../boundaries/index.ts';

export interface ModuleImports {
  readonly modules: ReadonlySet<string>;
  readonly packages: ReadonlySet<string>;
}

export function recordImports(plane: BoundaryPlane, graph: FileGraph): Map<string, ModuleImports> {
  const getOwner = createOwnerIndex(plane.modules);
  const out = new Map<string, { modules: Set<string>; packages: Set<string> }>();
  const get = (name: string): { modules: Set<string>; packages: Set<string> } => {
    let entry = out.get(name);
    if (!entry) out.set(name, (entry = { modules: new Set(), packages: new Set() }));
    return entry;
  };
  for (const edge of getModuleEdges(graph, getOwner)) get(edge.from.name).modules.add(edge.to.name);
  for (const source of graph.files) {
    const from = getOwner(source.file);
    // Tests and config files may use any declared package; the allowlist is about shipped code.
    if (!from || isDevOnlyFile(source.file)) continue;
    const declared = plane.declaredPackages(from);
    for (const dep of source.dependencies) {
      const isPackage = dep.target === 'package' || (dep.target === 'unresolved' && dep.via === 'package');
      if (!isPackage) continue;
      const name = dep.target === 'package' ? dep.resolved : getPackageName(dep.specifier);
      if (name === plane.repo.identity.package) continue;
      // An undeclared package is not recorded: npm-undeclared reports it, and the baseline freezes it.
      if (declared.has(name)) get(from.name).packages.add(name);
      else if (declared.has(getTypesName(name)) && (dep.kind === 'type-only' || dep.kind === 'type-only re-export'))
        get(from.name).packages.add(getTypesName(name));
    }
  }
  return out;
}

function getPackageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

function getTypesName(name: string): string {
  return name.startsWith('@') ? `@types/${name.slice(1).replace('/', '__')}` : `@types/${name}`;
}
