/**
 * The routing evaluation: run every case of routing-cases.yaml through routeWork and count how often
 * the expected module is first (top-1) or among the first three (top-3), overall and per part.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError, parseYaml } from '../control-plane/index.ts';
import type { RoutingPlane } from './build-index.ts';
import type { RouteOptions } from './options.ts';
import { routeWork } from './route-work.ts';

export interface RoutingCase {
  readonly part: string;
  readonly ask: string;
  readonly expect: string;
  /** Where the case was read from, for errors that point at it. */
  readonly source?: { readonly file: string; readonly line: number };
}

/**
 * A case file that cannot be evaluated: unreadable, not YAML, a malformed case, or a case that expects a module
 * the specs do not declare. The message names the file and, where there is one, the line and column.
 */
export class RoutingCasesError extends Error {
  override readonly name = 'RoutingCasesError';
  readonly problem: 'unreadable' | 'invalid-yaml' | 'bad-case' | 'unknown-module';
  constructor(problem: RoutingCasesError['problem'], message: string) {
    super(message);
    this.problem = problem;
  }
}

export interface PartScore {
  readonly total: number;
  readonly top1: number;
  readonly top3: number;
}

export interface RoutingEvaluation {
  readonly all: PartScore;
  readonly parts: Readonly<Record<string, PartScore>>;
  /**
   * Every case whose first answer is not exactly the expected module, with the top three. `nested` marks
   * one answered by a module inside the expected one (tools/route for tools): counted as a hit.
   */
  readonly misses: readonly {
    readonly part: string;
    readonly ask: string;
    readonly expect: string;
    readonly got: readonly string[];
    readonly nested?: true;
  }[];
  /** Mean and worst wall time of one routeWork call, in milliseconds (index already built). */
  readonly meanMs: number;
  readonly maxMs: number;
}

export const DEFAULT_CASES_FILE = fileURLToPath(new URL('./routing-cases.yaml', import.meta.url));

/** Reads and checks the case file; a malformed case throws, because an evaluation over bad data means nothing. */
export function readRoutingCases(file: string = DEFAULT_CASES_FILE): RoutingCase[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new RoutingCasesError('unreadable', `${file}: cannot read the case file (${reason})`);
  }
  // The control plane's reader: located syntax errors, aliases resolved safely, and positions of any value.
  let yaml;
  try {
    yaml = parseYaml(file, text);
  } catch (error) {
    if (error instanceof ConfigError) throw new RoutingCasesError('invalid-yaml', error.message);
    throw error;
  }
  const list = (yaml.data as { cases?: unknown } | null)?.cases;
  if (!Array.isArray(list))
    throw new RoutingCasesError('bad-case', `${file}:1:1: expected a "cases" list at the top level`);
  return list.map((item: unknown, i) => {
    const at = yaml.locate(['cases', i]);
    const { part, ask, expect } = (item !== null && typeof item === 'object' ? item : {}) as Record<string, unknown>;
    const missing = Object.entries({ part, ask, expect })
      .filter(([, value]) => typeof value !== 'string' || value.trim() === '')
      .map(([key]) => key);
    if (missing.length) {
      throw new RoutingCasesError(
        'bad-case',
        `${file}:${at.line}:${at.column}: case ${i + 1} needs a non-empty string for ${missing.join(', ')}`,
      );
    }
    return { part: part as string, ask: ask as string, expect: expect as string, source: { file, line: at.line } };
  });
}

const add = (s: PartScore, hit1: boolean, hit3: boolean): PartScore => ({
  total: s.total + 1,
  top1: s.top1 + (hit1 ? 1 : 0),
  top3: s.top3 + (hit3 ? 1 : 0),
});

export function evaluateRouting(
  plane: RoutingPlane,
  cases: readonly RoutingCase[],
  options: RouteOptions = {},
): RoutingEvaluation {
  const empty: PartScore = { total: 0, top1: 0, top3: 0 };
  let all = empty;
  const parts: Record<string, PartScore> = {};
  const misses: { part: string; ask: string; expect: string; got: string[]; nested?: true }[] = [];
  // A case may expect an area no module owns (task cards): the path of a routing rule that targets only paths.
  const areas = new Set(
    plane.taskRouting.routing_rules.flatMap((r) =>
      r.target.modules?.length || r.target.layer ? [] : (r.target.paths ?? []),
    ),
  );
  const unknown = cases.filter((c) => !plane.modules.some((m) => m.name === c.expect) && !areas.has(c.expect));
  if (unknown.length) {
    const where = (c: RoutingCase): string =>
      c.source ? `${c.source.file}:${c.source.line}` : `case ${cases.indexOf(c) + 1}`;
    throw new RoutingCasesError(
      'unknown-module',
      unknown.map((c) => `${where(c)}: expects "${c.expect}", which is neither a module nor a task area`).join('\n'),
    );
  }
  // A module nested in the expected one (tools/route in tools) owns part of it, so it is a hit, except
  // inside an extension family, where choosing between the root and a subordinate is the router's job.
  const familyRoots = new Set(plane.taxonomy.families.map((f) => f.root));
  routeWork(plane, 'warm up the index', options);
  let totalMs = 0;
  let maxMs = 0;
  for (const c of cases) {
    const started = performance.now();
    const result = routeWork(plane, c.ask, { ...options, top: 3 });
    const ms = performance.now() - started;
    totalMs += ms;
    maxMs = Math.max(maxMs, ms);
    const got =
      result.kind === 'answer'
        ? result.ranked.map((r) => r.name)
        : result.kind === 'area'
          ? [...result.rule.paths]
          : [];
    const owns = (name: string | undefined): boolean =>
      name !== undefined && (name === c.expect || (!familyRoots.has(c.expect) && name.startsWith(`${c.expect}/`)));
    const hit1 = owns(got[0]);
    const hit3 = got.some(owns);
    all = add(all, hit1, hit3);
    parts[c.part] = add(parts[c.part] ?? empty, hit1, hit3);
    if (got[0] !== c.expect)
      misses.push({ part: c.part, ask: c.ask, expect: c.expect, got, ...(hit1 ? { nested: true as const } : {}) });
  }
  return { all, parts, misses, meanMs: cases.length ? totalMs / cases.length : 0, maxMs };
}

const pct = (n: number, total: number): string => `${total ? ((100 * n) / total).toFixed(1) : '0.0'}%`;

/**
 * Text report of an evaluation. `misses: false` prints the counts only: a held-out part must be scored
 * before a ranking change without its author seeing which cases miss, or the next change is tuned to them.
 */
export function formatEvaluation(e: RoutingEvaluation, show: { readonly misses?: boolean } = {}): string {
  const misses = show.misses === false ? [] : e.misses;
  const line = (label: string, s: PartScore): string =>
    `${label.padEnd(10)} ${String(s.total).padStart(3)} cases  top-1 ${pct(s.top1, s.total).padStart(6)} (${s.top1})  top-3 ${pct(s.top3, s.total).padStart(6)} (${s.top3})`;
  return [
    line('all', e.all),
    ...Object.entries(e.parts).map(([part, s]) => line(part, s)),
    `latency    mean ${e.meanMs.toFixed(2)} ms, max ${e.maxMs.toFixed(2)} ms per description (in-process, index built)`,
    ...(misses.length ? ['', 'misses (expected → got top-3):'] : []),
    ...misses.map(
      (m) =>
        `  [${m.part}] "${m.ask}" → expected ${m.expect}, got ${m.got.join(', ') || '(refused)'}${m.nested ? ' (inside the expected module: counted)' : ''}`,
    ),
  ].join('\n');
}
