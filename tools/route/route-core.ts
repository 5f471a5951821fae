/**
 * A work description → the owning module, the task entry, why, and what to read and avoid. Pipeline:
 * tokenise → score every module → go narrower per the taxonomy → pick the task entry → explain.
 * Deterministic and offline: the same specs and description always give the same answer.
 * Pure: the docs site's router page bundles this file (route-work.ts adds the shipped lexicon).
 */
import type { Module } from '../control-plane/index.ts';
import {
  getReadmeParagraph,
  getRoutingIndex,
  type RoutingIndex,
  type RoutingPlane,
  type TaskDoc,
} from './build-index.ts';
import { getMention, type Mention } from './mention.ts';
import { applyNarrowing, getFolderHint, type FolderHint, type Narrowing } from './narrow.ts';
import { resolveRouteOptions, type ResolvedRouteOptions, type RouteOptions } from './options.ts';
import { getIdf, scoreModules, type ModuleScore, type TermHit } from './score.ts';
import { getTermsWithSurface, type Lexicon, type Term } from './tokenise.ts';

export interface RankedModule {
  readonly name: string;
  readonly path: string;
  readonly tier: string;
  readonly score: number;
}

export interface RouteAnswer {
  readonly kind: 'answer';
  readonly description: string;
  readonly module: {
    readonly name: string;
    readonly path: string;
    readonly layer: string;
    readonly tier: string;
    readonly manifest: string;
    /** False when the module is declared (module.yaml) but has no code yet: the work starts by creating it. */
    readonly implemented: boolean;
  };
  readonly task?: {
    readonly key: string;
    readonly intent: string;
    readonly words: readonly string[];
    readonly via: 'description' | 'task_affinity';
  };
  /** Low when the winner rests on little evidence or the runner-up is close: read both manifests. */
  readonly confidence: 'high' | 'low';
  /** One line citing the words that decided it. */
  readonly reason: string;
  readonly words: readonly { readonly word: string; readonly field: string; readonly text: string }[];
  readonly narrowing?: Narrowing;
  readonly folder?: FolderHint;
  readonly startWith: readonly string[];
  readonly avoid: readonly string[];
  /** Present when the second module is within `closeMargin` of the winner. */
  readonly runnerUp?: RankedModule & { readonly margin: number };
  readonly ranked: readonly RankedModule[];
}

export interface RouteRefusal {
  readonly kind: 'refusal';
  readonly description: string;
  readonly problem: 'empty' | 'not-understood';
  readonly message: string;
  /** Words of the description that no spec uses. */
  readonly unknownWords: readonly string[];
  /** The top-level routing rules, shown instead of a guess. */
  readonly rules: readonly {
    readonly id: string;
    readonly workType: string;
    readonly startHere: string;
    readonly why: string;
  }[];
}

/** The work belongs to an area no module owns (task cards, for instance): the routing rule says where to start. */
export interface RouteArea {
  readonly kind: 'area';
  readonly description: string;
  readonly rule: {
    readonly id: string;
    readonly workType: string;
    readonly startHere: string;
    readonly why: string;
    readonly paths: readonly string[];
  };
  /** Words of the description found in the rule's work type. */
  readonly words: readonly string[];
  readonly message: string;
}

export type RouteResult = RouteAnswer | RouteRefusal | RouteArea;

const round = (n: number): number => Math.round(n * 100) / 100;

const getSurface = (terms: readonly Term[], term: string): string =>
  terms.find((t) => t.term === term)?.surface ?? term;

function refuse(
  plane: RoutingPlane,
  description: string,
  problem: RouteRefusal['problem'],
  unknownWords: string[],
): RouteRefusal {
  const message =
    problem === 'empty'
      ? 'The work description is empty: say what you want to change, e.g. plumego route "retry outbound calls with backoff".'
      : `Could not tell which module owns this work${unknownWords.length ? ` (no spec uses: ${unknownWords.join(', ')})` : ''}; not guessing. Start from the routing rules below, or describe the change in more concrete words.`;
  return {
    kind: 'refusal',
    description,
    problem,
    message,
    unknownWords,
    rules: plane.taskRouting.routing_rules.map((r) => ({
      id: r.id,
      workType: r.work_type,
      startHere: r.start_here,
      why: r.why,
    })),
  };
}

/** The task entry for the winning module: the best-matching task that lists it, else its task_affinity. */
function pickTask(
  index: RoutingIndex,
  module: Module,
  terms: readonly Term[],
): { task: TaskDoc; words: string[]; via: 'description' | 'task_affinity' } | undefined {
  let best: { task: TaskDoc; words: string[]; value: number } | undefined;
  for (const task of index.tasks) {
    if (!task.entry.modules.includes(module.name)) continue;
    const matched = terms.filter((t) => task.terms.has(t.term));
    // The primary owner's tasks win ties over shared ones.
    const value =
      matched.reduce((sum, t) => sum + getIdf(index, t.term), 0) + (task.entry.modules[0] === module.name ? 0.01 : 0);
    if (matched.length > 0 && (!best || value > best.value))
      best = { task, words: matched.map((t) => t.surface), value };
  }
  if (best) return { task: best.task, words: best.words, via: 'description' };
  const affinity = module.manifest.task_affinity
    ?.map((key) => index.tasks.find((t) => t.key === key))
    .find((t) => t !== undefined);
  return affinity && { task: affinity, words: [], via: 'task_affinity' };
}

const FIELD_LABEL: Record<TermHit['kind'], string> = {
  name: 'module name',
  primer: 'primer question',
  taxonomy: 'taxonomy',
  summary: 'summary',
  responsibility: 'responsibility',
  task: 'task intent',
  'shared-task': 'shared task',
  folder: 'subfolder',
  entrypoint: 'exported name',
  'error-code': 'error code',
  readme: 'README',
};

function getReason(
  winner: ModuleScore,
  terms: readonly Term[],
  narrowing: Narrowing | undefined,
  ranked: readonly ModuleScore[],
  mention?: Mention,
): string {
  const top = [...winner.hits].sort((a, b) => b.value - a.value).slice(0, 4);
  const words = top.map((h) => `"${getSurface(terms, h.term)}" (${FIELD_LABEL[h.kind]})`).join(', ');
  const parts = [`${winner.name} matches ${words || 'the routing rules'}`];
  if (mention) parts.push(`${mention.paths.join(', ')} read as what the work is about, not who owns it`);
  if (narrowing) parts.push(`went narrower from ${narrowing.from}: ${narrowing.condition.replace(/\.$/, '')}`);
  const referral = [...winner.referredBy].sort((a, b) => b.value - a.value)[0];
  if (referral) parts.push(`${referral.module} names it as owner ("${referral.text}")`);
  // A rival that matched well but lost to its own non-goal is worth naming, unless the referral above already quoted it.
  const heldBack = ranked
    .slice(1, 4)
    .find((s) => s.nonGoal && s.nonGoal.terms.length >= 2 && s.positive > winner.score * 0.5);
  if (heldBack?.nonGoal && heldBack.nonGoal.text !== referral?.text)
    parts.push(`${heldBack.name} is held back by its non-goal "${heldBack.nonGoal.text}"`);
  // The winner's own non-goal is mentioned only when it shares more than one word with the description.
  if (winner.nonGoal && winner.nonGoal.terms.length >= 2)
    parts.push(`against it: its non-goal "${winner.nonGoal.text}"`);
  return parts.join('; ');
}

const toRanked = (s: ModuleScore, index: RoutingIndex): RankedModule => {
  const m = index.byName.get(s.name)!.module;
  return { name: m.name, path: m.path, tier: m.tier, score: round(s.score) };
};

function getStartAndAvoid(
  plane: RoutingPlane,
  index: RoutingIndex,
  module: Module,
  task: TaskDoc | undefined,
): { startWith: string[]; avoid: string[] } {
  const m = module.manifest;
  const own = task?.entry.modules.includes(module.name)
    ? task.entry.start_with
    : [...(m.landing_zones ?? [module.path]), ...(m.doc_paths ?? [])];
  const startWith = [...new Set([module.manifestFile, ...own].map(normalisePath))];
  const max = plane.taskRouting.context_policy.max_start_files;
  const shown = max === undefined ? startWith : startWith.slice(0, max + 1);
  const referrals = index.byName
    .get(module.name)!
    .nonGoals.flatMap((g) => g.refersTo)
    .map((name) => index.byName.get(name)!.module.path);
  // A path is never both a place to start and a place to avoid, however the specs spell it
  // (`src/a/`, `./src/a`), and the owning module's own folder or an ancestor of it is never avoided.
  const starts = new Set(startWith);
  const avoid = [...new Set([...(task?.entry.avoid ?? []), ...referrals].map(normalisePath))].filter(
    (p) => !starts.has(p) && !module.path.startsWith(`${p}/`) && p !== module.path,
  );
  return { startWith: shown, avoid };
}

/** `./src/a/` → `src/a`: one spelling per repository path. */
function normalisePath(path: string): string {
  return path.replace(/^(\.\/)+/, '').replace(/\/+$/, '') || '.';
}

/**
 * A routing rule that targets no module (only paths such as tasks/) wins when the description matches
 * its work type more strongly than any module matches the description.
 */
function getAreaRule(
  plane: RoutingPlane,
  index: RoutingIndex,
  terms: readonly Term[],
  best: number,
  o: ResolvedRouteOptions,
  winnerTerms: ReadonlySet<string> = new Set(),
): Omit<RouteArea, 'description'> | undefined {
  let found: { rule: RoutingIndex['rules'][number]; words: string[]; value: number } | undefined;
  for (const rule of index.rules) {
    if (rule.targets.length > 0) continue;
    const matched = terms.filter((t) => rule.terms.has(t.term));
    // A rule's work type says what the area is about, as a primer question does for a module: same weight.
    const value = matched.reduce((sum, t) => sum + getIdf(index, t.term), 0) * o.primerWeight;
    // The rule's start_here is the area's name ("Task Cards"). A description that uses a word of it that
    // no module claims as its name, primer or taxonomy is about that area's files ("move the card about
    // tenant quotas"): the other words say what the card is about, not who owns the change. Unless the
    // best module uses that word itself ("credit card numbers" in x/ai/filter's summary).
    const named = matched.some(
      (t) => rule.nameTerms.has(t.term) && !rule.claimedNameTerms.has(t.term) && !winnerTerms.has(t.term),
    );
    if ((named || (matched.length >= 2 && value > best)) && (!found || value > found.value))
      found = { rule, words: matched.map((t) => t.surface), value };
  }
  if (!found) return undefined;
  const spec = plane.taskRouting.routing_rules.find((r) => r.id === found.rule.id)!;
  const paths = spec.target.paths ?? [];
  return {
    kind: 'area',
    rule: { id: spec.id, workType: spec.work_type, startHere: spec.start_here, why: spec.why, paths },
    words: found.words,
    message: `No module owns this: it reads as "${spec.work_type}" (${found.words.join(', ')}). Start at ${spec.start_here}${paths.length ? ` (${paths.join(', ')})` : ''} — ${spec.why}`,
  };
}

/** Routes a work description over a plane. `lexicon` defaults to tools/route/lexicon.yaml. */
/** routeWork with the lexicon passed in: no file system, so the docs site runs this very function in the browser. */
export function routeWorkWith(
  plane: RoutingPlane,
  description: string,
  options: RouteOptions,
  lexicon: Lexicon,
): RouteResult {
  const o: ResolvedRouteOptions = resolveRouteOptions(options);
  const written = getTermsWithSurface(description, lexicon);
  if (written.length === 0)
    return refuse(plane, description, description.trim() === '' ? 'empty' : 'not-understood', []);
  const index = getRoutingIndex(plane, lexicon);
  // A module named by its path may be what the work is about rather than who does it (see mention.ts).
  const mention = getMention(plane, index, description, lexicon, o);
  const terms = mention?.terms ?? written;
  const known = terms.filter(
    (t) =>
      index.idf.has(t.term) ||
      index.rules.some((r) => r.terms.has(t.term)) ||
      index.docs.some((d) => d.nonGoals.some((g) => g.terms.has(t.term))),
  );
  const scored = scoreModules(
    index,
    terms.map((t) => t.term),
    o,
  );
  const { ranked, narrowing } = applyNarrowing(
    scored,
    index,
    o,
    terms.map((t) => t.term),
  );
  const winner = ranked[0];
  const area = getAreaRule(plane, index, terms, winner?.positive ?? 0, o, new Set(winner?.hits.map((h) => h.term)));
  if (area) return { ...area, description };
  if (!winner || known.length === 0 || winner.score < o.minScore) {
    return refuse(
      plane,
      description,
      'not-understood',
      terms.filter((t) => !known.includes(t)).map((t) => t.surface),
    );
  }
  const module = index.byName.get(winner.name)!.module;
  const picked = pickTask(index, module, terms);
  const second = ranked[1];
  const margin = second ? (winner.score - second.score) / winner.score : 1;
  const folder = getFolderHint(
    winner.name,
    terms.map((t) => t.term),
    index,
  );
  const specific = winner.hits.some((h) => h.kind === 'name' || h.kind === 'primer' || h.kind === 'taxonomy');
  const confidence = margin < o.closeMargin || (winner.score < o.confidentScore && !specific) ? 'low' : 'high';
  return {
    kind: 'answer',
    description,
    module: {
      name: module.name,
      path: module.path,
      layer: module.layer,
      tier: module.tier,
      manifest: module.manifestFile,
      implemented: module.implemented,
    },
    ...(picked
      ? { task: { key: picked.task.key, intent: picked.task.entry.intent, words: picked.words, via: picked.via } }
      : {}),
    confidence,
    reason: getReason(winner, terms, narrowing, ranked, mention),
    words: [...winner.hits]
      .sort((a, b) => b.value - a.value)
      .map((h) => ({
        word: getSurface(terms, h.term),
        field: FIELD_LABEL[h.kind],
        // A README is indexed whole; the answer quotes the paragraph that holds the word.
        text: h.kind === 'readme' ? getReadmeParagraph(h.text, h.term, lexicon) : h.text,
      })),
    ...(narrowing ? { narrowing } : {}),
    ...(folder ? { folder } : {}),
    ...getStartAndAvoid(plane, index, module, picked?.task),
    ...(second && margin < o.closeMargin ? { runnerUp: { ...toRanked(second, index), margin: round(margin) } } : {}),
    ranked: ranked.slice(0, o.top).map((s) => toRanked(s, index)),
  };
}
