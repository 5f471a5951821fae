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
 * package.json "exports", generated from the manifests: one subpath per implemented library
 * module (the facade is "."). A declared module without code is not exported, so a consumer gets
 * "not exported" rather than a path to a missing file.
 */
export function buildExports(plane: ControlPlane): Record<string, Record<string, string>> {
  const pkg = plane.repo.identity.package;
  const entries = plane.modules
    .filter((m) => m.importSpecifier && m.implemented)
    .map((m): [string, Record<string, string>] => [m.importSpecifier === pkg ? '.' : `.${m.importSpecifier!.slice(pkg.length)}`, exportEntry(m)])
    .sort(([a], [b]) => (a === '.' ? -1 : b === '.' ? 1 : a.localeCompare(b)));
  return Object.fromEntries(entries);
}

/** package.json with its exports replaced; every other key keeps its place and value. */
export function renderPackageJson(plane: ControlPlane, current: string): string {
  const pkg = JSON.parse(current) as Record<string, unknown>;
  pkg['exports'] = buildExports(plane);
  return `${JSON.stringify(pkg, null, 2)}\n`;
}
