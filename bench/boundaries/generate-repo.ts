/**
 * Generates a synthetic repository shaped like this one: the same specs and manifests, and N
 * TypeScript files spread over the modules with realistic imports (relative within a module,
 * package subpaths across allowed modules, type-only, re-exports, dynamic imports, builtins, npm
 * packages, tests importing vitest) plus a few planted violations. Deterministic for a seed.
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, posix } from 'node:path';
import { parse } from 'yaml';
import { renderDepcruiseConfig } from './depcruise-config.ts';
import { pickSourceModules, readSynthModules, type SynthModule } from './synth-modules.ts';

export interface GenerateOptions {
  readonly sourceRoot: string;
  readonly outDir: string;
  readonly files: number;
  readonly modules: number;
  readonly seed: number;
}

/** A violation the generator plants, and the rule plumego must report for it. */
export interface Planted {
  readonly rule: string;
  readonly file: string;
}

/** mulberry32: a tiny deterministic PRNG, so every run generates the same repository. */
function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BUILTINS = ['node:path', 'node:crypto', 'node:util', 'node:events', 'node:buffer'];

interface FileSpec {
  readonly module: SynthModule;
  readonly file: string;
  readonly index: number;
  readonly test: boolean;
}

function relativeImport(from: string, to: string): string {
  const rel = posix.relative(posix.dirname(from), to);
  return rel.startsWith('.') ? rel : `./${rel}`;
}

/** A file body of realistic size: a few functions with branches and loops, an interface, constants. */
function renderBody(i: number, random: () => number): string {
  const lines = [
    `export interface Shape${i} {`,
    '  readonly id: string;',
    '  readonly weight: number;',
    '  readonly tags: readonly string[];',
    '}',
    '',
  ];
  const fns = 2 + Math.floor(random() * 3);
  for (let f = 0; f < fns; f += 1) {
    lines.push(
      `/** Scores a batch of shapes (${f}). */`,
      `export function score${i}_${f}(items: readonly Shape${i}[], limit = ${10 + f}): number {`,
      '  let total = 0;',
      '  for (const item of items) {',
      `    if (item.tags.includes('skip-${f}')) continue;`,
      '    total += item.weight > limit ? limit : item.weight;',
      '  }',
      `  return Math.round(total * ${(1 + random()).toFixed(3)});`,
      '}',
      '',
    );
  }
  lines.push(`export const value${i} = ${Math.floor(random() * 1000)};`);
  return lines.join('\n');
}

function plan(modules: readonly SynthModule[], total: number, random: () => number): FileSpec[] {
  const weights = modules.map((m) => (m.layer === 'facade' ? 0.05 : 0.5 + random()));
  const sum = weights.reduce((a, b) => a + b, 0);
  const specs: FileSpec[] = [];
  modules.forEach((module, mi) => {
    const count =
      mi === modules.length - 1 ? total - specs.length : Math.max(2, Math.round((weights[mi]! / sum) * total));
    for (let i = 0; i < count; i += 1) {
      const test = i > 0 && random() < 0.15;
      // The facade owns only framework/index.ts and a few root files; other modules nest in part folders.
      const dir = module.layer === 'facade' ? module.path : `${module.path}/part${Math.floor(i / 12)}`;
      const file = i === 0 ? module.entry : `${dir}/unit-${i}${test ? '.test' : ''}.ts`;
      specs.push({ module, file, index: i, test });
    }
  });
  return specs;
}

const TIER_RANK: Readonly<Record<string, number>> = { ga: 3, beta: 2, experimental: 1 };

/**
 * The module edges generated code may use: allowed by the importer's manifest, between generated
 * modules, not to a lower tier unless the manifest opts in (allowed_imports.lower_tier), and never
 * closing a module cycle. Manifests may allow both directions (tools/control-plane and tools/checks
 * each list the other; the real code uses one); the synthetic repository keeps the first edge in name
 * order and drops the one that would close the cycle, so the only findings are the planted ones.
 */
export function getModuleEdges(modules: readonly SynthModule[]): Map<string, SynthModule[]> {
  const byName = new Map(modules.map((m) => [m.name, m]));
  const edges = new Map<string, SynthModule[]>(modules.map((m) => [m.name, []]));
  for (const m of modules) {
    for (const name of m.allowed) {
      const target = byName.get(name);
      if (!target || target === m) continue;
      if ((TIER_RANK[target.tier] ?? 0) < (TIER_RANK[m.tier] ?? 0) && !m.lowerTier.includes(name)) continue;
      if (reaches(edges, target.name, m.name)) continue;
      edges.get(m.name)!.push(target);
    }
  }
  return edges;
}

function renderFile(
  spec: FileSpec,
  byModule: ReadonlyMap<string, FileSpec[]>,
  edges: ReadonlyMap<string, readonly SynthModule[]>,
  random: () => number,
  packageName: string,
  installed: ReadonlySet<string>,
): string {
  const own = byModule.get(spec.module.name)!;
  const lines: string[] = [];
  if (spec.index === 0) {
    // index.ts: the public surface, named re-exports of a few units.
    for (const target of own.filter((s) => !s.test && s.index > 0).slice(0, 4))
      lines.push(`export { value${target.index} } from '${relativeImport(spec.file, target.file)}';`);
    lines.push(`export const entry = ${own.length};`);
    return `${lines.join('\n')}\n`;
  }
  if (spec.test) lines.push("import { describe, expect, it } from 'vitest';");
  const earlier = own.filter((s) => s.index > 0 && s.index < spec.index && !s.test);
  for (let k = 0; k < Math.min(earlier.length, 1 + Math.floor(random() * 3)); k += 1) {
    const target = earlier[Math.floor(random() * earlier.length)]!;
    const form = random();
    const spec2 = relativeImport(spec.file, target.file);
    if (form < 0.2) lines.push(`import type { Shape${target.index} as S${target.index}_${k} } from '${spec2}';`);
    else if (form < 0.3) lines.push(`export { value${target.index} as re${target.index}_${k} } from '${spec2}';`);
    else lines.push(`import { value${target.index} as v${target.index}_${k} } from '${spec2}';`);
  }
  const allowed = edges.get(spec.module.name) ?? [];
  if (allowed.length > 0 && random() < 0.45) {
    const target = allowed[Math.floor(random() * allowed.length)]!;
    // Library modules are reached through their package subpath, tools folders through their entry file.
    const sub = !target.library
      ? relativeImport(spec.file, target.entry)
      : target.layer === 'facade'
        ? packageName
        : `${packageName}/${target.name}`;
    const form = random();
    if (form < 0.2) lines.push(`import type * as mod${spec.index} from '${sub}';`);
    else if (form < 0.3) lines.push(`export const lazy${spec.index} = () => import('${sub}');`);
    else lines.push(`import { entry as entry${spec.index} } from '${sub}';`);
  }
  if (random() < 0.15 && spec.module.layer !== 'facade')
    lines.push(`import * as builtin${spec.index} from '${BUILTINS[Math.floor(random() * BUILTINS.length)]}';`);
  // A manifest may allow a package before package.json declares it (work in progress): only declared, installed ones are imported.
  const packages = spec.module.packages.filter((p) => installed.has(p));
  if (packages.length > 0 && random() < 0.1)
    lines.push(`import * as pkg${spec.index} from '${packages[Math.floor(random() * packages.length)]}';`);
  lines.push('', renderBody(spec.index, random));
  if (spec.test)
    lines.push(
      '',
      `describe('unit ${spec.index}', () => {`,
      `  it('scores', () => expect(value${spec.index}).toBeGreaterThanOrEqual(0));`,
      '});',
    );
  return `${lines.join('\n')}\n`;
}

/** True when module `from` reaches module `to` over the generated edges. */
function reaches(edges: ReadonlyMap<string, readonly SynthModule[]>, from: string, to: string): boolean {
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length > 0) {
    const at = stack.pop()!;
    if (at === to) return true;
    if (seen.has(at)) continue;
    seen.add(at);
    for (const next of edges.get(at) ?? []) stack.push(next.name);
  }
  return false;
}

/**
 * The target of a planted cross-module import: the preferred module unless importing it would close a
 * module cycle with the generated edges (core imports contract, so contract → core would be reported
 * twice, as the planted rule and as no-module-cycles on every file of the cycle); then the first
 * candidate in name order that keeps the graph acyclic.
 */
export function pickPlantTarget(
  from: string,
  preferred: string,
  candidates: readonly SynthModule[],
  edges: ReadonlyMap<string, readonly SynthModule[]>,
): SynthModule | undefined {
  // Leaves before family roots: a root carries its family's manifest churn (a root whose manifest fails
  // its schema is judged by no rule, so a plant aimed at it would go unreported).
  const isRoot = (m: SynthModule): boolean => candidates.some((c) => c.path.startsWith(`${m.path}/`));
  const rest = candidates.filter((m) => m.name !== preferred);
  const ordered = [
    ...candidates.filter((m) => m.name === preferred),
    ...rest.filter((m) => !isRoot(m)),
    ...rest.filter(isRoot),
  ];
  return ordered.find((m) => m.name !== from && !reaches(edges, m.name, from));
}

/** Planted violations: one line appended to a chosen file per rule. */
function plant(
  specs: readonly FileSpec[],
  packageName: string,
  modules: readonly SynthModule[],
  edges: ReadonlyMap<string, readonly SynthModule[]>,
): { planted: Planted[]; extra: Map<string, string> } {
  const pick = (module: string, test = false): FileSpec | undefined =>
    specs.find((s) => s.module.name === module && s.index > 2 && s.test === test);
  const byName = new Map(modules.map((m) => [m.name, m]));
  const router = byName.get('router');
  const contract = byName.get('contract');
  // An extension module for the stable-no-extension plant, and a stable module contract does not allow (same tier or higher) for default-deny.
  const extension =
    router &&
    pickPlantTarget(
      'router',
      'x/tenant',
      modules.filter((m) => m.layer === 'extension'),
      edges,
    );
  const undeclared =
    contract &&
    pickPlantTarget(
      'contract',
      'core',
      modules.filter(
        (m) =>
          m.layer === 'stable' &&
          !contract.allowed.includes(m.name) &&
          (TIER_RANK[m.tier] ?? 0) >= (TIER_RANK[contract.tier] ?? 0),
      ),
      edges,
    );
  const extra = new Map<string, string>();
  const planted: Planted[] = [];
  const add = (module: string, rule: string, line: (s: FileSpec) => string): void => {
    const s = pick(module);
    if (!s) return;
    extra.set(s.file, `${extra.get(s.file) ?? ''}${line(s)}\n`);
    planted.push({ rule, file: s.file });
  };
  if (extension)
    add('router', 'stable-no-extension', () => `import { entry as planted1 } from '${packageName}/${extension.name}';`);
  if (undeclared)
    add('contract', 'default-deny', () => `import { entry as planted2 } from '${packageName}/${undeclared.name}';`);
  add(
    'x/openapi',
    'public-entry-only',
    (s) =>
      `import { value1 as planted3 } from '${relativeImport(s.file, specs.find((t) => t.module.name === 'core' && t.index > 0 && !t.test)!.file)}';`,
  );
  add('x/websocket', 'npm-undeclared', () => "import planted4 from 'left-pad';");
  add('tools', 'builtin-policy', () => "import { readFileSync as planted5 } from 'fs';");
  add('log', 'unresolved-import', () => "import { gone as planted6 } from './gone.ts';");
  add('middleware', 'builtin-policy', () => "import { spawn as planted7 } from 'node:child_process';");
  return { planted, extra };
}

export function generateRepo(options: GenerateOptions): { files: number; modules: number; planted: Planted[] } {
  const random = createRandom(options.seed);
  const all = readSynthModules(options.sourceRoot);
  const sourceModules = pickSourceModules(all, options.modules);
  const packageName = (JSON.parse(readFileSync(`${options.sourceRoot}/package.json`, 'utf8')) as { name: string }).name;
  rmSync(options.outDir, { recursive: true, force: true });
  mkdirSync(options.outDir, { recursive: true });
  const write = (rel: string, text: string): void => {
    mkdirSync(dirname(`${options.outDir}/${rel}`), { recursive: true });
    writeFileSync(`${options.outDir}/${rel}`, text);
  };
  // The root package.json names workspaces (docs-site) whose package.json the loader reads too.
  for (const file of ['tsconfig.json', 'tsconfig.base.json', 'docs-site/package.json']) {
    if (existsSync(`${options.sourceRoot}/${file}`))
      cpSync(`${options.sourceRoot}/${file}`, `${options.outDir}/${file}`);
  }
  // The source exports only its implemented modules; here every generated library module has code.
  const sourcePackage = JSON.parse(readFileSync(`${options.sourceRoot}/package.json`, 'utf8')) as {
    exports?: Record<string, unknown>;
  };
  const exports = { ...sourcePackage.exports };
  for (const m of sourceModules) {
    if (m.layer !== 'stable' && m.layer !== 'extension') continue;
    exports[`./${m.name}`] ??= {
      source: `./${m.path}/index.ts`,
      types: `./dist/${m.path}/index.d.ts`,
      default: `./dist/${m.path}/index.js`,
    };
  }
  write('package.json', `${JSON.stringify({ ...sourcePackage, exports }, null, 2)}\n`);
  cpSync(`${options.sourceRoot}/specs`, `${options.outDir}/specs`, { recursive: true });
  write(
    'specs/checks.yaml',
    'checks:\n  - id: boundaries\n    summary: The boundary gate over the synthetic repository.\n',
  );
  for (const m of all) cpSync(`${options.sourceRoot}/${m.manifestFile}`, `${options.outDir}/${m.manifestFile}`);
  // The paths the specs and manifests point at (task cards, module docs), so the synthetic plane is
  // as clean as the real one and the only findings are the planted import violations.
  cpSync(`${options.sourceRoot}/tasks`, `${options.outDir}/tasks`, { recursive: true });
  for (const m of all) {
    const dir = dirname(m.manifestFile);
    for (const name of readdirSync(`${options.sourceRoot}/${dir}`)) {
      if (name.endsWith('.md')) cpSync(`${options.sourceRoot}/${dir}/${name}`, `${options.outDir}/${dir}/${name}`);
    }
  }
  // Installed packages resolve through symlinks, like a hoisted install; the cache folders stay inside the synthetic repo.
  const pkg = JSON.parse(readFileSync(`${options.sourceRoot}/package.json`, 'utf8')) as {
    dependencies?: object;
    devDependencies?: object;
  };
  const installed = new Set<string>();
  for (const name of Object.keys({ ...pkg.dependencies, ...pkg.devDependencies })) {
    const target = `${options.sourceRoot}/node_modules/${name}`;
    if (!existsSync(target)) continue;
    if (hasBareEntry(target)) installed.add(name);
    mkdirSync(dirname(`${options.outDir}/node_modules/${name}`), { recursive: true });
    symlinkSync(target, `${options.outDir}/node_modules/${name}`);
  }
  const specs = plan(sourceModules, options.files, random);
  const byModule = new Map<string, FileSpec[]>();
  for (const s of specs) byModule.set(s.module.name, [...(byModule.get(s.module.name) ?? []), s]);
  const edges = getModuleEdges(sourceModules);
  const { planted, extra } = plant(specs, packageName, sourceModules, edges);
  for (const s of specs)
    write(s.file, `${extra.get(s.file) ?? ''}${renderFile(s, byModule, edges, random, packageName, installed)}`);
  ensureRoutedPaths(options.sourceRoot, options.outDir);
  write('.dependency-cruiser.cjs', renderDepcruiseConfig(all, options.sourceRoot));
  write('PLANTED.json', `${JSON.stringify(planted, null, 2)}\n`);
  return { files: specs.length, modules: sourceModules.length, planted };
}

const ENTRY_CONDITIONS = ['source', 'import', 'node', 'default', 'require'];

/**
 * Whether `import 'name'` can load anything: the package's "." export (or main, or index.js) names a
 * file that exists. Some packages are only types or subpaths (@stryker-mutator/api has no "."; a "."
 * may point at an unbuilt file); real code imports them type-only or by subpath, so generated code
 * does not import them by bare name.
 */
export function hasBareEntry(packageDir: string): boolean {
  let manifest: { exports?: unknown; main?: string };
  try {
    manifest = JSON.parse(readFileSync(`${packageDir}/package.json`, 'utf8')) as typeof manifest;
  } catch {
    return false;
  }
  const pick = (entry: unknown): string | undefined => {
    if (typeof entry === 'string') return entry;
    if (Array.isArray(entry)) return entry.map(pick).find((e) => e !== undefined);
    if (entry && typeof entry === 'object') {
      const map = entry as Record<string, unknown>;
      for (const c of ENTRY_CONDITIONS)
        if (c in map) {
          const found = pick(map[c]);
          if (found) return found;
        }
    }
    return undefined;
  };
  if (manifest.exports !== undefined) {
    const exports = manifest.exports as Record<string, unknown> | string;
    const dot =
      typeof exports === 'object' &&
      exports !== null &&
      !Array.isArray(exports) &&
      Object.keys(exports).some((k) => k.startsWith('.'))
        ? exports['.']
        : exports;
    const file = pick(dot);
    return file !== undefined && existsSync(`${packageDir}/${file}`);
  }
  return (
    existsSync(`${packageDir}/${manifest.main ?? 'index.js'}`) ||
    existsSync(`${packageDir}/${manifest.main ?? 'index.js'}.js`)
  );
}

/** Paths the task routing names (start here, avoid there) exist in the synthetic repository as they do in the source. */
function ensureRoutedPaths(sourceRoot: string, outDir: string): void {
  const strings: string[] = [];
  const collect = (value: unknown): void => {
    if (typeof value === 'string') strings.push(value);
    else if (Array.isArray(value)) value.forEach(collect);
    else if (value && typeof value === 'object') Object.values(value).forEach(collect);
  };
  collect(parse(readFileSync(`${sourceRoot}/specs/task-routing.yaml`, 'utf8')));
  for (const rel of new Set(strings.filter((s) => /^[\w.-]+\/[\w./-]+$/.test(s)))) {
    if (!existsSync(`${sourceRoot}/${rel}`) || existsSync(`${outDir}/${rel}`)) continue;
    if (statSync(`${sourceRoot}/${rel}`).isDirectory()) mkdirSync(`${outDir}/${rel}`, { recursive: true });
    else cpSync(`${sourceRoot}/${rel}`, `${outDir}/${rel}`);
  }
}
