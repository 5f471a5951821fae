/**
 * The taxonomy's "go narrower when": work that lands on a family root moves to one of its subordinate
 * modules when the description matches that subordinate's own "when", name or primer question strongly
 * enough — words the family root shares (gateway, upstream) do not count as evidence for narrowing.
 */
import type { RoutingIndex } from './build-index.ts';
import type { ResolvedRouteOptions } from './options.ts';
import { getIdf, type ModuleScore } from './score.ts';

export interface Narrowing {
  readonly from: string;
  readonly to: string;
  /** The family's "go narrower when" condition. */
  readonly condition: string;
  /** The subordinate's own "when" in the taxonomy. */
  readonly when: string;
  readonly terms: readonly string[];
}

export interface FolderHint {
  readonly name: string;
  readonly when: string;
  readonly terms: readonly string[];
}

const SPECIFIC_KINDS = new Set(['name', 'taxonomy', 'primer']);

/** The score a subordinate earns from its own defining texts, minus words its family root also has there. */
function getSpecificEvidence(sub: ModuleScore, root: ModuleScore): { value: number; terms: string[] } {
  const rootSpecific = new Set(root.hits.filter((h) => SPECIFIC_KINDS.has(h.kind)).map((h) => h.term));
  const hits = sub.hits.filter((h) => SPECIFIC_KINDS.has(h.kind) && !rootSpecific.has(h.term));
  return { value: hits.reduce((sum, h) => sum + h.value, 0), terms: hits.map((h) => h.term) };
}

/** Moves the best qualifying subordinate of a winning family root to the top. Pure: returns a new ranking. */
/**
 * The subordinate's own defining texts (name, primer, taxonomy "when") carry most of the description's
 * weight: the work is "clearly X-specific" even when the family root's summary lists the same words.
 */
function coversDescription(
  sub: ModuleScore,
  index: RoutingIndex,
  terms: readonly string[],
  o: ResolvedRouteOptions,
): boolean {
  if (o.narrowerCoverage === 0 || terms.length === 0) return false;
  const total = terms.reduce((sum, t) => sum + getIdf(index, t), 0);
  const covered = sub.hits.filter((h) => SPECIFIC_KINDS.has(h.kind)).reduce((sum, h) => sum + getIdf(index, h.term), 0);
  return covered >= o.narrowerCoverage * total;
}

export function applyNarrowing(
  ranked: readonly ModuleScore[],
  index: RoutingIndex,
  o: ResolvedRouteOptions,
  terms: readonly string[] = [],
): { ranked: ModuleScore[]; narrowing?: Narrowing } {
  const top = ranked[0];
  const doc = top && index.byName.get(top.name);
  if (!top || !doc) return { ranked: [...ranked] };
  if (doc.nested.length > 0) return narrowUmbrella(ranked, top, doc.nested, o);
  if (doc.subordinates.length === 0) return { ranked: [...ranked] };
  // "Go narrower when the task is clearly cache-specific": a description that uses the name of a
  // subordinate the condition names is that subordinate's work, even though the root's primer lists it.
  // The taxonomy's condition lists only some of them, yet naming any subordinate ("idempotency") is just
  // as clear a sign, so level 2 applies the same to every one-word subordinate name.
  const asked = new Set(terms);
  const named = doc.namedSubordinates
    .filter((s) => o.namedNarrowing >= (s.inCondition ? 1 : 2) && asked.has(s.term))
    .map((s) => ranked.find((r) => r.name === s.name))
    .filter((s): s is ModuleScore => s !== undefined && s.score > 0)
    .sort((a, b) => b.score - a.score)[0];
  if (named) {
    const inCondition = doc.namedSubordinates.some((s) => s.name === named.name && s.inCondition);
    return {
      ranked: [named, ...ranked.filter((s) => s !== named)],
      narrowing: {
        from: top.name,
        to: named.name,
        // Quote the family's condition only when it names this subordinate: "clearly cache-specific" is no
        // reason to move SQL work to x/data/sql.
        condition: inCondition ? (doc.narrowerWhen ?? '') : `the description names ${named.name}`,
        when: index.byName.get(named.name)?.when ?? '',
        terms: doc.namedSubordinates.filter((s) => s.name === named.name).map((s) => s.term),
      },
    };
  }
  let best: { score: ModuleScore; value: number; terms: string[] } | undefined;
  for (const name of doc.subordinates) {
    const sub = ranked.find((s) => s.name === name);
    if (!sub || sub.score <= 0) continue;
    const evidence = getSpecificEvidence(sub, top);
    if (evidence.value > 0 && (!best || evidence.value > best.value)) best = { score: sub, ...evidence };
  }
  if (!best || (best.value < o.narrowerShare * top.score && !coversDescription(best.score, index, terms, o)))
    return { ranked: [...ranked] };
  const chosen = best.score;
  const rest = ranked.filter((s) => s !== chosen);
  return {
    ranked: [chosen, ...rest],
    narrowing: {
      from: top.name,
      to: chosen.name,
      condition: doc.narrowerWhen ?? 'the work is specific to a subordinate package',
      when: index.byName.get(chosen.name)?.when ?? '',
      terms: best.terms,
    },
  };
}

/**
 * An umbrella (a module with no code of its own, e.g. tools) sums up what the modules inside it do, so it
 * wins on their words; the best of them takes over when it earns `umbrellaShare` of the umbrella's score.
 */
function narrowUmbrella(
  ranked: readonly ModuleScore[],
  top: ModuleScore,
  nested: readonly string[],
  o: ResolvedRouteOptions,
): { ranked: ModuleScore[]; narrowing?: Narrowing } {
  const inside = new Set(nested);
  const best = ranked.find((s) => inside.has(s.name));
  if (!best || best.score <= 0 || best.score < o.umbrellaShare * top.score) return { ranked: [...ranked] };
  return {
    ranked: [best, ...ranked.filter((s) => s !== best)],
    narrowing: {
      from: top.name,
      to: best.name,
      condition: `${top.name} holds no code of its own; the module inside it that matches best owns the work`,
      when: '',
      terms: best.hits.map((h) => h.term),
    },
  };
}

/** For a family root: the subordinate folder (not a module of its own) whose "when" the description matches best. */
export function getFolderHint(winner: string, terms: readonly string[], index: RoutingIndex): FolderHint | undefined {
  const doc = index.byName.get(winner);
  let best: (FolderHint & { value: number }) | undefined;
  for (const folder of doc?.folders ?? []) {
    const matched = terms.filter((t) => folder.terms.has(t));
    const value = matched.reduce((sum, t) => sum + getIdf(index, t), 0);
    if (matched.length > 0 && (!best || value > best.value))
      best = { name: folder.name, when: folder.when, terms: matched, value };
  }
  return best && { name: best.name, when: best.when, terms: best.terms };
}
