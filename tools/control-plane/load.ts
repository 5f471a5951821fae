import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { findManifests, listYamlFiles } from './discover.ts';
import type { YamlFile } from './read-yaml.ts';
import { SPEC_FILES, type SchemaKind, type SpecKey } from './spec-kinds.ts';
import { openSpecReader, type SpecReader } from './spec-reader.ts';
import { ConfigError, type Violation } from './violation.ts';
import { assertMeaning } from './assert/index.ts';
import { listWorkspaceDirs } from './workspaces.ts';
import {
  EMPTY_SPECS,
  getGenerators,
  getModuleRoots,
  getProfile,
  OPTIONAL_SPECS,
  resolveManifest,
  resolveRepoSpec,
  type OptionalSpec,
} from './profile.ts';
import type {
  ChecksSpec,
  ControlPlane,
  DependencyRulesSpec,
  ErrorCodeEntry,
  Feature,
  GateProfilesSpec,
  Layer,
  Milestone,
  Module,
  ModuleManifest,
  PackageJson,
  Profile,
  Risk,
  Tier,
  ReleasesSpec,
  RepoSpec,
  SourcePos,
  TaskCard,
  TaskRoutingSpec,
  TaxonomySpec,
} from './model.ts';

export interface LoadResult {
  /** Absent when a spec is unreadable or fails its schema: no tool can trust the rest. */
  readonly plane?: ControlPlane;
  /** Schema and meaning violations (exit code 1). */
  readonly violations: readonly Violation[];
  /** Unreadable or unparseable configuration (exit code 2). */
  readonly configErrors: readonly ConfigError[];
  /** Modules whose manifest exists but whose code does not yet ("declared, not implemented"). */
  readonly notImplemented: readonly string[];
}

type Reader = (file: string) => Promise<YamlFile | undefined>;
type Validator = (kind: SchemaKind, yaml: YamlFile, check: string) => Violation[];

export interface LoadOptions {
  /** Reuse parsed, schema-valid files from node_modules/.cache/plumego/specs.json (default true). */
  readonly cache?: boolean;
}

/**
 * Loads the whole control plane of the repository at `root`: parse (with positions) → schema →
 * meaning. Never throws for bad input; everything wrong is in `violations` or `configErrors`.
 */
export async function loadControlPlane(rootDir: string, options: LoadOptions = {}): Promise<LoadResult> {
  const root = resolve(rootDir);
  const reader = openSpecReader(root, options.cache !== false);
  try {
    return await loadPlane(root, reader);
  } finally {
    reader.save(true);
  }
}

async function loadPlane(root: string, reader: SpecReader): Promise<LoadResult> {
  const configErrors: ConfigError[] = [];
  const violations: Violation[] = [];
  const files = new Map<string, YamlFile>();

  async function read(file: string): Promise<YamlFile | undefined> {
    try {
      const yaml = await reader.read(file);
      files.set(file, yaml);
      return yaml;
    } catch (error) {
      if (error instanceof ConfigError) configErrors.push(error);
      else throw error;
      return undefined;
    }
  }
  const validateAgainstSchema = reader.validate;

  // Specs: all must be readable and valid before anything else can be trusted. repo.yaml comes
  // first: its profile decides which schema validates it and which other specs may be absent.
  const specs: Partial<Record<SpecKey, unknown>> = {};
  const features = new Set<Feature>(['boundaries']);
  let profile: Profile = 'full';
  let specsValid = true;
  for (const [key, file] of SPEC_FILES) {
    if (profile === 'minimal' && key in OPTIONAL_SPECS && !existsSync(`${root}/${file}`)) {
      specs[key] = EMPTY_SPECS[key as OptionalSpec];
      continue;
    }
    const yaml = await read(file);
    if (!yaml) {
      specsValid = false;
      continue;
    }
    if (key === 'repo') profile = getProfile(yaml.data);
    const problems = validateAgainstSchema(
      key === 'repo' && profile === 'minimal' ? 'repoMinimal' : key,
      yaml,
      'specs',
    );
    if (problems.length) {
      specsValid = false;
      violations.push(...problems);
    }
    specs[key] = yaml.data;
    if (key in OPTIONAL_SPECS) features.add(OPTIONAL_SPECS[key as OptionalSpec]);
  }

  const packageJson = readPackageJson(root, configErrors);
  const depRules = specs.dependencyRules as DependencyRulesSpec | undefined;

  // Manifests: each validated on its own; an invalid manifest is left out of the plane. They are
  // looked for under the directories repo.yaml names; one anywhere else is reported, never skipped.
  const repo = specsValid && specs.repo ? resolveRepoSpec(specs.repo as RepoSpec, profile) : undefined;
  const moduleRoots = repo ? getModuleRoots(repo) : [];
  const manifestFiles = [
    ...(existsSync(`${root}/module.yaml`) ? ['module.yaml'] : []),
    ...(await findManifests(root, moduleRoots)),
  ];
  const manifests: { file: string; manifest: ModuleManifest; invalid: boolean }[] = [];
  for (const file of manifestFiles) {
    const yaml = await read(file);
    if (!yaml) continue;
    const problems = validateAgainstSchema(profile === 'minimal' ? 'manifestMinimal' : 'manifest', yaml, 'manifests');
    violations.push(...problems);
    // An invalid manifest still joins the plane when it has a name, with its missing lists empty,
    // so one schema error is one message instead of a cascade of "unknown module" reports.
    const manifest = problems.length
      ? coerceManifest(yaml.data)
      : resolveManifest(yaml.data as ModuleManifest, profile);
    if (manifest) manifests.push({ file, manifest, invalid: problems.length > 0 });
  }

  const { cards, milestones } = await readTasks(root, read, validateAgainstSchema, violations);

  if (!specsValid || !repo || configErrors.length) {
    return { violations, configErrors, notImplemented: [] };
  }

  if (profile === 'full') for (const f of Object.values(OPTIONAL_SPECS)) features.add(f);
  if (profile === 'full' || (specs.repo as RepoSpec).top_level) features.add('top-level');
  if (profile === 'full' || (specs.repo as RepoSpec).tiers) features.add('tiers');
  if (cards.length || milestones.length) features.add('tasks');
  const generators = getGenerators(repo, profile);
  if (generators.size) features.add('generate');

  const workspaces = readWorkspaces(root, packageJson, configErrors);
  const modules = manifests
    .map(({ file, manifest, invalid }) => ({
      ...toModule(root, repo, file, manifest, profile),
      ...(invalid ? { invalid: true as const } : {}),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const moduleByName = new Map<string, Module>();
  for (const m of modules) if (!moduleByName.has(m.name)) moduleByName.set(m.name, m);

  const declaredByWorkspace = new Map<string, ReadonlySet<string>>();
  const plane: ControlPlane = {
    root,
    profile,
    features,
    generators,
    repo,
    dependencyRules: depRules!,
    taskRouting: specs.taskRouting as TaskRoutingSpec,
    taxonomy: specs.taxonomy as TaxonomySpec,
    gateProfiles: specs.gateProfiles as GateProfilesSpec,
    checks: specs.checks as ChecksSpec,
    errorCodes: (specs.errorCodes as { codes: ErrorCodeEntry[] }).codes,
    releases: specs.releases as ReleasesSpec,
    modules,
    moduleByName,
    cards,
    milestones,
    packageJson,
    workspaces,
    declaredPackages(module: Module): ReadonlySet<string> {
      // Asked once per import edge by the gate: one set per workspace, not one per call.
      const key = workspaces.has(module.path) ? module.path : '';
      let names = declaredByWorkspace.get(key);
      if (!names) {
        names = new Set([...dependencyNames(packageJson), ...dependencyNames(workspaces.get(key))]);
        declaredByWorkspace.set(key, names);
      }
      return names;
    },
    pathExists(rel: string): boolean {
      return existsSync(`${root}/${rel}`);
    },
    locate(file: string, path: readonly (string | number)[] = []): SourcePos {
      return files.get(file)?.locate(path) ?? { file, line: 0, column: 0 };
    },
  };
  violations.push(
    ...(await assertMeaning(
      plane,
      manifests.map((m) => m.file),
      moduleRoots,
    )),
  );
  const notImplemented = modules.filter((m) => !m.implemented).map((m) => m.name);
  return { plane, violations, configErrors, notImplemented };
}

/** A module as the tools see it: its manifest plus the facts the repository adds (entry, implemented, specifier). */
export function toModule(
  root: string,
  repo: RepoSpec,
  manifestFile: string,
  manifest: ModuleManifest,
  profile: Profile,
): Module {
  const dir = manifestFile === 'module.yaml' ? '' : manifestFile.slice(0, -'/module.yaml'.length);
  const isLibrary = manifest.layer === 'stable' || manifest.layer === 'extension' || manifest.layer === 'facade';
  const path = manifest.layer === 'facade' ? manifest.path : dir;
  const entry = `${path}/${manifest.entry ?? 'index.ts'}`;
  // In the minimal profile a module with code is implemented whatever its entry is called; the
  // full profile keeps "a library module is implemented when its index.ts exists".
  const implemented =
    existsSync(`${root}/${entry}`) || ((profile === 'minimal' || !isLibrary) && hasSourceFiles(`${root}/${path}`));
  const family = manifest.layer === 'extension' ? manifest.name.split('/').slice(0, 2).join('/') : undefined;
  // A module has a package subpath only where sync generates the exports (always in the full profile).
  const hasSubpath = isLibrary && (profile === 'full' || (repo.generate ?? []).includes('package-exports'));
  const importSpecifier =
    manifest.layer === 'facade'
      ? repo.identity.package
      : hasSubpath
        ? `${repo.identity.package}/${manifest.name}`
        : undefined;
  return {
    name: manifest.name,
    path,
    layer: manifest.layer,
    tier: manifest.status,
    manifest,
    manifestFile,
    entry,
    implemented,
    ...(family ? { family } : {}),
    ...(importSpecifier ? { importSpecifier } : {}),
  };
}

const LAYERS: readonly Layer[] = ['stable', 'extension', 'facade', 'tooling', 'reference'];
const TIERS: readonly Tier[] = ['ga', 'beta', 'experimental'];
const RISKS: readonly Risk[] = ['low', 'medium', 'high', 'critical'];

/**
 * A manifest that failed its schema, reduced to values of the right types (anything else dropped or
 * replaced by a neutral default) and marked invalid: it keeps its name in the plane, so one schema
 * error is one message instead of a cascade of "unknown module" reports, but no later stage reads a
 * value the schema refused — meaning checks skip it and the gate judges none of its edges.
 */
function coerceManifest(data: unknown): ModuleManifest | undefined {
  if (!data || typeof data !== 'object' || Array.isArray(data) || typeof (data as { name?: unknown }).name !== 'string')
    return undefined;
  const raw = data as Record<string, unknown>;
  const text = (key: string): string | undefined => (typeof raw[key] === 'string' ? raw[key] : undefined);
  const strings = (value: unknown): string[] =>
    Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  const oneOf = <T extends string>(key: string, allowed: readonly T[], fallback: T): T =>
    allowed.includes(raw[key] as T) ? (raw[key] as T) : fallback;
  const optionalList = (key: string): Record<string, string[]> =>
    Array.isArray(raw[key]) ? { [key]: strings(raw[key]) } : {};
  const optionalText = (key: string): Record<string, string> => (text(key) !== undefined ? { [key]: text(key)! } : {});
  const imports = (
    raw['allowed_imports'] && typeof raw['allowed_imports'] === 'object' ? raw['allowed_imports'] : {}
  ) as Record<string, unknown>;
  const packages = Array.isArray(imports['packages']) ? imports['packages'] : [];
  return {
    name: raw['name'] as string,
    path: text('path') ?? '',
    layer: oneOf('layer', LAYERS, 'tooling'),
    status: oneOf('status', TIERS, 'experimental'),
    owner: text('owner') ?? '',
    risk: oneOf('risk', RISKS, 'low'),
    summary: text('summary') ?? '',
    responsibilities: strings(raw['responsibilities']),
    non_goals: strings(raw['non_goals']),
    public_entrypoints: strings(raw['public_entrypoints']),
    test_commands: strings(raw['test_commands']),
    review_checklist: strings(raw['review_checklist']),
    agent_hints: strings(raw['agent_hints']),
    allowed_imports: {
      modules: strings(imports['modules']),
      packages: packages
        .filter(
          (p): p is { name: string; reason: string } =>
            !!p &&
            typeof p === 'object' &&
            typeof (p as { name?: unknown }).name === 'string' &&
            typeof (p as { reason?: unknown }).reason === 'string',
        )
        .map((p) => ({ name: p.name, reason: p.reason })),
      ...(Array.isArray(imports['lower_tier']) ? { lower_tier: strings(imports['lower_tier']) } : {}),
    },
    ...optionalText('promoted_in'),
    ...optionalText('parent'),
    ...optionalText('primer_question'),
    ...optionalText('entry'),
    ...optionalList('forbidden_imports'),
    ...optionalList('stop_conditions'),
    ...optionalList('landing_zones'),
    ...optionalList('doc_paths'),
    ...optionalList('task_affinity'),
  };
}

function dependencyNames(pkg: PackageJson | undefined): string[] {
  if (!pkg) return [];
  return Object.keys({
    ...pkg.dependencies,
    ...pkg.devDependencies,
    ...pkg.peerDependencies,
    ...pkg.optionalDependencies,
  });
}

/** package.json of each workspace package (see workspaces.ts for the patterns understood). */
function readWorkspaces(root: string, pkg: PackageJson, configErrors: ConfigError[]): Map<string, PackageJson> {
  const out = new Map<string, PackageJson>();
  for (const dir of listWorkspaceDirs(root, pkg)) {
    const file = `${dir}/package.json`;
    try {
      out.set(dir, JSON.parse(readFileSync(`${root}/${file}`, 'utf8')) as PackageJson);
    } catch (error) {
      configErrors.push(
        new ConfigError(
          'PLUMEGO_ERR_PACKAGE_JSON',
          `${file}: cannot read workspace package.json: ${(error as Error).message}`,
          { file },
          'Restore the workspace package.json or remove the workspace from the root package.json.',
        ),
      );
    }
  }
  return out;
}

function hasSourceFiles(dir: string): boolean {
  // Depth-first with early exit; dependency and build folders are never entered.
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return false;
  }
  for (const e of entries) {
    if (e.isFile() && /\.(ts|tsx|mts|mjs|astro)$/.test(e.name)) return true;
  }
  return entries.some(
    (e) =>
      e.isDirectory() &&
      !e.name.startsWith('.') &&
      e.name !== 'node_modules' &&
      e.name !== 'dist' &&
      hasSourceFiles(`${dir}/${e.name}`),
  );
}

function readPackageJson(root: string, configErrors: ConfigError[]): PackageJson {
  try {
    return JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as PackageJson;
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    configErrors.push(
      new ConfigError(
        'PLUMEGO_ERR_PACKAGE_JSON',
        `package.json: ${missing ? 'file not found' : `invalid JSON: ${(error as Error).message}`}`,
        { file: 'package.json' },
        missing
          ? 'Run plumego from the repository root, where package.json lives.'
          : 'Fix the JSON syntax of package.json.',
      ),
    );
    return {};
  }
}

async function readTasks(
  root: string,
  read: Reader,
  validateAgainstSchema: Validator,
  violations: Violation[],
): Promise<{ cards: TaskCard[]; milestones: Milestone[] }> {
  const cards: TaskCard[] = [];
  const milestones: Milestone[] = [];
  const cardFiles: { file: string; folder: TaskCard['folder'] }[] = [];
  for (const folder of ['active', 'blocked', 'done'] as const) {
    for (const name of await listYamlFiles(root, `tasks/cards/${folder}`))
      cardFiles.push({ file: `tasks/cards/${folder}/${name}`, folder });
  }
  if (existsSync(`${root}/tasks/templates/card.yaml`))
    cardFiles.push({ file: 'tasks/templates/card.yaml', folder: 'template' });
  for (const { file, folder } of cardFiles) {
    const yaml = await read(file);
    if (!yaml) continue;
    const problems = validateAgainstSchema('card', yaml, 'tasks');
    if (problems.length) {
      violations.push(...problems);
      continue;
    }
    cards.push({ ...(yaml.data as Omit<TaskCard, 'file' | 'folder'>), file, folder });
  }
  const milestoneFiles = (await listYamlFiles(root, 'tasks/milestones')).map((n) => `tasks/milestones/${n}`);
  if (existsSync(`${root}/tasks/templates/milestone.yaml`)) milestoneFiles.push('tasks/templates/milestone.yaml');
  for (const file of milestoneFiles) {
    const yaml = await read(file);
    if (!yaml) continue;
    const problems = validateAgainstSchema('milestone', yaml, 'tasks');
    if (problems.length) {
      violations.push(...problems);
      continue;
    }
    milestones.push({ ...(yaml.data as Omit<Milestone, 'file'>), file });
  }
  return { cards, milestones };
}
