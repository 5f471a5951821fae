/**
 * Stage 3 of `plumego init`: the layout and today's imports → the text of every file init writes.
 * Pure: the same layout and imports always give the same bytes, so a second run finds nothing to do.
 */
import { stringify } from 'yaml';
import type { BaselineEntry } from '../control-plane/index.ts';
import type { Layout, ProposedModule } from './detect-layout.ts';
import type { ModuleImports } from './record-imports.ts';

export const REPO_FILE = 'specs/repo.yaml';
export const RULES_FILE = 'specs/dependency-rules.yaml';
export const BASELINE_FILE = 'specs/boundary-baseline.yaml';

const HEADER = '# Written by plumego init (profile: minimal). Edit freely: this file is yours now.\n';

export function getManifestFile(m: ProposedModule): string {
  return m.layer === 'facade' ? 'module.yaml' : `${m.path}/module.yaml`;
}

/** Every module of the layout, the facade included, sorted by name. */
export function listModules(layout: Layout): ProposedModule[] {
  return [...(layout.facade ? [layout.facade] : []), ...layout.modules].sort((a, b) => a.name.localeCompare(b.name));
}

export function renderRepoSpec(layout: Layout): string {
  const appPaths = layout.modules.filter((m) => m.layer === 'reference').map((m) => m.path);
  const spec = {
    profile: 'minimal',
    identity: { name: layout.packageName, package: layout.packageName, library_root: layout.libraryRoot },
    layers: {
      stable: {
        description: `The library modules: one per folder under ${layout.libraryRoot}/.`,
        base: layout.libraryRoot,
      },
      ...(layout.facade
        ? {
            facade: {
              description: `The files directly in ${layout.libraryRoot}/ (the package entry).`,
              paths: [layout.libraryRoot],
            },
          }
        : {}),
      ...(appPaths.length
        ? {
            reference: {
              description: 'Applications: they may use the library, the library never imports them.',
              paths: appPaths,
            },
          }
        : {}),
    },
  };
  return `${HEADER}# Turn on more of the control plane by adding its spec (task-routing.yaml, releases.yaml, …)\n# or list generated files under generate: (package-exports, readme-modules, codeowners, site-data).\n${stringify(spec)}`;
}

const RULES = [
  {
    id: 'library-no-app-code',
    severity: 'error',
    from_layers: ['stable', 'extension', 'facade'],
    to_layers: ['tooling', 'reference'],
    summary: 'Library code never imports application code.',
    rationale: 'A library that imports an app cannot be published, tested or reused without it.',
    fix: 'Move what the library needs into a library module, or pass it in from the application.',
  },
  {
    id: 'default-deny',
    severity: 'error',
    summary: "A cross-module import must be listed in the importing module's allowed_imports.modules.",
    rationale: 'Dependencies are decisions; an edge nobody declared is an edge nobody reviewed.',
    fix: "If the dependency is intended, add the target module to allowed_imports.modules in the importer's module.yaml; otherwise move the code or invert the dependency.",
  },
  {
    id: 'public-entry-only',
    severity: 'error',
    summary:
      'Another module is reached only through its public entry (its entry file or package name), never a deep path.',
    rationale: 'Everything behind the entry is private; deep imports freeze internals into a contract nobody promised.',
    fix: "Import from the module's entry, and export the needed symbol there if it should be public.",
  },
  {
    id: 'no-module-cycles',
    severity: 'error',
    summary: 'The module graph has no cycles.',
    rationale: 'A cycle makes two modules one unit that can only be released, tested and understood together.',
    fix: 'Extract the shared part into a lower module, or invert one edge through an interface.',
  },
  {
    id: 'npm-allowlist',
    severity: 'error',
    summary:
      'A module imports only the npm packages listed in its allowed_imports.packages (tests and config files are exempt).',
    rationale: 'Every runtime dependency is a supply-chain and size decision that the manifest records.',
    fix: 'Add the package to allowed_imports.packages with a reason, or do without it.',
  },
  {
    id: 'npm-undeclared',
    severity: 'error',
    summary: 'Every imported npm package is declared in a package.json.',
    rationale: 'An undeclared package works only by accident of hoisting and breaks on a clean install.',
    fix: 'Add the package to the package.json of the workspace that imports it.',
  },
  {
    id: 'unowned-file',
    severity: 'error',
    summary: 'Every scanned source file belongs to a declared module.',
    rationale: 'A file outside every module is governed by no manifest.',
    fix: 'Move the file into a module folder or declare a module for it.',
  },
];

export function renderRules(): string {
  const spec = {
    rules: RULES,
    builtins: { require_node_prefix: false, deny: {} },
    baseline: BASELINE_FILE,
    exceptions: [],
  };
  return `${HEADER}# The global import rules; each module's own permissions are in its module.yaml (allowed_imports).\n${stringify(spec)}`;
}

export function renderManifest(m: ProposedModule, imports: ModuleImports | undefined): string {
  const manifest = {
    name: m.name,
    path: m.path,
    ...(m.entry ? { entry: m.entry } : {}),
    layer: m.layer,
    allowed_imports: {
      modules: [...(imports?.modules ?? [])].sort(),
      packages: [...(imports?.packages ?? [])]
        .sort()
        .map((name) => ({ name, reason: 'imported when plumego init ran' })),
    },
  };
  return `${HEADER}# allowed_imports lists what the code imported when init ran: review it, then keep it true.\n${stringify(manifest)}`;
}

export function renderBaseline(entries: readonly BaselineEntry[]): string {
  return `${HEADER}# Violations that existed when init ran, frozen with an owner and an expiry: a new one fails,\n# a fixed one must leave this file, an expired one fails.\n${stringify({ entries: entries.map((e) => ({ ...e })) })}`;
}
