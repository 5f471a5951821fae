import type { ControlPlane, Module } from '../control-plane/index.ts';

/**
 * The exports entry of one library module. Order matters, Node and TypeScript take the first
 * condition they know: `source` (the TypeScript, for this repository's own tests and tools, which
 * opt in with --conditions=source), then `types` (the .d.ts beside the built JS, for consumers'
 * tsc), `import` (the ESM build) and `default` (the same file, for resolvers that know neither).
 */
function exportEntry(m: Module): Record<string, string> {
  const stem = m.entry.replace(/\.ts$/, '');
  const js = `./dist/${stem}.js`;
  return { source: `./${m.entry}`, types: `./dist/${stem}.d.ts`, import: js, default: js };
}

/**
 * A subpath a manifest declares in package_exports: plain JavaScript that runs without the source
 * condition (an ESLint config, for one, is loaded by bare Node), so every condition gets the same file.
 */
function extraEntry(m: Module, e: NonNullable<Module['manifest']['package_exports']>[number]): Record<string, string> {
  const at = (file: string): string => `./${m.path ? `${m.path}/` : ''}${file}`;
  return { ...(e.types ? { types: at(e.types) } : {}), default: at(e.entry) };
}

/**
 * package.json "exports", generated from the manifests: one subpath per implemented library
 * module (the facade is "."). A declared module without code is not exported, so a consumer gets
 * "not exported" rather than a path to a missing file. Manifests may add tooling subpaths (package_exports).
 */
export function buildExports(plane: ControlPlane): Record<string, Record<string, string>> {
  const pkg = plane.repo.identity.package;
  const entries = plane.modules
    .filter((m) => m.importSpecifier && m.implemented)
    .map((m): [string, Record<string, string>] => [
      m.importSpecifier === pkg ? '.' : `.${m.importSpecifier!.slice(pkg.length)}`,
      exportEntry(m),
    ])
    .concat(
      plane.modules.flatMap((m) =>
        (m.manifest.package_exports ?? []).map((e): [string, Record<string, string>] => [
          `./${e.subpath}`,
          extraEntry(m, e),
        ]),
      ),
    )
    .sort(([a], [b]) => (a === '.' ? -1 : b === '.' ? 1 : a.localeCompare(b)));
  return Object.fromEntries(entries);
}

/** package.json with its exports replaced; every other key keeps its place and value. */
export function renderPackageJson(plane: ControlPlane, current: string): string {
  const pkg = JSON.parse(current) as Record<string, unknown>;
  pkg['exports'] = buildExports(plane);
  return `${JSON.stringify(pkg, null, 2)}\n`;
}
