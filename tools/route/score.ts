/**
 * Query terms × routing index → a score per module, with the evidence that produced it. A module earns
 * what its texts share with the description (weighted by the kind of text and by how rare the word is),
 * loses what its best-matching non-goal shares with it, and gains when another module's non-goal or a
 * routing rule points at it.
 */
import {
  APART_KINDS,
  getPairs,
  type FieldKind,
  type IndexedText,
  type ModuleDoc,
  type RoutingIndex,
} from './build-index.ts';
import type { ResolvedRouteOptions } from './options.ts';

export interface TermHit {
  readonly term: string;
  readonly kind: FieldKind;
  readonly text: string;
  /** idf × field weight: what the word added to the score. */
  readonly value: number;
}

export interface NonGoalHit {
  readonly text: string;
  readonly terms: readonly string[];
  readonly value: number;
}

export interface ModuleScore {
  readonly name: string;
  readonly score: number;
  readonly positive: number;
  readonly hits: readonly TermHit[];
  /** Adjacent description words found adjacent in the module's texts. */
  readonly phrases: readonly string[];
  /** The module's own non-goal that matched best (subtracted). */
  readonly nonGoal?: NonGoalHit;
  /** Non-goals of other modules that name this module as owner (added). */
  readonly referredBy: readonly { readonly module: string; readonly text: string; readonly value: number }[];
  /** Routing rules whose work type matched and that target this module (added). */
  readonly rules: readonly { readonly id: string; readonly value: number }[];
}

const getFieldWeight = (kind: FieldKind, o: ResolvedRouteOptions): number => {
  switch (kind) {
    case 'name':
      return o.nameWeight;
    case 'primer':
    case 'taxonomy':
      return o.primerWeight;
    case 'summary':
      return o.summaryWeight;
    case 'responsibility':
      return o.responsibilityWeight;
    case 'task':
      return o.taskWeight;
    case 'shared-task':
      return o.sharedTaskWeight;
    case 'folder':
      return o.folderWeight;
    case 'entrypoint':
      return o.entrypointWeight;
    case 'error-code':
      return o.errorCodeWeight;
    case 'readme':
      return o.readmeWeight;
  }
};

/** Words found only in non-goals have no document frequency; they are as telling as the rarest word. */
export const getIdf = (index: RoutingIndex, term: string): number =>
  index.idf.get(term) ?? Math.log((index.docs.length + 1) / 0.5);

/*
 * A reference app (layer `reference`) wires library modules together, so its summary and task repeat
 * the words of the modules its manifest imports. Such a word is evidence for the imported module, the
 * owner of that capability, more than for the app that shows it: the app keeps only a share of it.
 */
function isEchoed(doc: ModuleDoc, index: RoutingIndex, term: string): boolean {
  if (doc.module.layer !== 'reference') return false;
  // Looked up per matched word, not gathered into a set per call: the imported modules' texts are large.
  return (doc.module.manifest.allowed_imports?.modules ?? []).some((name) =>
    index.byName.get(name)?.termTexts.has(term),
  );
}

function getPositiveHits(
  doc: ModuleDoc,
  terms: readonly string[],
  index: RoutingIndex,
  o: ResolvedRouteOptions,
  subject: boolean,
): TermHit[] {
  const hits: TermHit[] = [];
  for (const term of terms) {
    const texts = doc.termTexts.get(term);
    if (!texts) continue;
    let best = texts[0];
    for (const t of texts) if (getFieldWeight(t.kind, o) > getFieldWeight(best!.kind, o)) best = t;
    const share = !subject && isEchoed(doc, index, term) ? o.echoShare : 1;
    if (best)
      hits.push({
        term,
        kind: best.kind,
        text: best.text,
        value:
          (APART_KINDS.has(best.kind) ? (index.apartIdf.get(term) ?? 0) : getIdf(index, term)) *
          getFieldWeight(best.kind, o) *
          share,
      });
  }
  return hits;
}

/*
 * The echo rule assumes a reference app only shows a capability its imports own. A description that names
 * the app's area ("the example service", "the reference app": a routing rule's start_here) is about the app
 * itself - its wiring, its readiness, its config - so the words it shares with its imports are its own.
 */
function getNamedAreaTargets(
  index: RoutingIndex,
  terms: readonly string[],
  o: ResolvedRouteOptions,
): ReadonlySet<string> {
  if (o.namedAreaEcho === 0) return new Set();
  const asked = new Set(terms);
  return new Set(index.rules.filter((r) => [...r.nameTerms].some((t) => asked.has(t))).flatMap((r) => r.targets));
}

const DEFINING_KINDS: ReadonlySet<FieldKind> = new Set(['name', 'primer', 'taxonomy']);

function getNonGoalHits(
  doc: ModuleDoc,
  terms: readonly string[],
  index: RoutingIndex,
  own: ReadonlySet<string>,
): (NonGoalHit & { refersTo: readonly string[] })[] {
  return doc.nonGoals.flatMap((goal) => {
    const matched = terms.filter((t) => goal.terms.has(t) && !own.has(t));
    if (matched.length === 0) return [];
    return [
      {
        text: goal.text,
        terms: matched,
        value: matched.reduce((sum, t) => sum + getIdf(index, t), 0),
        refersTo: goal.refersTo,
      },
    ];
  });
}

/*
 * Query likelihood (Dirichlet-smoothed language model, Zhai & Lafferty 2001) over the same texts: each
 * text that holds a word counts once, by the weight of its kind. Where the best-field sum above credits a
 * word once whatever the module says about it, this score grows with how much of the module's text is
 * about the word and charges a long text for the description words it lacks.
 */
const lengths = new WeakMap<RoutingIndex, Map<string, number[]>>();
function getLanguageModelScores(
  index: RoutingIndex,
  terms: readonly string[],
  o: ResolvedRouteOptions,
): Map<string, number> {
  const out = new Map<string, number>();
  if (o.lmWeight === 0) return out;
  // Module lengths depend only on the field weights: computed once per index and weighting.
  const weightKey = [
    o.nameWeight,
    o.primerWeight,
    o.summaryWeight,
    o.responsibilityWeight,
    o.taskWeight,
    o.sharedTaskWeight,
    o.folderWeight,
    o.entrypointWeight,
    o.errorCodeWeight,
    o.readmeWeight,
  ].join(',');
  let byWeights = lengths.get(index);
  if (!byWeights) lengths.set(index, (byWeights = new Map()));
  let lens = byWeights.get(weightKey);
  if (!lens) {
    lens = index.docs.map((doc) => {
      const seen = new Set<IndexedText>();
      for (const texts of doc.termTexts.values()) for (const t of texts) seen.add(t);
      let len = 0;
      for (const t of seen) len += t.terms.size * getFieldWeight(t.kind, o);
      return len;
    });
    byWeights.set(weightKey, lens);
  }
  const total = lens.reduce((a, b) => a + b, 0);
  const tf = (doc: ModuleDoc, term: string): number =>
    (doc.termTexts.get(term) ?? []).reduce((sum, t) => sum + getFieldWeight(t.kind, o), 0);
  const cf = new Map<string, number>();
  for (const term of terms) {
    let c = 0;
    for (const doc of index.docs) c += tf(doc, term);
    if (c > 0) cf.set(term, c);
  }
  let min = Infinity;
  index.docs.forEach((doc, i) => {
    const len = lens[i] ?? 0;
    let score = cf.size * Math.log(o.lmMu / (len + o.lmMu));
    for (const [term, c] of cf) {
      const own = tf(doc, term);
      if (own > 0) score += Math.log(1 + own / ((o.lmMu * c) / total));
    }
    out.set(doc.module.name, score);
    min = Math.min(min, score);
  });
  // Only differences between modules mean anything; shifted so the weakest module adds nothing.
  for (const [name, score] of out) out.set(name, (score - min) * o.lmWeight);
  return out;
}

/** Scores every module of the index against the query terms, best first (ties by name, so output is stable). */
export function scoreModules(index: RoutingIndex, terms: readonly string[], o: ResolvedRouteOptions): ModuleScore[] {
  const queryPairs = getPairs(terms);
  const referred = new Map<string, { module: string; text: string; value: number }[]>();
  const ruled = new Map<string, { id: string; value: number }[]>();
  const subjects = getNamedAreaTargets(index, terms, o);
  const partial = index.docs.map((doc) => {
    const hits = getPositiveHits(doc, terms, index, o, subjects.has(doc.module.name));
    // A word the module claims in its name, primer or taxonomy entry is its own ground: a non-goal that
    // repeats it draws a finer line ("counting tokens through the provider API" beside "local token
    // counting"), and only the non-goal's other words say whether the work is on the far side of it.
    const own = new Set(hits.filter((h) => DEFINING_KINDS.has(h.kind)).map((h) => h.term));
    const goals = getNonGoalHits(doc, terms, index, own);
    let worst: NonGoalHit | undefined;
    for (const goal of goals) {
      if (!worst || goal.value > worst.value) worst = { text: goal.text, terms: goal.terms, value: goal.value };
      // One shared word ("middleware", "handler") is not evidence that the work is what the non-goal describes.
      if (goal.terms.length < 2) continue;
      for (const target of goal.refersTo) {
        const list = referred.get(target) ?? [];
        list.push({
          module: doc.module.name,
          text: goal.text,
          value: (goal.value * o.nonGoalReferral) / goal.refersTo.length,
        });
        referred.set(target, list);
      }
    }
    return { doc, hits, worst };
  });
  for (const rule of index.rules) {
    const mass = (set: ReadonlySet<string>): number =>
      terms.filter((t) => set.has(t)).reduce((sum, t) => sum + getIdf(index, t), 0);
    // The rule's start_here names the area ("Reference App"): a description that names it points at the rule's targets harder.
    const value = mass(rule.terms) * o.ruleWeight + mass(rule.nameTerms) * o.ruleNameWeight;
    if (value === 0) continue;
    for (const target of rule.targets) ruled.set(target, [...(ruled.get(target) ?? []), { id: rule.id, value }]);
  }
  const likelihood = getLanguageModelScores(index, terms, o);
  const scores = partial.map(({ doc, hits, worst }): ModuleScore => {
    const name = doc.module.name;
    // A phrase the module disclaims in a matching non-goal ("the cache contract ... (store)") is not evidence for it.
    const disclaimed = (p: string): boolean => doc.nonGoals.some((g) => p.split(' ').every((t) => g.terms.has(t)));
    const phrases = queryPairs.filter((p) => doc.pairs.has(p) && !disclaimed(p));
    const phraseValue =
      phrases.reduce((sum, p) => sum + p.split(' ').reduce((s, t) => s + getIdf(index, t), 0), 0) * o.phraseWeight;
    const positive = hits.reduce((sum, h) => sum + h.value, 0) + phraseValue;
    const referredBy = referred.get(name) ?? [];
    const rules = ruled.get(name) ?? [];
    const score =
      positive -
      (worst ? worst.value * o.nonGoalPenalty : 0) +
      // The strongest referral counts, not their sum: many manifests naming a popular module prove nothing more.
      referredBy.reduce((max, r) => Math.max(max, r.value), 0) +
      rules.reduce((sum, r) => sum + r.value, 0) +
      (likelihood.get(name) ?? 0);
    return { name, score, positive, hits, phrases, ...(worst ? { nonGoal: worst } : {}), referredBy, rules };
  });
  // Scores equal up to floating-point noise (2.94 × 2.5 against 2.94 × 3 − 2.94 × 0.5) are ties, broken by name.
  const key = (n: number): number => Math.round(n * 1e9);
  return scores.sort((a, b) => key(b.score) - key(a.score) || a.name.localeCompare(b.name));
}
