/**
 * Routing weights. They are general: each says how much a kind of spec text counts, never how much a
 * particular word or module counts. Tuned once against the `tuning` part of routing-cases.yaml.
 */
export interface RouteOptions {
  /** How many ranked modules to return. Default 3. */
  top?: number;
  /**
   * Weight of a word in the module name (gateway, discovery). Default 3.25 (was 3): at 3 a benchmark
   * description went to the docs site on one shared phrase ("hand-written"), though the module is named
   * for benchmarks; the name is the one text no other module can echo.
   */
  nameWeight?: number;
  /** Weight of a word in the manifest's primer_question or the taxonomy's work_about / when. Default 2.5. */
  primerWeight?: number;
  /** Weight of a word in the manifest summary. Default 2. */
  summaryWeight?: number;
  /** Weight of a word in a responsibility. Default 1.5. */
  responsibilityWeight?: number;
  /** Weight of a word in the intent or keywords of a task whose primary module this is. Default 2. */
  taskWeight?: number;
  /** Weight of a word in a task the module shares (not primary) or lists in task_affinity. Default 1. */
  sharedTaskWeight?: number;
  /** Weight of a word in a folder-level subordinate's `when` (counts for the family root). Default 1.5. */
  folderWeight?: number;
  /** Weight of a word of an exported name (public_entrypoints, split at case changes: bodyLimit → body limit). Default 0.5. */
  entrypointWeight?: number;
  /** Weight of a word of an error code the module registers in specs/error-codes.yaml (code, status, description). Default 0.5. */
  errorCodeWeight?: number;
  /** Weight of a word of the module's README (prose only; see module-docs.ts). Default 0.5. */
  readmeWeight?: number;
  /** Weight of two adjacent description words that are also adjacent in one of the module's texts, per word. Default 1. */
  phraseWeight?: number;
  /** Share of a matching non-goal's word mass subtracted from the module. Default 0.5. */
  nonGoalPenalty?: number;
  /** Share of that mass credited to the module the non-goal names as owner. Default 0.5. */
  nonGoalReferral?: number;
  /** Share of a matching routing rule's word mass credited to the modules it targets. Default 0.3. */
  ruleWeight?: number;
  /**
   * Share a reference app keeps of a word that a module it imports (allowed_imports.modules) also uses:
   * the app shows the capability, the imported module owns it. Default 0.6.
   */
  echoShare?: number;
  /**
   * 1: a description that names a routing rule's area (its start_here: "Reference App", read as "example"
   * through the lexicon) makes that area's modules the subject, so a reference app keeps the whole of the
   * words it shares with the modules it imports (`echoShare` is not applied). 0: echoShare always applies.
   * Default 1.
   */
  namedAreaEcho?: number;
  /**
   * A description that names a module by its path (x/rpc, reference/events-service) talks about that module
   * as the object of the work when its other words, read alone, name another owner with at least this
   * score ("the CODEOWNERS file has no line for reference/events-service" is tools/sync's work). The path's
   * words are then left out. 0 turns it off. Default 12 (twice `confidentScore`: the other words must name
   * an owner on their own, so "add a query timeout option to x/data/sql" stays with x/data/sql).
   */
  mentionScore?: number;
  /**
   * ...and when the named module earns less than this share of that owner's score from the other words: one
   * that still earns a fair share of them is named as the owner ("tools/sync writes CODEOWNERS lines in the
   * wrong order"). Default 0.5.
   */
  mentionShare?: number;
  /** Share of the idf mass of a routing rule's start_here words ("Reference App": the name of the area it points to) credited to its targets, on top of ruleWeight. Default 0.5. */
  ruleNameWeight?: number;
  /** A subordinate is chosen over its family root when its `when`/name evidence reaches this share of the root's score. Default 0.5. */
  narrowerShare?: number;
  /**
   * A subordinate is also chosen when its name, primer and taxonomy "when" cover this share of the
   * description's word mass (idf), words its family root shares included. 0 turns it off. Default 0.7.
   */
  narrowerCoverage?: number;
  /**
   * 1: a description that uses the name of a subordinate its family's narrower_when names ("clearly
   * cache-specific") goes to that subordinate; 2: so does one using the one-word name of any subordinate
   * module of the winning family (x/data/idempotency). 0 turns it off. Default 1 (eighth round: 2 let a
   * database word in a description about the family's own redaction hand the work to x/data/sql).
   */
  namedNarrowing?: number;
  /**
   * A module nested in an umbrella (a module that exports and imports nothing, e.g. tools) takes over
   * from the umbrella when its score reaches this share of the umbrella's. Default 0.5.
   */
  umbrellaShare?: number;
  /**
   * Weight of the query-likelihood score (score.ts) added to the best-field sum. 0 turns it off. Default 0.5:
   * every setting from 0.25 to 1 (with mu 200-3200) gave about the same on the replays and the case files
   * (README, "Seventh round"); 0.5 is in the middle.
   */
  lmWeight?: number;
  /**
   * Dirichlet prior of the query-likelihood score, in field-weighted words: how far a module's own word
   * counts are smoothed toward the whole index's. Must be > 0 while lmWeight is on. Default 800: the median
   * module is 229 such words long, so the prior outweighs any one module's text (strong smoothing); results
   * were flat over 200-3200.
   */
  lmMu?: number;
  /** Below this score the description is not understood and nothing is guessed. Default 1.5. */
  minScore?: number;
  /** Below this score an answer without a name, primer or taxonomy match is marked low-confidence. Default 6. */
  confidentScore?: number;
  /** The runner-up is shown when it is within this share of the winner. Default 0.25. */
  closeMargin?: number;
}

export type ResolvedRouteOptions = Required<RouteOptions>;

export const DEFAULT_ROUTE_OPTIONS: ResolvedRouteOptions = {
  top: 3,
  nameWeight: 3.25,
  primerWeight: 2.5,
  summaryWeight: 2,
  responsibilityWeight: 1.5,
  taskWeight: 2,
  sharedTaskWeight: 1,
  folderWeight: 1.5,
  entrypointWeight: 0.5,
  errorCodeWeight: 0.5,
  readmeWeight: 0.5,
  phraseWeight: 1,
  nonGoalPenalty: 0.5,
  nonGoalReferral: 0.5,
  ruleWeight: 0.3,
  echoShare: 0.6,
  ruleNameWeight: 0.5,
  namedAreaEcho: 1,
  mentionScore: 12,
  mentionShare: 0.5,
  narrowerShare: 0.5,
  narrowerCoverage: 0.7,
  namedNarrowing: 1,
  umbrellaShare: 0.5,
  lmWeight: 0.5,
  lmMu: 800,
  minScore: 1.5,
  confidentScore: 6,
  closeMargin: 0.25,
};

export function resolveRouteOptions(options: RouteOptions = {}): ResolvedRouteOptions {
  const resolved = { ...DEFAULT_ROUTE_OPTIONS };
  for (const [key, value] of Object.entries(options) as [keyof RouteOptions, number | undefined][]) {
    if (value === undefined) continue;
    if (!Number.isFinite(value) || value < 0)
      throw new RangeError(`route option ${key} must be a finite number >= 0, got ${String(value)}`);
    resolved[key] = value;
  }
  // log(mu / (length + mu)) has no value at mu 0: the prior is what lets a module lack a description word.
  if (resolved.lmWeight > 0 && resolved.lmMu === 0)
    throw new RangeError('route option lmMu must be > 0 while lmWeight is on');
  if (!Number.isInteger(resolved.top) || resolved.top < 1)
    throw new RangeError(`route option top must be a positive integer, got ${resolved.top}`);
  return resolved;
}
