/**
 * `plumego explain <from> <to>`: the verdict on one edge and the trace of every global rule and
 * manifest field that decides it, each with its file:line. Pure over the plane (and the graph, for
 * the imports that actually exist).
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import type { Module, SourcePos } from '../control-plane/index.ts';
import { judgeEdge, type Step } from './judge.ts';
import { getModuleEdges } from './module-edges.ts';
import { createOwnerIndex, isTestCode } from './ownership.ts';
import { RULES_FILE, type RuleBook } from './rulebook.ts';
import type { BoundaryPlane, FileGraph } from './types.ts';

export type Endpoint =
  | { readonly type: 'module'; readonly module: Module; readonly file?: string }
  | { readonly type: 'package'; readonly name: string }
  | { readonly type: 'builtin'; readonly name: string };

export interface Explanation {
  readonly from: string;
  readonly to: string;
  readonly allowed: boolean;
  readonly decidedBy?: string;
  readonly steps: readonly (Step & { readonly at: SourcePos })[];
  readonly rationale?: string;
  readonly fix?: string;
  /** Imports in the code that make up this edge (file:line, specifier, kind). */
  readonly imports: readonly {
    readonly file: string;
    readonly line: number;
    readonly specifier: string;
    readonly kind: string;
  }[];
}

/**
 * What a user may write for either side: a module name (`router`), the specifier an import uses
 * (`plumego/router`, a workspace package `@scope/pkg` or `@scope/pkg/sub`), a file or directory path
 * (relative to `cwd`, or for a relative `<to>` to the `<from>` file as the import writes it, with
 * or without the `.ts` extension, `.js` standing for `.ts`), an npm package (`@scope/pkg/sub` too)
 * or a `node:` builtin. Undefined when a module-side argument names nothing the plane knows.
 */
export function resolveEndpoint(
  plane: BoundaryPlane,
  arg: string,
  cwd: string,
  allowExternal: boolean,
  fromFile?: string,
): Endpoint | undefined {
  const module = plane.moduleByName.get(arg) ?? findModuleBySpecifier(plane, arg);
  if (module) return { type: 'module', module };
  const bases = fromFile && arg.startsWith('.') ? [resolve(plane.root, dirname(fromFile)), cwd] : [cwd];
  for (const base of bases) {
    const abs = findExistingPath(resolve(base, arg));
    if (!abs) continue;
    const rel = relative(plane.root, abs).split('\\').join('/');
    if (rel.startsWith('..')) return undefined;
    const owner = createOwnerIndex(plane.modules)(rel);
    if (!owner) return undefined;
    return statSync(abs).isFile() ? { type: 'module', module: owner, file: rel } : { type: 'module', module: owner };
  }
  if (!allowExternal || arg.startsWith('.') || arg.startsWith('/')) return undefined;
  if (arg.startsWith('node:')) return { type: 'builtin', name: arg };
  return /^(@[a-z0-9._-]+\/)?[a-z0-9._-]+(\/[a-z0-9._@/-]+)?$/i.test(arg)
    ? { type: 'package', name: getPackageName(arg) }
    : undefined;
}

/** The module an import specifier reaches: its package subpath, or a workspace package (and any subpath of it). */
function findModuleBySpecifier(plane: BoundaryPlane, specifier: string): Module | undefined {
  const exact = plane.modules.find((m) => m.importSpecifier === specifier);
  if (exact) return exact;
  let best: Module | undefined;
  for (const m of plane.modules) {
    const names = [m.layer === 'facade' ? undefined : m.importSpecifier, plane.workspaces.get(m.path)?.name].filter(
      (n): n is string => typeof n === 'string',
    );
    for (const name of names) {
      if (
        (specifier === name || specifier.startsWith(`${name}/`)) &&
        (!best || name.length > (best.importSpecifier ?? '').length)
      )
        best = m;
    }
  }
  return best;
}

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
function getPackageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/** The path itself, or the file an import without extension (or with `.js` for `.ts`) reaches. */
function findExistingPath(abs: string): string | undefined {
  const candidates = [
    abs,
    `${abs}.ts`,
    `${abs}.tsx`,
    `${abs}/index.ts`,
    `${abs}/index.tsx`,
    abs.replace(/\.js$/, '.ts'),
    abs.replace(/\.jsx$/, '.tsx'),
    abs.replace(/\.mjs$/, '.mts'),
  ];
  return candidates.find((c) => existsSync(c));
}

export function explainEdge(
  plane: BoundaryPlane,
  book: RuleBook,
  from: Module,
  to: Endpoint,
  options: { typeOnly?: boolean; graph?: FileGraph; fromFile?: string } = {},
): Explanation {
  const typeOnly = options.typeOnly ?? false;
  let steps: Step[];
  let toName: string;
  if (to.type === 'module') {
    toName = to.file ?? to.module.name;
    steps =
      from === to.module
        ? [
            {
              rule: 'default-deny',
              outcome: 'allow',
              detail: `${to.module.name} imports its own files freely (relative paths)`,
              at: plane.locate(from.manifestFile),
            },
          ]
        : [
            ...judgeEdge(plane, book, from, to.module, {
              typeOnly,
              ...(to.file ? { targetFile: to.file } : {}),
              ...(options.fromFile && isTestCode(options.fromFile) ? { fromTestCode: true } : {}),
            }).steps,
          ];
  } else if (to.type === 'package') {
    toName = to.name;
    steps = explainPackage(plane, book, from, to.name);
  } else {
    toName = to.name;
    steps = explainBuiltin(plane, book, from, to.name);
  }
  const denial = steps.find((s) => s.outcome === 'deny');
  const rule = denial ? book.get(denial.rule) : undefined;
  return {
    from: options.fromFile ?? from.name,
    to: toName,
    allowed: !denial,
    steps,
    ...(denial ? { decidedBy: denial.rule } : {}),
    ...(rule ? { rationale: rule.rationale, fix: rule.fix } : {}),
    imports: options.graph && to.type === 'module' ? findImports(plane, options.graph, from, to, options.fromFile) : [],
  };
}

function explainPackage(plane: BoundaryPlane, book: RuleBook, from: Module, name: string): Step[] {
  const declared = plane.declaredPackages(from).has(name);
  const index = from.manifest.allowed_imports.packages.findIndex((p) => p.name === name);
  return [
    declared
      ? {
          rule: 'npm-undeclared',
          outcome: 'pass',
          detail: `'${name}' is declared in package.json`,
          at: { file: 'package.json', line: 0, column: 0 },
        }
      : {
          rule: 'npm-undeclared',
          outcome: 'deny',
          detail: `'${name}' is not declared in package.json`,
          at: book.at('npm-undeclared'),
        },
    index >= 0
      ? {
          rule: 'npm-allowlist',
          outcome: 'allow',
          detail: `${from.name}'s allowed_imports.packages lists '${name}': ${from.manifest.allowed_imports.packages[index]!.reason}`,
          at: plane.locate(from.manifestFile, ['allowed_imports', 'packages', index]),
        }
      : {
          rule: 'npm-allowlist',
          outcome: 'deny',
          detail: `'${name}' is not in ${from.name}'s allowed_imports.packages (tests and *.config.ts files are exempt)`,
          at: plane.locate(from.manifestFile, ['allowed_imports', 'packages']),
        },
  ];
}

function explainBuiltin(plane: BoundaryPlane, book: RuleBook, from: Module, name: string): Step[] {
  const denied = plane.dependencyRules.builtins.deny[from.layer] ?? [];
  const index = denied.indexOf(name);
  return [
    index >= 0
      ? {
          rule: 'builtin-policy',
          outcome: 'deny',
          detail: `the ${from.layer} layer denies ${name} outside tests`,
          at: plane.locate(RULES_FILE, ['builtins', 'deny', from.layer, index]),
        }
      : {
          rule: 'builtin-policy',
          outcome: 'pass',
          detail: `${name} is not denied to the ${from.layer} layer`,
          at: book.at('builtin-policy'),
        },
  ];
}

function findImports(
  plane: BoundaryPlane,
  graph: FileGraph,
  from: Module,
  to: Extract<Endpoint, { type: 'module' }>,
  fromFile?: string,
): Explanation['imports'] {
  return getModuleEdges(graph, createOwnerIndex(plane.modules))
    .filter(
      (e) =>
        e.from === from &&
        e.to === to.module &&
        (!fromFile || e.file === fromFile) &&
        (!to.file || e.dependency.resolved === to.file),
    )
    .map((e) => ({ file: e.file, line: e.dependency.line, specifier: e.dependency.specifier, kind: e.dependency.kind }))
    .sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}

const MARK = { deny: '✖', allow: '✔', pass: '·' } as const;

export function renderExplanation(e: Explanation): string {
  const lines = [`${e.from} → ${e.to}: ${e.allowed ? 'ALLOWED' : `DENIED by ${e.decidedBy}`}`, ''];
  const width = Math.max(...e.steps.map((s) => s.rule.length));
  for (const s of e.steps) {
    const where = s.at.line > 0 ? `${s.at.file}:${s.at.line}` : s.at.file;
    lines.push(`  ${MARK[s.outcome]} ${s.rule.padEnd(width)}  ${s.detail}`, `    ${' '.repeat(width)}  at ${where}`);
  }
  if (e.rationale) lines.push('', `why: ${e.rationale}`);
  if (e.fix) lines.push(`fix: ${e.fix}`);
  lines.push('', e.imports.length === 0 ? 'imports in the code: none' : `imports in the code (${e.imports.length}):`);
  for (const i of e.imports) lines.push(`  ${i.file}:${i.line}  ${i.kind} '${i.specifier}'`);
  return `${lines.join('\n')}\n`;
}
