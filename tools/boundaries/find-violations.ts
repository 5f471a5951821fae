/**
 * Stage 3: rules → violations. One violation per offending dependency (the first denying rule),
 * so overlapping rules never report one import twice; cycles and file-level problems come on top.
 */
import type { Module, Violation } from '../control-plane/index.ts';
import { findCycleEdges } from './cycles.ts';
import { judgeEdge, type Verdict } from './judge.ts';
import { getModuleEdges, isTypeOnly, type ModuleEdge } from './module-edges.ts';
import { createOwnerIndex, isDevOnlyFile, isTestCode, isTestFile, type GetOwner } from './ownership.ts';
import type { RuleBook } from './rulebook.ts';
import type { BoundaryPlane, FileDependency, FileGraph, SourceFile } from './types.ts';

export const CHECK_ID = 'boundaries';

interface Context {
  readonly plane: BoundaryPlane;
  readonly book: RuleBook;
  readonly getOwner: GetOwner;
  readonly ownName: string;
  /** Verdicts by module pair, kind and target file: most imports of a module hit its index.ts. */
  readonly verdicts: Map<string, Verdict>;
}

/** Every boundary violation of the graph, sorted by file, line and rule. */
export function evaluateGraph(plane: BoundaryPlane, book: RuleBook, graph: FileGraph): Violation[] {
  return createGraphEvaluator(plane, book).finish(graph);
}

export interface GraphEvaluator {
  /** Judges these files now (files the cache already holds, while the rest is still being extracted). */
  evaluateFiles(files: readonly SourceFile[]): void;
  /** Every violation of `graph`: files not judged yet are judged now, then module cycles over the whole graph. */
  finish(graph: FileGraph): Violation[];
}

/**
 * File verdicts depend on the file's own dependencies only, so they can be computed as soon as a
 * file's record is known; cycles need the whole graph and come last.
 */
export function createGraphEvaluator(plane: BoundaryPlane, book: RuleBook): GraphEvaluator {
  const ctx: Context = {
    plane,
    book,
    getOwner: createOwnerIndex(plane.modules),
    ownName: plane.repo.identity.package,
    verdicts: new Map(),
  };
  const judged = new Map<string, { readonly source: SourceFile; readonly violations: Violation[] }>();
  return {
    evaluateFiles(files) {
      for (const source of files) judged.set(source.file, { source, violations: evaluateFile(ctx, source) });
    },
    finish(graph) {
      const out: Violation[] = [];
      for (const source of graph.files) {
        const done = judged.get(source.file);
        out.push(...(done && sameDependencies(done.source, source) ? done.violations : evaluateFile(ctx, source)));
      }
      out.push(...evaluateCycles(ctx, getModuleEdges(graph, ctx.getOwner)));
      return applyExceptions(plane, out).sort(compareViolations);
    },
  };
}

/** A file judged early is reused only if its record did not change since (it never should; this keeps it true). */
function sameDependencies(a: SourceFile, b: SourceFile): boolean {
  return (
    a === b ||
    (a.dependencies.length === b.dependencies.length &&
      a.parseError === b.parseError &&
      a.dependencies.every((d, i) => d === b.dependencies[i]))
  );
}

export function compareViolations(a: Violation, b: Violation): number {
  return (
    a.file.localeCompare(b.file) ||
    a.line - b.line ||
    a.column - b.column ||
    a.rule.localeCompare(b.rule) ||
    (a.to ?? '').localeCompare(b.to ?? '')
  );
}

function evaluateFile(ctx: Context, source: SourceFile): Violation[] {
  const out: Violation[] = [];
  const from = ctx.getOwner(source.file);
  if (source.parseError) {
    const { line, column, message } = source.parseError;
    push(ctx, out, 'unparseable-file', {
      file: source.file,
      line,
      column,
      message: `${source.file} does not parse: ${message}; its imports may be incomplete`,
      ...(from ? { from: from.name } : {}),
    });
  }
  if (!from) {
    push(ctx, out, 'unowned-file', {
      file: source.file,
      line: 0,
      column: 0,
      message: `${source.file} belongs to no module (no module.yaml path covers it)`,
    });
  }
  for (const dep of source.dependencies) {
    const v = evaluateDependency(ctx, source.file, from, dep);
    if (v) out.push(v);
  }
  return out;
}

type Draft = Pick<Violation, 'file' | 'line' | 'column' | 'message'> & Partial<Pick<Violation, 'from' | 'to' | 'kind'>>;

function push(ctx: Context, out: Violation[], ruleId: string, draft: Draft): void {
  const v = makeViolation(ctx, ruleId, draft);
  if (v) out.push(v);
}

function makeViolation(ctx: Context, ruleId: string, draft: Draft): Violation | undefined {
  const rule = ctx.book.get(ruleId);
  if (!rule) return undefined;
  return {
    check: CHECK_ID,
    rule: rule.id,
    severity: rule.severity,
    ...draft,
    rationale: rule.rationale,
    fix: rule.fix,
  };
}

function evaluateDependency(
  ctx: Context,
  file: string,
  from: Module | undefined,
  dep: FileDependency,
): Violation | undefined {
  const at = { file, line: dep.line, column: dep.column, kind: dep.kind, ...(from ? { from: from.name } : {}) };
  const typeOnly = isTypeOnly(dep);
  const applies = (id: string): boolean => Boolean(ctx.book.get(id)) && !(typeOnly && ctx.book.get(id)!.value_only);
  switch (dep.target) {
    case 'unresolved':
      if (dep.via === 'package') return evaluatePackage(ctx, file, from, dep, at, applies);
      if (!applies('unresolved-import')) return undefined;
      return makeViolation(ctx, 'unresolved-import', {
        ...at,
        to: dep.specifier,
        message: `'${dep.specifier}' does not resolve to a file`,
      });
    case 'package':
      return evaluatePackage(ctx, file, from, dep, at, applies);
    case 'builtin':
      return evaluateBuiltin(ctx, file, from, dep, at, applies);
    case 'file': {
      const to = ctx.getOwner(dep.resolved);
      // A module whose manifest failed its schema has no trustworthy permissions or layer yet.
      if (!from || !to || to === from || from.invalid || to.invalid) return undefined;
      const fromTestCode = isTestCode(file);
      const key = `${from.name}\u0000${to.name}\u0000${typeOnly}\u0000${fromTestCode}\u0000${dep.resolved}`;
      let verdict = ctx.verdicts.get(key);
      if (!verdict) {
        verdict = judgeEdge(ctx.plane, ctx.book, from, to, { typeOnly, targetFile: dep.resolved, fromTestCode });
        ctx.verdicts.set(key, verdict);
      }
      if (!verdict.denial)
        return dep.via === 'package' ? evaluateLinkedPackage(ctx, from, dep, at, applies) : undefined;
      const how = dep.specifier === dep.resolved ? dep.specifier : `'${dep.specifier}' → ${dep.resolved}`;
      return makeViolation(ctx, verdict.denial.rule, {
        ...at,
        to: to.name,
        message: `${from.name} → ${to.name} (${dep.kind}, ${how}): ${verdict.denial.detail}`,
      });
    }
  }
}

type AtDraft = Pick<Violation, 'file' | 'line' | 'column' | 'kind'> & { from?: string };

function evaluatePackage(
  ctx: Context,
  file: string,
  from: Module | undefined,
  dep: FileDependency,
  at: AtDraft,
  applies: (id: string) => boolean,
): Violation | undefined {
  const name = dep.target === 'unresolved' ? getPackageNameOf(dep.specifier) : dep.resolved;
  // The package's own name that did not resolve through "exports" is a broken self-reference.
  if (name === ctx.ownName) {
    return applies('unresolved-import')
      ? makeViolation(ctx, 'unresolved-import', {
          ...at,
          to: dep.specifier,
          message: `'${dep.specifier}' is not a subpath that package.json "exports" provides`,
        })
      : undefined;
  }
  const declared = from ? ctx.plane.declaredPackages(from) : getRootPackages(ctx.plane);
  const candidates = isTypeOnlyDep(dep) ? [name, getTypesPackage(name)] : [name];
  if (!candidates.some((c) => declared.has(c))) {
    return applies('npm-undeclared')
      ? makeViolation(ctx, 'npm-undeclared', {
          ...at,
          to: name,
          message: `'${name}' is imported but not declared in package.json`,
        })
      : undefined;
  }
  if (!from || from.invalid || !applies('npm-allowlist')) return undefined;
  const allowed = from.manifest.allowed_imports.packages.map((p) => p.name);
  if (candidates.some((c) => allowed.includes(c))) return undefined;
  // The allowlist records runtime dependencies (its rationale: supply chain and size); tests and tool
  // configuration ship nothing, so they may use any package the repository declares.
  if (isDevOnlyFile(file)) return undefined;
  return makeViolation(ctx, 'npm-allowlist', {
    ...at,
    to: name,
    message: `${from.name} imports '${name}', which is not in its allowed_imports.packages`,
  });
}

/**
 * A bare specifier that resolved to another module's files reached them through a workspace link in
 * node_modules; without a declaration that link exists only by accident of hoisting.
 */
function evaluateLinkedPackage(
  ctx: Context,
  from: Module,
  dep: FileDependency,
  at: AtDraft,
  applies: (id: string) => boolean,
): Violation | undefined {
  const name = getPackageNameOf(dep.specifier);
  if (!applies('npm-undeclared') || ctx.plane.declaredPackages(from).has(name)) return undefined;
  return makeViolation(ctx, 'npm-undeclared', {
    ...at,
    to: name,
    message: `'${name}' is imported but not declared in package.json (it resolves to ${dep.resolved} through a workspace link)`,
  });
}

function evaluateBuiltin(
  ctx: Context,
  file: string,
  from: Module | undefined,
  dep: FileDependency,
  at: AtDraft,
  applies: (id: string) => boolean,
): Violation | undefined {
  if (!applies('builtin-policy')) return undefined;
  const policy = ctx.plane.dependencyRules.builtins;
  const name = `node:${dep.resolved}`;
  if (policy.require_node_prefix && !dep.specifier.startsWith('node:')) {
    return makeViolation(ctx, 'builtin-policy', {
      ...at,
      to: name,
      message: `'${dep.specifier}' is a Node builtin; write '${name}'`,
    });
  }
  // The deny lists keep process-level builtins off the request path; tests run no request path.
  const denied = from && !from.invalid && !isTestFile(file) ? (policy.deny[from.layer] ?? []) : [];
  const base = `node:${dep.resolved.split('/')[0]}`;
  if (from && (denied.includes(name) || denied.includes(base))) {
    return makeViolation(ctx, 'builtin-policy', {
      ...at,
      to: name,
      message: `${from.name} (${from.layer}) imports '${name}', which the ${from.layer} layer does not use`,
    });
  }
  return undefined;
}

function evaluateCycles(ctx: Context, edges: readonly ModuleEdge[]): Violation[] {
  const rule = ctx.book.get('no-module-cycles');
  if (!rule) return [];
  const adjacency = new Map<string, Set<string>>();
  const firstEdge = new Map<string, ModuleEdge>();
  for (const edge of edges) {
    if (rule.value_only && isTypeOnly(edge.dependency)) continue;
    // A test may drive its module through a higher one (the CLI); what ships has no such edge.
    if (isTestCode(edge.file)) continue;
    const key = `${edge.from.name}\u0000${edge.to.name}`;
    const known = firstEdge.get(key);
    if (!known || compareEdge(edge, known) < 0) firstEdge.set(key, edge);
    if (!adjacency.has(edge.from.name)) adjacency.set(edge.from.name, new Set());
    adjacency.get(edge.from.name)!.add(edge.to.name);
  }
  return findCycleEdges(adjacency).flatMap(({ from, to, cycle, tangle }) => {
    const edge = firstEdge.get(`${from}\u0000${to}`)!;
    const hops = cycle.slice(0, -1).map((name, i) => {
      const e = firstEdge.get(`${name}\u0000${cycle[i + 1]}`)!;
      return `${name} → ${cycle[i + 1]} (${e.file}:${e.dependency.line})`;
    });
    const others =
      tangle.length > cycle.length - 1 ? ` (part of a tangle of ${tangle.length} modules: ${tangle.join(', ')})` : '';
    const v = makeViolation(ctx, 'no-module-cycles', {
      file: edge.file,
      line: edge.dependency.line,
      column: edge.dependency.column,
      kind: edge.dependency.kind,
      from,
      to,
      message: `module cycle ${cycle.join(' → ')}: ${hops.join('; ')}${others}`,
    });
    return v ? [v] : [];
  });
}

function compareEdge(a: ModuleEdge, b: ModuleEdge): number {
  return a.file.localeCompare(b.file) || a.dependency.line - b.dependency.line;
}

/** Deliberate deviations from specs/dependency-rules.yaml `exceptions` (matched by rule, from, to; expired ones no longer apply). */
function applyExceptions(plane: BoundaryPlane, violations: Violation[]): Violation[] {
  const today = new Date().toISOString().slice(0, 10);
  const live = plane.dependencyRules.exceptions.filter((e) => !e.expires || e.expires >= today);
  if (live.length === 0) return violations;
  return violations.filter((v) => !live.some((e) => e.rule === v.rule && e.from === v.from && e.to === v.to));
}

function isTypeOnlyDep(dep: FileDependency): boolean {
  return isTypeOnly(dep);
}

/** Package name of a bare specifier; `astro:content` (a virtual module a package provides) → `astro`. */
function getPackageNameOf(specifier: string): string {
  const scheme = /^([a-z][a-z0-9-]*):/.exec(specifier);
  if (scheme) return scheme[1]!;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/** `@types/node` for `node`, `@types/scope__name` for `@scope/name`. */
export function getTypesPackage(name: string): string {
  return name.startsWith('@') ? `@types/${name.slice(1).replace('/', '__')}` : `@types/${name}`;
}

function getRootPackages(plane: BoundaryPlane): ReadonlySet<string> {
  const p = plane.packageJson;
  return new Set(
    [p.dependencies, p.devDependencies, p.peerDependencies, p.optionalDependencies].flatMap((d) =>
      Object.keys(d ?? {}),
    ),
  );
}
