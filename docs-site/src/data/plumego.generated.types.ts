// generated from specs/*.yaml and every module.yaml by `plumego sync` — do not edit
// Source: tools/site-data/site-data-model.ts
/**
 * The docs site's data model: the shape of docs-site/src/data/plumego.generated.json.
 *
 * This file is self-contained on purpose (no imports): `plumego sync` copies it verbatim into
 * docs-site/src/data/plumego.generated.types.ts, so the site gets exact types without importing
 * tools/ across a module boundary. Tier and layer ids are plain strings here because the site must
 * treat them as data — a page that compares against a literal tier id is a page that can drift.
 * Absent facts are `null`, never missing keys, so the JSON has one stable shape.
 */

export interface SiteData {
  /** "generated from … — do not edit": the first key of the JSON file. */
  readonly $comment: string;
  readonly identity: { readonly name: string; readonly package: string; readonly description: string };
  /** The spec file each part of the site is synced from, named on the page next to what it feeds. */
  readonly sources: SiteSources;
  /** Tiers in rank order, highest first. */
  readonly tiers: readonly SiteTier[];
  readonly layers: readonly SiteLayer[];
  /** Every module with a manifest, sorted by name. */
  readonly modules: readonly SiteModule[];
  /** Stable roots in the order specs/repo.yaml lists them. */
  readonly stableRoots: readonly string[];
  /** Extension families in taxonomy order. */
  readonly families: readonly SiteFamily[];
  readonly overview: SiteOverview;
  readonly routing: SiteRouting;
  readonly releases: readonly SiteRelease[];
  readonly releaseMatrix: SiteReleaseMatrix;
  readonly graph: SiteGraph;
  readonly check: SiteCheck;
  readonly totals: SiteTotals;
  /** specs/error-codes.yaml in file order (empty when the repository keeps no registry). */
  readonly errorCodes: readonly SiteErrorCode[];
}

export interface SiteErrorCode {
  readonly code: string;
  readonly status: number;
  readonly category: string;
  /** The error type when it is the status's canonical one; null otherwise. */
  readonly type: string | null;
  readonly module: string;
  readonly description: string;
}

export interface SiteSources {
  readonly repo: string;
  readonly taxonomy: string;
  readonly routing: string;
  readonly releases: string;
  readonly manifests: string;
}

export interface SiteTier {
  readonly id: string;
  readonly label: string;
  readonly rank: number;
  /** What the count counts ("packages", "families", "primary families"). */
  readonly unit: string;
  readonly guidance: string;
  /** Primary units (stable roots and family roots) in this tier — the overview's tier count. */
  readonly count: number;
  readonly units: readonly string[];
  /** Every module in this tier, subpackages and tooling included. */
  readonly moduleCount: number;
  /** Starlight badge variant, chosen by rank so no page or config maps tier ids by hand. */
  readonly badge: 'success' | 'note' | 'caution' | 'danger' | 'default';
  /** 0 for the highest tier, counting down the ranks: the CSS colour slot. */
  readonly slot: number;
}

export interface SiteLayer {
  readonly id: string;
  readonly description: string;
  /** Roots (stable) or paths (facade, tooling) the layer declares; empty when it has only a base. */
  readonly members: readonly string[];
  readonly moduleCount: number;
}

export interface SiteModule {
  readonly name: string;
  readonly path: string;
  readonly layer: string;
  readonly tier: string;
  readonly tierLabel: string;
  readonly promotedIn: string | null;
  /** For extension modules: the family root; null elsewhere. */
  readonly family: string | null;
  readonly parent: string | null;
  readonly isStableRoot: boolean;
  readonly isFamilyRoot: boolean;
  readonly owner: string;
  readonly risk: string;
  readonly summary: string;
  readonly primerQuestion: string | null;
  readonly responsibilities: readonly string[];
  readonly nonGoals: readonly string[];
  readonly allowedModules: readonly string[];
  readonly allowedPackages: readonly { readonly name: string; readonly reason: string }[];
  readonly lowerTier: readonly string[];
  readonly forbiddenImports: readonly string[];
  readonly publicEntrypoints: readonly string[];
  readonly testCommands: readonly string[];
  readonly reviewChecklist: readonly string[];
  readonly agentHints: readonly string[];
  readonly stopConditions: readonly string[];
  readonly landingZones: readonly string[];
  readonly docPaths: readonly string[];
  readonly taskAffinity: readonly string[];
  readonly apiChangeCount: number;
  readonly manifestFile: string;
  readonly entry: string;
  readonly implemented: boolean;
  /** The import specifier that reaches the module (`plumego/x/tenant`); null for tooling and reference. */
  readonly importSpecifier: string | null;
  /** Modules whose manifest allows importing this one. */
  readonly allowedBy: readonly string[];
  /** Real imports from the module graph; null until the graph is computed. */
  readonly imports: readonly string[] | null;
  readonly importedBy: readonly string[] | null;
  /** Boundary-check result for this module; null until a check result is available. */
  readonly check: { readonly errors: number; readonly warnings: number } | null;
  /** API evidence (snapshot state, tests, …) when the evidence tool provides it. */
  readonly evidence: Readonly<Record<string, unknown>> | null;
  /** Required facts that are empty (shown as red cells, never a crash). */
  readonly missing: readonly string[];
}

export interface SiteSubordinate {
  readonly name: string;
  /** True when the subordinate has its own manifest and tier. */
  readonly module: boolean;
  readonly when: string;
  readonly tier: string | null;
  readonly tierLabel: string | null;
  readonly promotedIn: string | null;
  /** True when its tier differs from the family root's. */
  readonly differs: boolean;
}

export interface SiteFamily {
  readonly root: string;
  readonly workAbout: string;
  readonly narrowerWhen: string | null;
  /** The root module's tier; null when the family root has no manifest. */
  readonly tier: string | null;
  readonly tierLabel: string | null;
  readonly promotedIn: string | null;
  readonly primerQuestion: string | null;
  readonly hasModule: boolean;
  readonly subordinates: readonly SiteSubordinate[];
}

/** A subpackage whose tier is above its family root's (the mission's "beta surfaces"). */
export interface SiteSurfaceGroup {
  readonly family: string;
  readonly familyTierLabel: string | null;
  readonly modules: readonly string[];
  readonly promotedIn: readonly string[];
  /** The family's other subordinates that stay at the family's tier. */
  readonly remaining: readonly string[];
}

export interface SiteOverview {
  readonly primaryFamilies: readonly string[];
  readonly stablePrimers: readonly { readonly module: string; readonly question: string; readonly why: string }[];
  /** One section per tier below the top, in rank order: its families and surfaces. */
  readonly tierSections: readonly {
    readonly tier: string;
    readonly label: string;
    readonly guidance: string;
    readonly families: readonly string[];
    /** Subpackages promoted to this tier inside families of a lower tier. */
    readonly surfaces: readonly SiteSurfaceGroup[];
  }[];
  readonly discouragedRoots: readonly string[];
  readonly topLevelRules: readonly { readonly id: string; readonly rule: string; readonly rationale: string }[];
}

export interface SiteTarget {
  readonly layer: string | null;
  readonly modules: readonly string[];
  readonly paths: readonly string[];
  /** Modules the target resolves to (a layer's modules, or the listed ones). */
  readonly resolved: readonly string[];
}

/**
 * `plumego route`'s inputs as JSON (tools/route/browser-index.ts): the router page bundles the CLI's own
 * scoring code and runs it on this, so both answer alike. Typed loosely here: only that code reads it.
 */
export interface SiteRouterIndex {
  readonly version: number;
  readonly plane: unknown;
  readonly lexicon: unknown;
}

export interface SiteRouting {
  /** Null when the sync ran without the router (fixtures); the router page then says so. */
  readonly router: SiteRouterIndex | null;
  readonly readFirst: readonly string[];
  readonly maxStartFiles: number | null;
  readonly policyRules: readonly string[];
  readonly rules: readonly {
    readonly id: string;
    readonly workType: string;
    readonly startHere: string;
    readonly why: string;
    readonly target: SiteTarget;
  }[];
  readonly learningPath: readonly {
    readonly step: number;
    readonly title: string;
    readonly summary: string;
    readonly target: SiteTarget;
  }[];
  readonly tasks: readonly {
    readonly key: string;
    readonly intent: string;
    readonly modules: readonly string[];
    readonly keywords: readonly string[];
    readonly startWith: readonly string[];
    readonly avoid: readonly string[];
    readonly gateProfile: string | null;
  }[];
  /** Gate profiles and how a change selects one; null until the routing export supplies them. */
  readonly gates: SiteGates | null;
  /** `plumego route` answers for sample work descriptions, next to the module expected to own them. */
  readonly examples: readonly SiteRouteExample[];
}

export interface SiteGates {
  readonly rule: string;
  readonly profiles: readonly {
    readonly id: string;
    readonly strength: number;
    readonly summary: string;
    readonly commands: readonly string[];
  }[];
  readonly selection: readonly { readonly id: string; readonly profile: string; readonly when: string }[];
}

export interface SiteRouteExample {
  readonly ask: string;
  readonly expected: string;
  /** The module the router picked; null when it refused. */
  readonly answer: string | null;
  readonly task: string | null;
  readonly reason: string;
  readonly correct: boolean;
}

export interface SiteRelease {
  readonly version: string;
  readonly date: string;
  readonly summary: string;
  readonly promoted: readonly { readonly module: string; readonly tier: string; readonly tierLabel: string }[];
}

export type SiteReleaseCell = 'before' | 'promoted' | 'held';

export interface SiteReleaseMatrix {
  readonly versions: readonly string[];
  /** Modules that name a promoted_in release, sorted by name. */
  readonly rows: readonly {
    readonly module: string;
    readonly tier: string;
    readonly tierLabel: string;
    readonly promotedIn: string;
    readonly cells: readonly SiteReleaseCell[];
  }[];
  /** Modules without promoted_in (not in the matrix). */
  readonly unreleased: readonly string[];
}

export interface SiteGraph {
  /** False until the real import graph is supplied by the boundary tools. */
  readonly computed: boolean;
  readonly source: string;
  readonly nodes: readonly { readonly name: string; readonly tier: string; readonly layer: string }[];
  readonly edges: readonly { readonly from: string; readonly to: string; readonly kinds: readonly string[] }[];
  /** Edges every manifest allows (allowed_imports.modules): always available. */
  readonly declaredEdges: readonly { readonly from: string; readonly to: string }[];
}

export interface SiteViolation {
  readonly check: string;
  readonly rule: string;
  readonly severity: string;
  readonly file: string;
  readonly line: number;
  readonly message: string;
  readonly module: string | null;
}

export interface SiteCheck {
  /** False until a check result is supplied. */
  readonly computed: boolean;
  readonly source: string;
  readonly errors: number;
  readonly warnings: number;
  readonly violations: readonly SiteViolation[];
}

export interface SiteTotals {
  readonly modules: number;
  readonly implemented: number;
  readonly publicEntrypoints: number;
  readonly families: number;
  readonly tasks: number;
}

/**
 * The repository's history (a file of its own beside the site data: src/data/history.generated.json,
 * written by `plumego site --write-history`). Points are sampled commits of the first-parent line, oldest first.
 */
export interface SiteHistory {
  readonly $comment: string;
  /** False when there was no history to read (not a git repository, a shallow clone); `reason` says which. */
  readonly available: boolean;
  readonly reason: string | null;
  readonly points: readonly SiteHistoryPoint[];
}

export interface SiteHistoryPoint {
  readonly sha: string;
  /** Committer date, ISO 8601. */
  readonly date: string;
  readonly modules: number;
  /** Modules per tier id (the manifests' status). */
  readonly tiers: Readonly<Record<string, number>>;
  /** Entries of specs/boundary-baseline.yaml; null when the file did not exist. */
  readonly baseline: number | null;
  /** Declared public entrypoints per module name. */
  readonly api: Readonly<Record<string, number>>;
}
