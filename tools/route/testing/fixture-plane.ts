/**
 * A small control plane for the route, bundle and gates tests: a few modules with hand-written
 * manifests, tasks, a taxonomy and dependency rules, plus the repository's real gate profiles (the
 * gate tests check that spec's rules, so they read it). Not a test itself: vitest only runs *.test.ts.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type {
  ControlPlane,
  GateProfilesSpec,
  Module,
  ModuleManifest,
  TaskRoutingSpec,
  TaxonomySpec,
  Tier,
} from '../../control-plane/index.ts';

type ManifestInput = Partial<ModuleManifest> &
  Pick<ModuleManifest, 'name' | 'path' | 'layer' | 'summary' | 'responsibilities' | 'non_goals'>;

export function createFixtureModule(input: ManifestInput, family?: string): Module {
  const manifest: ModuleManifest = {
    status: 'ga' as Tier,
    owner: '@fixture',
    risk: 'medium',
    allowed_imports: { modules: [], packages: [] },
    public_entrypoints: [],
    test_commands: [`npx vitest run ${input.path}`],
    review_checklist: ['Is it tested?'],
    agent_hints: ['Read the manifest first.'],
    ...input,
  };
  return {
    name: manifest.name,
    path: manifest.path,
    layer: manifest.layer,
    tier: manifest.status,
    manifest,
    manifestFile: manifest.path === 'framework' ? 'module.yaml' : `${manifest.path}/module.yaml`,
    entry: `${manifest.path}/index.ts`,
    implemented: true,
    ...(family ? { family } : {}),
  };
}

export const FIXTURE_MODULES: readonly Module[] = [
  createFixtureModule({
    name: 'plumego',
    path: 'framework',
    layer: 'facade',
    summary: 'The package entry, re-exporting app construction only.',
    responsibilities: ['Re-export app construction'],
    non_goals: ['Holding implementation code'],
    allowed_imports: { modules: ['router'], packages: [] },
  }),
  createFixtureModule({
    name: 'router',
    path: 'framework/router',
    layer: 'stable',
    summary: 'A trie that matches request paths to handlers and extracts path parameters.',
    primer_question: 'route matching, path parameters, and reverse routing',
    responsibilities: ['Registering routes per method', 'Reverse routing from a route name'],
    non_goals: [
      'SPA fallback or static asset caching (x/frontend owns that)',
      'Proxying requests to upstream services',
    ],
    allowed_imports: { modules: ['contract'], packages: [] },
    forbidden_imports: ['store'],
    stop_conditions: ['A change to matching precedence'],
    task_affinity: ['route_matching'],
  }),
  createFixtureModule({
    name: 'store',
    path: 'framework/store',
    layer: 'stable',
    summary: 'Stable persistence contracts: a cache contract, key-value and file storage.',
    responsibilities: ['The cache contract and an in-memory cache adapter with TTLs', 'The key-value contract'],
    non_goals: ['Redis or other remote cache adapters (x/data/cache)'],
  }),
  createFixtureModule(
    {
      name: 'x/data',
      path: 'framework/x/data',
      layer: 'extension',
      status: 'experimental',
      summary: 'Data topology: sharding and read/write splitting.',
      responsibilities: ['Read/write splitting over replicas'],
      non_goals: ['Stable storage contracts (store)'],
    },
    'x/data',
  ),
  createFixtureModule(
    {
      name: 'x/data/cache',
      path: 'framework/x/data/cache',
      layer: 'extension',
      status: 'experimental',
      parent: 'x/data',
      summary: 'Distributed cache backends for the store contract.',
      responsibilities: ['Backends that speak to a cache server'],
      non_goals: ['The cache contract itself (store)'],
    },
    'x/data',
  ),
  createFixtureModule(
    {
      name: 'x/gateway',
      path: 'framework/x/gateway',
      layer: 'extension',
      status: 'beta',
      summary: 'An edge reverse proxy forwarding requests to upstream pools with load balancing.',
      primer_question: 'reverse proxying, gateway routing and load balancing',
      responsibilities: [
        'Reverse proxying to upstream targets',
        'The upstream discovery contract the proxy consumes',
        'Health checks of upstream instances',
      ],
      non_goals: ['Local inter-process transport over pipes'],
      allowed_imports: { modules: ['router'], packages: [] },
    },
    'x/gateway',
  ),
  createFixtureModule(
    {
      name: 'x/gateway/discovery',
      path: 'framework/x/gateway/discovery',
      layer: 'extension',
      status: 'experimental',
      parent: 'x/gateway',
      summary: 'Resolvers that keep the backend pool of the gateway current.',
      responsibilities: ['Static resolvers'],
      non_goals: ['Proxying requests (x/gateway)'],
    },
    'x/gateway',
  ),
  createFixtureModule(
    {
      name: 'x/frontend',
      path: 'framework/x/frontend',
      layer: 'extension',
      status: 'beta',
      summary: 'Static asset serving with SPA fallback and cache headers.',
      responsibilities: ['Serving a built single-page app'],
      non_goals: ['Route matching (router)'],
    },
    'x/frontend',
  ),
  createFixtureModule({
    name: 'tools',
    path: 'tools',
    layer: 'tooling',
    summary: 'The control plane tools: spec loader, boundary gate and task router.',
    responsibilities: ['The boundary check over imports'],
    non_goals: ['Library code'],
  }),
];

export const FIXTURE_TASK_ROUTING: TaskRoutingSpec = {
  context_policy: { read_first: ['README.md'], max_start_files: 4, rules: ['Read the owning module manifest first.'] },
  routing_rules: [
    {
      id: 'stable_root_work',
      work_type: 'Kernel, route structure or stable contracts',
      start_here: 'Stable Roots',
      target: { layer: 'stable' },
      why: 'The default path.',
    },
    {
      id: 'repo_rules',
      work_type: 'Ownership rules and import boundaries',
      start_here: 'Repository Boundaries',
      target: { paths: ['tools'] },
      why: 'Control-plane questions.',
    },
    {
      id: 'task_queue',
      work_type: 'Planned work, milestones, and what is active or blocked',
      start_here: 'Task Cards',
      target: { paths: ['tasks'] },
      why: 'Cards record scope first.',
    },
  ],
  learning_path: [{ title: 'Default path', summary: 'router', target: { modules: ['router'] } }],
  tasks: {
    route_matching: {
      intent: 'Change how request paths match routes or how path parameters are extracted.',
      modules: ['router'],
      start_with: ['framework/router/module.yaml', 'framework/router'],
      avoid: ['framework/x/frontend'],
      gate_profile: 'stable_root_change',
    },
    gateway_edge: {
      intent: 'Forward requests to upstream services through the edge proxy.',
      modules: ['x/gateway'],
      start_with: ['framework/x/gateway/module.yaml'],
      avoid: ['framework/x/gateway/discovery'],
    },
    cache_adapter: {
      intent: 'Add a cache backend behind the store contract.',
      modules: ['x/data/cache'],
      start_with: ['framework/x/data/cache/module.yaml'],
      avoid: ['framework/store'],
    },
    control_plane: {
      intent: 'Change a spec, a manifest rule or the boundary gate.',
      modules: ['tools'],
      start_with: ['specs/repo.yaml'],
      avoid: ['framework'],
      gate_profile: 'control_plane_change',
    },
  },
};

/** The fixture routing with a rule whose area is the reference apps (tests of the named-area rules). */
export const FIXTURE_TASK_ROUTING_WITH_APPS: TaskRoutingSpec = {
  ...FIXTURE_TASK_ROUTING,
  routing_rules: [
    ...FIXTURE_TASK_ROUTING.routing_rules,
    {
      id: 'app_wiring',
      work_type: 'App-local bootstrap and service wiring',
      start_here: 'Reference App',
      target: { layer: 'reference' },
      why: 'The canonical service shape lives outside the library',
    },
  ],
};

export const FIXTURE_TAXONOMY: TaxonomySpec = {
  families: [
    {
      root: 'x/gateway',
      work_about: 'Edge transport, reverse proxying, or load balancing',
      narrower_when: 'The task is clearly discovery-specific',
      subordinates: [
        { name: 'x/gateway/discovery', module: true, when: 'discovering upstream instances from a registry' },
      ],
    },
    {
      root: 'x/data',
      work_about: 'Data topology, sharding, or read/write splitting',
      narrower_when: 'The task is clearly cache-specific',
      subordinates: [
        { name: 'x/data/cache', module: true, when: 'distributed or remote cache adapters' },
        { name: 'x/data/shard', module: false, when: 'sharding rows across several databases' },
      ],
    },
    { root: 'x/frontend', work_about: 'Static asset serving or SPA fallback routing', subordinates: [] },
  ],
};

export const REAL_GATE_PROFILES: GateProfilesSpec = parse(
  readFileSync(fileURLToPath(new URL('../../../specs/gate-profiles.yaml', import.meta.url)), 'utf8'),
) as GateProfilesSpec;

/** The parts of the control plane that route, bundle and gates read; the rest of the model stays out of the fixture. */
export type FixturePlane = Pick<
  ControlPlane,
  'modules' | 'taskRouting' | 'taxonomy' | 'gateProfiles' | 'dependencyRules'
>;

/** The fixture plane; pass overrides to vary one part. */
export function createFixturePlane(overrides: Partial<FixturePlane> = {}): FixturePlane {
  return {
    modules: FIXTURE_MODULES,
    dependencyRules: {
      rules: [
        { id: 'default-deny', severity: 'error', summary: 'Imports must be allowed.', rationale: 'r', fix: 'f' },
        {
          id: 'stable-no-extension',
          severity: 'error',
          summary: 'Stable roots never import x/*.',
          rationale: 'r',
          fix: 'f',
          from_layers: ['stable', 'facade'],
          to_layers: ['extension'],
        },
        {
          id: 'library-no-app-code',
          severity: 'error',
          summary: 'Library code never imports tools.',
          rationale: 'r',
          fix: 'f',
          from_layers: ['stable', 'extension', 'facade'],
          to_layers: ['tooling', 'reference'],
        },
      ],
      builtins: { require_node_prefix: true, deny: {} },
      baseline: 'specs/boundary-baseline.yaml',
      exceptions: [],
    },
    taskRouting: FIXTURE_TASK_ROUTING,
    taxonomy: FIXTURE_TAXONOMY,
    gateProfiles: REAL_GATE_PROFILES,
    ...overrides,
  };
}
