/**
 * The two profiles. The full profile (this repository) requires every spec; the minimal profile
 * requires repo.yaml, dependency-rules.yaml and the manifests, and each other spec turns its feature
 * on by existing. What a minimal repository leaves out is filled here with empty values, so every
 * tool reads the same typed plane and a feature that is off simply finds nothing to check.
 */
import {
  GENERATOR_IDS,
  type ChecksSpec,
  type Feature,
  type GateProfilesSpec,
  type GeneratorId,
  type ModuleManifest,
  type Profile,
  type ReleasesSpec,
  type RepoSpec,
  type TaskRoutingSpec,
  type TaxonomySpec,
} from './model.ts';

/** Specs a minimal repository may leave out, with the feature each one turns on. */
export const OPTIONAL_SPECS = {
  taskRouting: 'routing',
  taxonomy: 'taxonomy',
  gateProfiles: 'gate-profiles',
  checks: 'checks-list',
  errorCodes: 'error-codes',
  releases: 'releases',
} as const satisfies Record<string, Feature>;

export type OptionalSpec = keyof typeof OPTIONAL_SPECS;

/** What an absent optional spec reads as. */
export const EMPTY_SPECS: { readonly [K in OptionalSpec]: unknown } = {
  taskRouting: {
    context_policy: { read_first: [], rules: [] },
    routing_rules: [],
    learning_path: [],
    tasks: {},
  } satisfies TaskRoutingSpec,
  taxonomy: { families: [] } satisfies TaxonomySpec,
  gateProfiles: { profiles: [], selection: [] } satisfies GateProfilesSpec,
  checks: { checks: [] } satisfies ChecksSpec,
  errorCodes: { codes: [] },
  releases: { releases: [] } satisfies ReleasesSpec,
};

/** The tiers a minimal repository gets when repo.yaml declares none. */
const DEFAULT_TIERS: RepoSpec['tiers'] = [
  { id: 'ga', label: 'Stable (GA)', rank: 3, unit: 'modules', guidance: 'Production-ready.' },
  { id: 'beta', label: 'Beta', rank: 2, unit: 'modules', guidance: 'API frozen between minor releases.' },
  { id: 'experimental', label: 'Experimental', rank: 1, unit: 'modules', guidance: 'May change without notice.' },
];

/** The profile the raw repo.yaml asks for (before validation: decides which schema validates it). */
export function getProfile(data: unknown): Profile {
  return data !== null && typeof data === 'object' && (data as { profile?: unknown }).profile === 'minimal'
    ? 'minimal'
    : 'full';
}

/** A schema-valid repo.yaml with every key a tool reads present. */
export function resolveRepoSpec(repo: RepoSpec, profile: Profile): RepoSpec {
  if (profile === 'full') return repo;
  const layer = { description: '' };
  return {
    ...repo,
    identity: { ...repo.identity, description: repo.identity.description ?? '' },
    // The schema lets a minimal repo.yaml name only the layers it uses.
    layers: {
      stable: layer,
      extension: layer,
      facade: layer,
      tooling: layer,
      reference: layer,
      ...(repo.layers as Partial<RepoSpec['layers']>),
    },
    tiers: repo.tiers ?? DEFAULT_TIERS,
    top_level: repo.top_level ?? { directories: [], discouraged_roots: [], rules: [] },
  };
}

/** The generators sync runs: the listed ones, or every one (full) / none (minimal) by default. */
export function getGenerators(repo: RepoSpec, profile: Profile): ReadonlySet<GeneratorId> {
  return new Set(repo.generate ?? (profile === 'full' ? GENERATOR_IDS : []));
}

/** A schema-valid minimal manifest with every list a tool reads present (empty) and the lowest tier. */
export function resolveManifest(manifest: ModuleManifest, profile: Profile): ModuleManifest {
  if (profile === 'full') return manifest;
  const m = manifest as Partial<ModuleManifest> & Pick<ModuleManifest, 'name' | 'path' | 'layer' | 'allowed_imports'>;
  return {
    status: 'experimental',
    owner: '',
    risk: 'low',
    summary: '',
    responsibilities: [],
    non_goals: [],
    public_entrypoints: [],
    test_commands: [],
    review_checklist: [],
    agent_hints: [],
    ...m,
  };
}

/**
 * Directories that hold modules: the library root and every layer's base and paths, without
 * directories nested in another one (each is walked once).
 */
export function getModuleRoots(repo: RepoSpec): string[] {
  const dirs = new Set<string>([repo.identity.library_root]);
  for (const layer of Object.values(repo.layers) as (RepoSpec['layers'][keyof RepoSpec['layers']] | undefined)[]) {
    if (layer?.base) dirs.add(layer.base);
    for (const p of layer?.paths ?? []) dirs.add(p);
  }
  const clean = [...dirs]
    .map((d) => d.replace(/^\.\//, '').replace(/\/+$/, ''))
    .filter((d) => d && d !== '.' && !d.startsWith('..') && !d.startsWith('/'));
  return [...new Set(clean)].filter((d, _, all) => !all.some((o) => o !== d && d.startsWith(`${o}/`))).sort();
}
