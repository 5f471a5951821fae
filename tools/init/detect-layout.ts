/**
 * Stage 1 of `plumego init`: the repository's layout → the modules to propose. Workspace packages
 * (npm, yarn, pnpm) win; otherwise the folders of a source root (`src/`, `lib/`, …) to `depth`;
 * `--glob` names the module folders outright. Pure over the file system, writes nothing.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { hasWorkspaces, listWorkspaceDirs, type Layer, type PackageJson } from '../control-plane/index.ts';
import { InitError } from './init-error.ts';

export interface ProposedModule {
  /** Module name (its folder below the library root, or its repository path for app code). */
  readonly name: string;
  /** Repository-relative folder. */
  readonly path: string;
  readonly layer: Layer;
  /** Public entry relative to the folder, when it is not index.ts. */
  readonly entry?: string;
  /** The workspace package name, when the module is one. */
  readonly packageName?: string;
}

export interface Layout {
  readonly kind: 'workspaces' | 'source-folders' | 'glob';
  /** The package name Plumego uses for the repository (the root package.json name, made a valid module name). */
  readonly packageName: string;
  readonly libraryRoot: string;
  readonly modules: readonly ProposedModule[];
  /** A facade module for the files directly in the library root (source-folder layouts). */
  readonly facade?: ProposedModule;
  /** Folders left out, and why (printed by init so nothing is dropped silently). */
  readonly skipped: readonly { readonly path: string; readonly reason: string }[];
  /** tsconfig.json `paths` aliases (resolved by the gate through tsconfig.json). */
  readonly pathAliases: readonly string[];
}

export interface DetectOptions {
  /** Folder levels below the source root that become modules (default 1). */
  readonly depth?: number;
  /** Module folders as a pattern such as src/* or packages/* (one star per folder level): overrides detection. */
  readonly glob?: string;
}

const NAME = /^[a-z][a-z0-9-]*(\/[a-z][a-z0-9-]*)*$/;
const SOURCE_ROOTS = ['src', 'lib', 'source', 'app'];
const SKIP = new Set([
  'node_modules',
  'dist',
  'build',
  'coverage',
  'fixtures',
  '__fixtures__',
  '__tests__',
  '__mocks__',
  'generated',
  'results',
]);
const SOURCE = /\.(ts|tsx|mts|cts)$/;

export function detectLayout(root: string, options: DetectOptions = {}): Layout {
  const pkg = readPackageJson(root);
  const packageName = toModuleName(typeof pkg.name === 'string' ? pkg.name : (root.split('/').pop() ?? 'repo'));
  const pathAliases = readPathAliases(root);
  if (options.glob) return fromGlob(root, options.glob, packageName, pathAliases);
  if (hasWorkspaces(root, pkg)) return fromWorkspaces(root, pkg, packageName, pathAliases);
  const sourceRoot = SOURCE_ROOTS.find((d) => isDir(`${root}/${d}`) && hasSource(`${root}/${d}`));
  if (!sourceRoot) {
    throw new InitError(
      'PLUMEGO_ERR_INIT_NO_LAYOUT',
      `no workspaces and no source folder (${SOURCE_ROOTS.join(', ')}) with TypeScript files under ${root}`,
      'Pass --glob with the module folders, for example --glob "packages/*" or --glob "src/*".',
    );
  }
  return fromSourceRoot(root, sourceRoot, options.depth ?? 1, packageName, pathAliases);
}

function fromWorkspaces(root: string, pkg: PackageJson, packageName: string, pathAliases: string[]): Layout {
  const dirs = listWorkspaceDirs(root, pkg).filter((d) => existsSync(`${root}/${d}/package.json`));
  if (dirs.length === 0)
    throw new InitError(
      'PLUMEGO_ERR_INIT_NO_LAYOUT',
      'the workspace patterns match no folder with a package.json',
      'Check the workspaces in package.json or pnpm-workspace.yaml, or pass --glob.',
    );
  const libraryRoot = pickLibraryRoot(dirs);
  const modules: ProposedModule[] = [];
  const skipped: Layout['skipped'][number][] = [];
  for (const dir of dirs) {
    const inLib = dir.startsWith(`${libraryRoot}/`);
    const name = inLib ? dir.slice(libraryRoot.length + 1) : dir;
    if (!NAME.test(name) || !NAME.test(dir)) {
      skipped.push({ path: dir, reason: `'${name}' is not a valid module name (lower-case letters, digits, dashes)` });
      continue;
    }
    const wsPkg = readPackageJson(`${root}/${dir}`);
    const entry = findEntry(root, dir, wsPkg);
    modules.push({
      name,
      path: dir,
      layer: inLib ? 'stable' : 'reference',
      ...(entry && entry !== 'index.ts' ? { entry } : {}),
      ...(typeof wsPkg.name === 'string' ? { packageName: wsPkg.name } : {}),
    });
  }
  return { kind: 'workspaces', packageName, libraryRoot, modules, skipped, pathAliases };
}

function fromSourceRoot(
  root: string,
  sourceRoot: string,
  depth: number,
  packageName: string,
  pathAliases: string[],
): Layout {
  const modules: ProposedModule[] = [];
  const skipped: Layout['skipped'][number][] = [];
  const walk = (rel: string, level: number): void => {
    for (const name of listSubdirs(`${root}/${rel}`)) {
      const dir = `${rel}/${name}`;
      if (SKIP.has(name) || !hasSource(`${root}/${dir}`)) continue;
      const moduleName = dir.slice(sourceRoot.length + 1);
      if (!NAME.test(moduleName)) {
        skipped.push({
          path: dir,
          reason: `'${moduleName}' is not a valid module name (lower-case letters, digits, dashes); its files belong to the enclosing module`,
        });
        continue;
      }
      modules.push({ name: moduleName, path: dir, layer: 'stable' });
      if (level < depth) walk(dir, level + 1);
    }
  };
  walk(sourceRoot, 1);
  const facade: ProposedModule = {
    name: packageName,
    path: sourceRoot,
    layer: 'facade',
    ...(existsSync(`${root}/${sourceRoot}/index.ts`)
      ? {}
      : { entry: firstSourceFile(`${root}/${sourceRoot}`) ?? 'index.ts' }),
  };
  return { kind: 'source-folders', packageName, libraryRoot: sourceRoot, modules, facade, skipped, pathAliases };
}

function fromGlob(root: string, glob: string, packageName: string, pathAliases: string[]): Layout {
  const parts = glob.replace(/^\.\//, '').replace(/\/+$/, '').split('/');
  const star = parts.findIndex((p) => p.includes('*'));
  if (star <= 0 || parts.slice(star).some((p) => p !== '*')) {
    throw new InitError(
      'PLUMEGO_ERR_INIT_GLOB',
      `--glob '${glob}' must be a folder followed by one or more '*' segments`,
      "Use for example --glob 'src/*', 'packages/*' or two levels 'src/*/*'.",
    );
  }
  const libraryRoot = parts.slice(0, star).join('/');
  if (!isDir(`${root}/${libraryRoot}`))
    throw new InitError(
      'PLUMEGO_ERR_INIT_GLOB',
      `--glob '${glob}': folder '${libraryRoot}' does not exist`,
      'Name an existing folder before the *.',
    );
  const layout = fromSourceRoot(root, libraryRoot, parts.length - star, packageName, pathAliases);
  const levels = parts.length - star;
  // A glob names exactly its level; shallower folders stay part of their parent (the facade).
  return { ...layout, kind: 'glob', modules: layout.modules.filter((m) => m.name.split('/').length === levels) };
}

const LIBRARY_FOLDERS = ['packages', 'libs', 'modules', 'lib'];
const APP_FOLDERS = new Set([
  'examples',
  'example',
  'apps',
  'app',
  'docs',
  'www',
  'website',
  'site',
  'demo',
  'demos',
  'e2e',
  'test',
  'tests',
  'playground',
  'benchmarks',
  'scripts',
  'tools',
]);

/**
 * The folder whose packages are the library: packages/ (or libs/, modules/) when there is one, else
 * the folder holding most packages that is not an examples, apps or docs folder. Packages elsewhere
 * are applications of the library.
 */
function pickLibraryRoot(dirs: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const d of dirs) counts.set(d.split('/')[0]!, (counts.get(d.split('/')[0]!) ?? 0) + 1);
  const named = LIBRARY_FOLDERS.find((f) => counts.has(f));
  if (named) return named;
  const ranked = [...counts].sort(
    (a, b) => Number(APP_FOLDERS.has(a[0])) - Number(APP_FOLDERS.has(b[0])) || b[1] - a[1] || a[0].localeCompare(b[0]),
  );
  return ranked[0]![0];
}

/** The workspace package's public entry as a TypeScript source, relative to its folder. */
function findEntry(root: string, dir: string, pkg: PackageJson): string | undefined {
  const exportsField = pkg['exports'];
  const dot =
    typeof exportsField === 'string'
      ? exportsField
      : exportsField && typeof exportsField === 'object'
        ? (exportsField as Record<string, unknown>)['.']
        : undefined;
  const candidates = [dot, pkg['source'], pkg['types'], pkg['typings'], pkg['module'], pkg['main']].flatMap((v) =>
    typeof v === 'string'
      ? [v]
      : v && typeof v === 'object'
        ? Object.values(v).filter((x): x is string => typeof x === 'string')
        : [],
  );
  for (const c of [...candidates.map(toSourcePath), 'src/index.ts', 'src/index.tsx', 'index.ts', 'index.tsx']) {
    const rel = c.replace(/^\.\//, '');
    if (SOURCE.test(rel) && !rel.endsWith('.d.ts') && existsSync(`${root}/${dir}/${rel}`)) return rel;
  }
  return undefined;
}

/** `./dist/index.js` → `./src/index.ts` (the usual build mapping), `./index.js` → `./index.ts`. */
function toSourcePath(path: string): string {
  return path
    .replace(/^(\.\/)?(dist|build|lib|out)\//, '$1src/')
    .replace(/\.d\.ts$/, '.ts')
    .replace(/\.(m|c)?js$/, '.$1ts')
    .replace(/\.\.ts$/, '.ts');
}

function readPathAliases(root: string): string[] {
  try {
    // tsconfig may hold comments and trailing commas; only the paths keys are needed.
    const text = readFileSync(`${root}/tsconfig.json`, 'utf8');
    const block = /"paths"\s*:\s*\{([^}]*)\}/.exec(text)?.[1] ?? '';
    return [...block.matchAll(/"([^"]+)"\s*:/g)].map((m) => m[1]!);
  } catch {
    return [];
  }
}

/** `@scope/My_Pkg` → `my-pkg`: a name the manifest schema accepts. */
export function toModuleName(name: string): string {
  const base = name
    .replace(/^@[^/]+\//, '')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .replace(/-+$/, '');
  return base || 'repo';
}

function readPackageJson(dir: string): PackageJson {
  try {
    return JSON.parse(readFileSync(`${dir}/package.json`, 'utf8')) as PackageJson;
  } catch {
    return {};
  }
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function listSubdirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

function firstSourceFile(dir: string): string | undefined {
  try {
    return readdirSync(dir)
      .filter((n) => SOURCE.test(n) && !n.endsWith('.d.ts') && !/\.test\./.test(n))
      .sort()[0];
  } catch {
    return undefined;
  }
}

/** True when the folder holds a TypeScript source at any depth (dependency and build folders skipped). */
function hasSource(dir: string): boolean {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return false;
  }
  if (entries.some((e) => e.isFile() && SOURCE.test(e.name) && !e.name.endsWith('.d.ts'))) return true;
  return entries.some(
    (e) => e.isDirectory() && !e.name.startsWith('.') && !SKIP.has(e.name) && hasSource(`${dir}/${e.name}`),
  );
}
