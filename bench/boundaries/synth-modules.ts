/**
 * The modules of a synthetic repository, taken from the manifests of the repository the bench runs
 * in, so generated imports follow real allowed_imports, tiers and layers.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';

export interface SynthModule {
  readonly name: string;
  readonly path: string;
  readonly layer: string;
  readonly tier: string;
  readonly manifestFile: string;
  /** The module's entry file, relative to the repository (manifest `entry`, default index.ts). */
  readonly entry: string;
  /** Library modules (stable, extension, facade) are reached through package subpaths, tooling through relative imports of their entry. */
  readonly library: boolean;
  readonly allowed: readonly string[];
  readonly lowerTier: readonly string[];
  readonly packages: readonly string[];
}

const SKIP = new Set(['node_modules', 'dist', 'fixtures', '__fixtures__', 'generated', 'results']);

function findManifests(root: string, rel: string, out: string[]): void {
  for (const entry of readdirSync(`${root}/${rel}`, { withFileTypes: true })) {
    if (entry.isFile() && entry.name === 'module.yaml') out.push(`${rel}/module.yaml`);
    else if (entry.isDirectory() && !entry.name.startsWith('.') && !SKIP.has(entry.name))
      findManifests(root, `${rel}/${entry.name}`, out);
  }
}

/** Every manifest of the source repository (the root facade included). */
export function readSynthModules(sourceRoot: string): SynthModule[] {
  const files = ['module.yaml'];
  for (const dir of ['framework', 'tools', 'bench', 'docs-site', 'reference']) {
    try {
      findManifests(sourceRoot, dir, files);
    } catch {
      /* a missing directory has no manifests */
    }
  }
  return files
    .map((manifestFile) => {
      const m = parse(readFileSync(`${sourceRoot}/${manifestFile}`, 'utf8')) as {
        name: string;
        path: string;
        layer: string;
        status: string;
        entry?: string;
        allowed_imports: { modules: string[]; packages: { name: string }[]; lower_tier?: string[] };
      };
      const path = manifestFile === 'module.yaml' ? m.path : manifestFile.slice(0, -'/module.yaml'.length);
      return {
        name: m.name,
        path,
        layer: m.layer,
        tier: m.status,
        manifestFile,
        entry: `${path}/${m.entry ?? 'index.ts'}`,
        library: m.layer === 'stable' || m.layer === 'extension' || m.layer === 'facade',
        allowed: m.allowed_imports.modules,
        lowerTier: m.allowed_imports.lower_tier ?? [],
        packages: m.allowed_imports.packages.map((p) => p.name),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The modules that get sources: the library and the tools (reference services, docs-site and bench stay declared only). */
/** Modules the planted violations live in or point at: always generated, whatever the count. */
export const PLANT_MODULES: readonly string[] = [
  'router',
  'contract',
  'core',
  'x/tenant',
  'x/openapi',
  'x/websocket',
  'tools',
  'log',
  'middleware',
];

/**
 * The first `count` library and tool modules, the planted violations' modules first, so new modules
 * in the source repository never push a plant's module out of the synthetic one.
 */
export function pickSourceModules(modules: readonly SynthModule[], count: number): SynthModule[] {
  const eligible = modules.filter((m) => m.layer !== 'reference' && m.name !== 'docs-site' && m.name !== 'bench');
  const needed = eligible.filter((m) => PLANT_MODULES.includes(m.name));
  const rest = eligible.filter((m) => !PLANT_MODULES.includes(m.name));
  const chosen = new Set([...needed, ...rest].slice(0, Math.max(count, needed.length)));
  return eligible.filter((m) => chosen.has(m));
}
