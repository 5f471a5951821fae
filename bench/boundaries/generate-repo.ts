/**
 * Generates a synthetic repository shaped like this one: the same specs and manifests, and N
 * TypeScript files spread over the modules with realistic imports (relative within a module,
 * package subpaths across allowed modules, type-only, re-exports, dynamic imports, builtins, npm
 * packages, tests importing vitest) plus a few planted violations. Deterministic for a seed.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
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
  const lines = [`export interface Shape${i} {`, '  readonly id: string;', '  readonly weight: number;', '  readonly tags: readonly string[];', '}', ''];
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
    const count = mi === modules.length - 1 ? total - specs.length : Math.max(2, Math.round((weights[mi]! / sum) * total));
    for (let i = 0; i < count; i += 1) {
      const test = i > 0 && random() < 0.15;
      // The facade owns only framework/index.ts and a few root files; other modules nest in part folders.
      const dir = module.layer === 'facade' ? module.path : `${module.path}/part${Math.floor(i / 12)}`;
      const file = i === 0 ? `${module.path}/index.ts` : `${dir}/unit-${i}${test ? '.test' : ''}.ts`;
      specs.push({ module, file, index: i, test });
    }
  });
  return specs;
}

function renderFile(spec: FileSpec, byModule: ReadonlyMap<string, FileSpec[]>, generated: ReadonlySet<string>, random: () => number, packageName: string): string {
  const own = byModule.get(spec.module.name)!;
  const lines: string[] = [];
  if (spec.index === 0) {
    // index.ts: the public surface, named re-exports of a few units.
    for (const target of own.filter((s) => !s.test && s.index > 0).slice(0, 4)) lines.push(`export { value${target.index} } from '${relativeImport(spec.file, target.file)}';`);
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
  const allowed = spec.module.allowed.filter((m) => generated.has(m));
  if (allowed.length > 0 && random() < 0.45) {
    const target = allowed[Math.floor(random() * allowed.length)]!;
    const sub = target === packageName ? packageName : `${packageName}/${target}`;
    const form = random();
    if (form < 0.2) lines.push(`import type * as mod${spec.index} from '${sub}';`);
    else if (form < 0.3) lines.push(`export const lazy${spec.index} = () => import('${sub}');`);
    else lines.push(`import { entry as entry${spec.index} } from '${sub}';`);
  }
  if (random() < 0.15 && spec.module.layer !== 'facade') lines.push(`import * as builtin${spec.index} from '${BUILTINS[Math.floor(random() * BUILTINS.length)]}';`);
  if (spec.module.packages.length > 0 && random() < 0.1) lines.push(`import * as pkg${spec.index} from '${spec.module.packages[Math.floor(random() * spec.module.packages.length)]}';`);
  lines.push('', renderBody(spec.index, random));
  if (spec.test) lines.push('', `describe('unit ${spec.index}', () => {`, `  it('scores', () => expect(value${spec.index}).toBeGreaterThanOrEqual(0));`, '});');
  return `${lines.join('\n')}\n`;
}

/** Planted violations: one line appended to a chosen file per rule. */
function plant(specs: readonly FileSpec[], packageName: string): { planted: Planted[]; extra: Map<string, string> } {
  const pick = (module: string, test = false): FileSpec | undefined => specs.find((s) => s.module.name === module && s.index > 2 && s.test === test);
  const extra = new Map<string, string>();
  const planted: Planted[] = [];
  const add = (module: string, rule: string, line: (s: FileSpec) => string): void => {
    const s = pick(module);
    if (!s) return;
    extra.set(s.file, `${extra.get(s.file) ?? ''}${line(s)}\n`);
    planted.push({ rule, file: s.file });
  };
  add('router', 'stable-no-extension', () => `import { entry as planted1 } from '${packageName}/x/tenant';`);
  add('contract', 'default-deny', () => `import { entry as planted2 } from '${packageName}/core';`);
  add('x/openapi', 'public-entry-only', (s) => `import { value1 as planted3 } from '${relativeImport(s.file, specs.find((t) => t.module.name === 'core' && t.index > 0 && !t.test)!.file)}';`);
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
    if (existsSync(`${options.sourceRoot}/${file}`)) cpSync(`${options.sourceRoot}/${file}`, `${options.outDir}/${file}`);
  }
  // The source exports only its implemented modules; here every generated library module has code.
  const sourcePackage = JSON.parse(readFileSync(`${options.sourceRoot}/package.json`, 'utf8')) as { exports?: Record<string, unknown> };
  const exports = { ...sourcePackage.exports };
  for (const m of sourceModules) {
    if (m.layer !== 'stable' && m.layer !== 'extension') continue;
    exports[`./${m.name}`] ??= { source: `./${m.path}/index.ts`, types: `./dist/${m.path}/index.d.ts`, default: `./dist/${m.path}/index.js` };
  }
  write('package.json', `${JSON.stringify({ ...sourcePackage, exports }, null, 2)}\n`);
  cpSync(`${options.sourceRoot}/specs`, `${options.outDir}/specs`, { recursive: true });
  write('specs/checks.yaml', 'checks:\n  - id: boundaries\n    summary: The boundary gate over the synthetic repository.\n');
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
  const pkg = JSON.parse(readFileSync(`${options.sourceRoot}/package.json`, 'utf8')) as { dependencies?: object; devDependencies?: object };
  for (const name of Object.keys({ ...pkg.dependencies, ...pkg.devDependencies })) {
    const target = `${options.sourceRoot}/node_modules/${name}`;
    if (!existsSync(target)) continue;
    mkdirSync(dirname(`${options.outDir}/node_modules/${name}`), { recursive: true });
    symlinkSync(target, `${options.outDir}/node_modules/${name}`);
  }
  const specs = plan(sourceModules, options.files, random);
  const byModule = new Map<string, FileSpec[]>();
  for (const s of specs) byModule.set(s.module.name, [...(byModule.get(s.module.name) ?? []), s]);
  const generated = new Set(sourceModules.map((m) => m.name));
  const { planted, extra } = plant(specs, packageName);
  for (const s of specs) write(s.file, `${extra.get(s.file) ?? ''}${renderFile(s, byModule, generated, random, packageName)}`);
  ensureRoutedPaths(options.sourceRoot, options.outDir);
  write('.dependency-cruiser.cjs', renderDepcruiseConfig(all, options.sourceRoot));
  write('PLANTED.json', `${JSON.stringify(planted, null, 2)}\n`);
  return { files: specs.length, modules: sourceModules.length, planted };
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
