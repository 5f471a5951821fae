import type { Command } from '../io.ts';

/** A command as the help screen lists it; its module is loaded only when it runs. */
export interface CommandEntry {
  readonly name: string;
  /** One line for `plumego --help`. */
  readonly summary: string;
  load(): Promise<Command>;
}

// Loading lazily keeps every command's start-up cost to what it uses: `plumego route` never
// pays for ts-morph or dependency-cruiser.
/** Every CLI command, in help order. Add a command by adding an entry here. */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'init',
    summary:
      "Adopt the control plane on an existing repository: detect modules, record today's imports, baseline the rest",
    load: async () => (await import('./init.ts')).command,
  },
  {
    name: 'check',
    summary: 'Run the checks of specs/checks.yaml (the CI boundary gate)',
    load: async () => (await import('./check.ts')).command,
  },
  {
    name: 'explain',
    summary: 'Explain whether an import between two modules (or files) is allowed, and why',
    load: async () => (await import('./explain.ts')).command,
  },
  {
    name: 'graph',
    summary: 'Print the module graph (mermaid, dot or json), edges by kind, modules by tier',
    load: async () => (await import('./graph.ts')).command,
  },
  {
    name: 'status',
    summary: 'List modules with layer, tier, promoted-in, owner, risk and implementation state',
    load: async () => (await import('./status.ts')).command,
  },
  {
    name: 'sync',
    summary: 'Regenerate derived files from the specs (--check: fail on drift)',
    load: async () => (await import('./sync.ts')).command,
  },
  {
    name: 'site',
    summary: 'Build the docs site (status, primers, graph, matrix, router) for this repository into a folder',
    load: async () => (await import('./site.ts')).command,
  },
  {
    name: 'route',
    summary: 'Name the module that owns a piece of work, and why',
    load: async () => (await import('./route.ts')).command,
  },
  {
    name: 'bundle',
    summary: 'Compose the context package (task, manifest, neighbours, gate) for a piece of work',
    load: async () => (await import('./bundle.ts')).command,
  },
  {
    name: 'gates',
    summary: 'Pick the gate profile a diff must pass (strongest wins) and optionally run it',
    load: async () => (await import('./gates.ts')).command,
  },
  {
    name: 'api',
    summary: 'Write API snapshots (snapshot) or classify API changes against them (diff)',
    load: async () => (await import('./api.ts')).command,
  },
  {
    name: 'new',
    summary: 'Scaffold a service governed by its own specs from a template (see new --help)',
    load: async () => (await import('./new.ts')).command,
  },
  {
    name: 'generate',
    summary: 'Generate a module, middleware, handler or x/rest resource with its test',
    load: async () => (await import('./generate.ts')).command,
  },
  {
    name: 'routes',
    summary: 'Print the route table (method, pattern, name, tags) of the app an entry file builds',
    load: async () => (await import('./routes.ts')).command,
  },
  {
    name: 'dev',
    summary: 'Run an app with restart on change (node --watch, TypeScript through tsx)',
    load: async () => (await import('./dev.ts')).command,
  },
];
