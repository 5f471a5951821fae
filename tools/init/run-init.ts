/**
 * `plumego init`: layout → today's imports → the files of a minimal profile whose first `check` is
 * clean, with what the rules forbid regardless (cycles, layer breaks, undeclared packages) frozen in
 * a baseline with an owner and an expiry. Planning writes nothing; `writeInitPlan` never overwrites
 * a file unless asked.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parse } from 'yaml';
import {
  buildBaseline,
  createRuleBook,
  evaluateGraph,
  readRepositoryGraph,
  type BoundaryPlane,
} from '../boundaries/index.ts';
import {
  listWorkspaceDirs,
  resolveManifest,
  resolveRepoSpec,
  toModule,
  type BaselineEntry,
  type DependencyRulesSpec,
  type Module,
  type ModuleManifest,
  type PackageJson,
  type RepoSpec,
  type Violation,
} from '../control-plane/index.ts';
import { detectLayout, type DetectOptions, type Layout, type ProposedModule } from './detect-layout.ts';
import { recordImports, type ModuleImports } from './record-imports.ts';
import {
  BASELINE_FILE,
  getManifestFile,
  listModules,
  renderBaseline,
  renderManifest,
  renderRepoSpec,
  renderRules,
  REPO_FILE,
  RULES_FILE,
} from './render-specs.ts';

// run-init.ts is the folder's entry (module.yaml), so the error callers catch is exported here.
export { InitError } from './init-error.ts';

export interface InitOptions extends DetectOptions {
  /** Freeze today's violations in the baseline (default true); false leaves them to fail the first check. */
  readonly baseline?: boolean;
  /** Owner of the baseline entries (default: package.json author, else "unassigned"). */
  readonly owner?: string;
  /** Expiry of the baseline entries, YYYY-MM-DD (default: today + 90 days). */
  readonly expires?: string;
  /** Today as YYYY-MM-DD (tests pin it). */
  readonly today?: string;
  /** Reuse the boundary graph cache (default true). */
  readonly cache?: boolean;
}

export type FileAction = 'create' | 'unchanged' | 'keep' | 'overwrite';

export interface PlannedFile {
  readonly file: string;
  readonly text: string;
  /** What writing does: create a new file, leave an identical one, keep a different one (no --force) or overwrite it. */
  readonly action: FileAction;
}

export interface InitPlan {
  readonly layout: Layout;
  readonly files: readonly PlannedFile[];
  /** Violations the rules report on today's code once the imports are recorded. */
  readonly violations: readonly Violation[];
  /** The baseline entries that freeze them (empty when baseline is off). */
  readonly baseline: readonly BaselineEntry[];
  readonly owner: string;
  readonly expires: string;
}

export async function planInit(root: string, options: InitOptions = {}, force = false): Promise<InitPlan> {
  const layout = detectLayout(root, options);
  const modules = listModules(layout);
  const repo = resolveRepoSpec(parse(renderRepoSpec(layout)) as RepoSpec, 'minimal');
  const rules = parse(renderRules()) as DependencyRulesSpec;
  const empty = createPlane(root, repo, rules, modules, new Map());
  const { graph } = await readRepositoryGraph(empty, { cache: options.cache ?? true });
  const imports = recordImports(empty, graph);
  const plane = createPlane(root, repo, rules, modules, imports);
  const violations = evaluateGraph(plane, createRuleBook(plane), graph);

  const today = options.today ?? new Date().toISOString().slice(0, 10);
  const expires = options.expires ?? addDays(today, 90);
  const owner = options.owner ?? getAuthor(plane.packageJson) ?? 'unassigned';
  const baseline =
    options.baseline === false
      ? []
      : buildBaseline(violations, []).map((e) => ({
          ...e,
          reason: `existed when plumego init ran on ${today}`,
          owner,
          expires,
        }));

  const texts: [string, string][] = [
    [REPO_FILE, renderRepoSpec(layout)],
    [RULES_FILE, renderRules()],
    ...(baseline.length ? [[BASELINE_FILE, renderBaseline(baseline)] as [string, string]] : []),
    ...modules.map((m): [string, string] => [getManifestFile(m), renderManifest(m, imports.get(m.name))]),
  ];
  const files = texts.map(([file, text]) => ({ file, text, action: getAction(`${root}/${file}`, text, force) }));
  return { layout, files, violations, baseline, owner, expires };
}

/** Writes the planned files (create and overwrite only); returns what was written. */
export function writeInitPlan(root: string, plan: InitPlan): string[] {
  const written: string[] = [];
  for (const f of plan.files) {
    if (f.action !== 'create' && f.action !== 'overwrite') continue;
    mkdirSync(dirname(`${root}/${f.file}`), { recursive: true });
    writeFileSync(`${root}/${f.file}`, f.text);
    written.push(f.file);
  }
  return written;
}

function getAction(path: string, text: string, force: boolean): FileAction {
  if (!existsSync(path)) return 'create';
  if (readFileSync(path, 'utf8') === text) return 'unchanged';
  return force ? 'overwrite' : 'keep';
}

/** The part of the control plane the boundary gate reads, built from the proposal without writing it. */
function createPlane(
  root: string,
  repo: RepoSpec,
  rules: DependencyRulesSpec,
  proposed: readonly ProposedModule[],
  imports: ReadonlyMap<string, ModuleImports>,
): BoundaryPlane {
  const modules: Module[] = proposed.map((p) => {
    const recorded = imports.get(p.name);
    const manifest = resolveManifest(
      {
        name: p.name,
        path: p.path,
        layer: p.layer,
        ...(p.entry ? { entry: p.entry } : {}),
        allowed_imports: {
          modules: [...(recorded?.modules ?? [])],
          packages: [...(recorded?.packages ?? [])].map((name) => ({ name, reason: 'recorded' })),
        },
      } as unknown as ModuleManifest,
      'minimal',
    );
    return toModule(root, repo, getManifestFile(p), manifest, 'minimal');
  });
  const packageJson = readJson(`${root}/package.json`);
  const workspaces = new Map(
    listWorkspaceDirs(root, packageJson).map((d) => [d, readJson(`${root}/${d}/package.json`)]),
  );
  const names = (pkg: PackageJson | undefined): string[] =>
    Object.keys({
      ...pkg?.dependencies,
      ...pkg?.devDependencies,
      ...pkg?.peerDependencies,
      ...pkg?.optionalDependencies,
    });
  return {
    root,
    repo,
    dependencyRules: rules,
    modules,
    moduleByName: new Map(modules.map((m) => [m.name, m])),
    packageJson,
    workspaces,
    declaredPackages: (m) => new Set([...names(packageJson), ...names(workspaces.get(m.path))]),
    locate: (file) => ({ file, line: 0, column: 0 }),
  };
}

function readJson(path: string): PackageJson {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as PackageJson;
  } catch {
    return {};
  }
}

function getAuthor(pkg: PackageJson): string | undefined {
  const author = pkg['author'];
  const name =
    typeof author === 'string'
      ? author
      : author && typeof author === 'object'
        ? (author as { name?: unknown }).name
        : undefined;
  return typeof name === 'string' && name.trim() ? name.trim() : undefined;
}

function addDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
