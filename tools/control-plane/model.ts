/**
 * The typed control-plane model. Every tool reads the repository through `loadControlPlane()`
 * and gets these types; no tool parses a spec or manifest itself.
 */

export type Layer = 'stable' | 'extension' | 'facade' | 'tooling' | 'reference';
export type Tier = 'ga' | 'beta' | 'experimental';
export type Risk = 'low' | 'medium' | 'high' | 'critical';

/** 1-based position of a YAML node in a repository file. */
export interface SourcePos {
  /** Repository-relative path with forward slashes. */
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export interface PackageAllowance {
  readonly name: string;
  readonly reason: string;
}

/** module.yaml exactly as specs/schemas/module-manifest.schema.json describes it. */
export interface ModuleManifest {
  readonly name: string;
  readonly path: string;
  /** The public entry relative to the module folder (default index.ts). */
  readonly entry?: string;
  readonly layer: Layer;
  readonly status: Tier;
  readonly promoted_in?: string;
  readonly parent?: string;
  readonly owner: string;
  readonly risk: Risk;
  readonly summary: string;
  readonly primer_question?: string;
  readonly responsibilities: readonly string[];
  readonly non_goals: readonly string[];
  readonly allowed_imports: {
    readonly modules: readonly string[];
    readonly packages: readonly PackageAllowance[];
    readonly lower_tier?: readonly string[];
  };
  readonly forbidden_imports?: readonly string[];
  readonly public_entrypoints: readonly string[];
  readonly test_commands: readonly string[];
  readonly review_checklist: readonly string[];
  readonly agent_hints: readonly string[];
  readonly stop_conditions?: readonly string[];
  readonly landing_zones?: readonly string[];
  readonly doc_paths?: readonly string[];
  readonly task_affinity?: readonly string[];
  /** Extra package subpaths the module publishes (tooling entries); sync writes them into exports. */
  readonly package_exports?: readonly { readonly subpath: string; readonly entry: string; readonly types?: string }[];
  readonly api_changes?: readonly ApiChangeRecord[];
}

/** One `api_changes` entry of a module.yaml: a recorded breaking change of its public API. */
export interface ApiChangeRecord {
  readonly version: string;
  readonly reason: string;
  readonly removed?: readonly string[];
  readonly changed?: readonly string[];
  readonly migration?: string;
}

/** A module as the tools see it: its manifest plus facts derived from the repository. */
export interface Module {
  readonly name: string;
  /** Repository-relative directory. */
  readonly path: string;
  readonly layer: Layer;
  readonly tier: Tier;
  readonly manifest: ModuleManifest;
  /** Repository-relative path of the module.yaml. */
  readonly manifestFile: string;
  /** Repository-relative path of the public entry (index.ts), whether or not it exists. */
  readonly entry: string;
  /** True when the entry file exists: a declared module without it is "declared, not implemented". */
  readonly implemented: boolean;
  /** For extension modules: the family root (x/gateway for x/gateway/discovery). */
  readonly family?: string;
  /** The package subpath that reaches the module (`plumego/x/tenant`, `plumego` for the facade); absent for tooling/reference. */
  readonly importSpecifier?: string;
  /** Set when the manifest failed its schema: the module keeps its name, but no check reads its other values. */
  readonly invalid?: true;
}

/** The generated files `plumego sync` can write (specs/repo.yaml `generate`). */
export type GeneratorId = 'package-exports' | 'readme-modules' | 'codeowners' | 'site-data';
export const GENERATOR_IDS: readonly GeneratorId[] = ['package-exports', 'readme-modules', 'codeowners', 'site-data'];

/** full: every spec required (this repository); minimal: boundary checks only, each other spec opts a feature in. */
export type Profile = 'full' | 'minimal';

/**
 * Features of the control plane a repository has turned on. In the full profile all are on; in the
 * minimal profile `boundaries` always is and each other one is on when its spec exists.
 */
export type Feature =
  | 'boundaries'
  | 'top-level'
  | 'tiers'
  | 'releases'
  | 'routing'
  | 'taxonomy'
  | 'gate-profiles'
  | 'checks-list'
  | 'error-codes'
  | 'tasks'
  | 'generate';

export interface RepoSpec {
  readonly profile?: Profile;
  readonly generate?: readonly GeneratorId[];
  readonly identity: {
    readonly name: string;
    readonly package: string;
    readonly description: string;
    readonly library_root: string;
  };
  readonly layers: Readonly<
    Record<
      Layer,
      {
        readonly description: string;
        readonly base?: string;
        readonly roots?: readonly string[];
        readonly paths?: readonly string[];
      }
    >
  >;
  readonly tiers: readonly {
    readonly id: Tier;
    readonly label: string;
    readonly rank: number;
    readonly unit: string;
    readonly guidance: string;
  }[];
  readonly top_level: {
    readonly directories: readonly string[];
    readonly discouraged_roots: readonly string[];
    readonly rules: readonly { readonly id: string; readonly rule: string; readonly rationale: string }[];
  };
}

export interface DependencyRule {
  readonly id: string;
  readonly severity: 'error' | 'warn';
  readonly summary: string;
  readonly rationale: string;
  readonly fix: string;
  readonly from_layers?: readonly Layer[];
  readonly to_layers?: readonly Layer[];
  readonly to_modules?: readonly string[];
  readonly value_only?: boolean;
}

export interface DependencyRulesSpec {
  readonly rules: readonly DependencyRule[];
  readonly builtins: {
    readonly require_node_prefix: boolean;
    readonly deny: Readonly<Partial<Record<Layer, readonly string[]>>>;
  };
  readonly baseline: string;
  readonly exceptions: readonly {
    readonly rule: string;
    readonly from: string;
    readonly to: string;
    readonly reason: string;
    readonly owner: string;
    readonly expires?: string;
  }[];
}

export interface RoutingTarget {
  readonly layer?: Layer;
  readonly modules?: readonly string[];
  readonly paths?: readonly string[];
}

export interface TaskEntry {
  readonly intent: string;
  readonly modules: readonly string[];
  readonly keywords?: readonly string[];
  readonly start_with: readonly string[];
  readonly avoid: readonly string[];
  readonly gate_profile?: string;
}

export interface TaskRoutingSpec {
  readonly context_policy: {
    readonly read_first: readonly string[];
    readonly max_start_files?: number;
    readonly rules: readonly string[];
  };
  readonly routing_rules: readonly {
    readonly id: string;
    readonly work_type: string;
    readonly start_here: string;
    readonly target: RoutingTarget;
    readonly why: string;
  }[];
  readonly learning_path: readonly {
    readonly title: string;
    readonly summary: string;
    readonly target: RoutingTarget;
  }[];
  readonly tasks: Readonly<Record<string, TaskEntry>>;
}

export interface TaxonomySpec {
  readonly families: readonly {
    readonly root: string;
    readonly work_about: string;
    readonly narrower_when?: string;
    readonly subordinates: readonly { readonly name: string; readonly module: boolean; readonly when: string }[];
  }[];
}

export interface GateProfilesSpec {
  /** Non-module areas of the repository (specs, docs, …); a file belongs to the first area whose paths match. */
  readonly areas?: readonly { readonly id: string; readonly paths: readonly string[]; readonly module?: boolean }[];
  /** The profile used when no selection rule matches. */
  readonly fallback?: string;
  readonly profiles: readonly {
    readonly id: string;
    readonly strength: number;
    readonly summary: string;
    readonly commands: readonly string[];
  }[];
  readonly selection: readonly {
    readonly id: string;
    readonly profile: string;
    readonly when: {
      readonly areas?: readonly string[];
      readonly layers?: readonly Layer[];
      readonly min_modules?: number;
      readonly public_api?: boolean;
      readonly paths?: readonly string[];
      readonly unclassified?: boolean;
    };
  }[];
}

export interface ChecksSpec {
  readonly checks: readonly { readonly id: string; readonly summary: string }[];
}

export interface ErrorCodeEntry {
  readonly code: string;
  readonly status: number;
  readonly category: string;
  readonly type?: string;
  readonly module: string;
  readonly description: string;
}

export interface ReleasesSpec {
  readonly releases: readonly { readonly version: string; readonly date: string; readonly summary: string }[];
}

export interface BaselineEntry {
  readonly rule: string;
  readonly file: string;
  readonly to: string;
  readonly reason: string;
  readonly owner: string;
  readonly expires?: string;
}

export interface TaskCard {
  readonly file: string;
  readonly folder: 'active' | 'blocked' | 'done' | 'template';
  readonly id: string;
  readonly title: string;
  readonly status: 'active' | 'blocked' | 'done';
  readonly milestone: string;
  readonly modules: readonly string[];
  readonly task?: string;
  readonly issue?: number;
  readonly summary: string;
  readonly acceptance: readonly string[];
  readonly blocked_by?: string;
  readonly notes?: string;
}

export interface Milestone {
  readonly file: string;
  readonly id: string;
  readonly title: string;
  readonly status: 'planned' | 'active' | 'done';
  readonly goal: string;
  readonly issues?: readonly number[];
  readonly exit_criteria: readonly string[];
}

/** Everything the control plane knows about one repository. */
export interface ControlPlane {
  /** Absolute path of the repository root. */
  readonly root: string;
  readonly profile: Profile;
  /** What is turned on (see Feature); `check` prints it. */
  readonly features: ReadonlySet<Feature>;
  /** The generators `sync` runs: repo.yaml `generate`, or all (full) / none (minimal) when absent. */
  readonly generators: ReadonlySet<GeneratorId>;
  readonly repo: RepoSpec;
  readonly dependencyRules: DependencyRulesSpec;
  readonly taskRouting: TaskRoutingSpec;
  readonly taxonomy: TaxonomySpec;
  readonly gateProfiles: GateProfilesSpec;
  readonly checks: ChecksSpec;
  readonly errorCodes: readonly ErrorCodeEntry[];
  readonly releases: ReleasesSpec;
  /** Sorted by name. */
  readonly modules: readonly Module[];
  readonly moduleByName: ReadonlyMap<string, Module>;
  readonly cards: readonly TaskCard[];
  readonly milestones: readonly Milestone[];
  /** The parsed root package.json. */
  readonly packageJson: PackageJson;
  /** package.json of each npm workspace, by its repository-relative directory (docs-site, …). */
  readonly workspaces: ReadonlyMap<string, PackageJson>;
  /** npm packages a module may resolve: the root package.json plus its workspace's, if it is one. */
  declaredPackages(module: Module): ReadonlySet<string>;
  /** True when a repository-relative file or directory exists. */
  pathExists(rel: string): boolean;
  /** Position of a node in a loaded YAML file (`['allowed_imports', 'modules', 0]`); falls back to the file start. */
  locate(file: string, path?: readonly (string | number)[]): SourcePos;
}

export interface PackageJson {
  readonly name?: string;
  readonly exports?: Record<string, unknown>;
  readonly dependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
  readonly [key: string]: unknown;
}
