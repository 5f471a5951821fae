/**
 * The verdict on one edge between two modules, with the trace of every rule and manifest field
 * that took part. `evaluate` keeps the first denying step; `explain` prints the whole trace.
 */
import type { Module, SourcePos } from '../control-plane/index.ts';
import { isTestFile } from './ownership.ts';
import { matchesSelectors, RULES_FILE, type RuleBook } from './rulebook.ts';
import type { BoundaryPlane } from './types.ts';

export interface Step {
  /** The rule id the step belongs to. */
  readonly rule: string;
  /** `deny` decides the verdict; `allow` is a field that permits the edge; `pass` is a rule that does not apply. */
  readonly outcome: 'deny' | 'allow' | 'pass';
  readonly detail: string;
  /** Where the deciding fact is written (manifest field or global rule). */
  readonly at: SourcePos;
}

export interface Verdict {
  readonly allowed: boolean;
  /** The first denying step: the violation to report. */
  readonly denial?: Step;
  readonly steps: readonly Step[];
}

export interface EdgeFacts {
  /** Type-only edges skip rules the spec marks value_only. */
  readonly typeOnly: boolean;
  /** The imported file, when known (file-level rules: public entry, foreign tests). */
  readonly targetFile?: string;
}

export function judgeEdge(plane: Pick<BoundaryPlane, 'locate'>, book: RuleBook, from: Module, to: Module, facts: EdgeFacts): Verdict {
  const steps: Step[] = [];
  const applies = (id: string): boolean => {
    const rule = book.get(id);
    return Boolean(rule) && !(facts.typeOnly && rule!.value_only);
  };
  const manifestAt = (path: (string | number)[]): SourcePos => plane.locate(from.manifestFile, path);

  for (const { rule, index } of book.selectorRules) {
    const at = plane.locate(RULES_FILE, ['rules', index]);
    if (matchesSelectors(rule, from, to) && applies(rule.id)) {
      steps.push({ rule: rule.id, outcome: 'deny', detail: `${rule.summary} (${from.name} is ${from.layer}, ${to.name} is ${to.layer})`, at });
    } else {
      steps.push({ rule: rule.id, outcome: 'pass', detail: `does not apply (${from.name} is ${from.layer}, ${to.name} is ${to.layer}${facts.typeOnly && rule.value_only ? ', type-only edge' : ''})`, at });
    }
  }

  if (facts.targetFile && isTestFile(facts.targetFile) && applies('no-foreign-tests')) {
    steps.push({ rule: 'no-foreign-tests', outcome: 'deny', detail: `${facts.targetFile} is a test file or fixture of ${to.name}`, at: book.at('no-foreign-tests') });
  }

  const manifest = from.manifest;
  const forbiddenIndex = (manifest.forbidden_imports ?? []).indexOf(to.name);
  if (forbiddenIndex >= 0 && applies('default-deny')) {
    steps.push({ rule: 'default-deny', outcome: 'deny', detail: `${from.name} lists ${to.name} in forbidden_imports`, at: manifestAt(['forbidden_imports', forbiddenIndex]) });
  }

  const allowedIndex = manifest.allowed_imports.modules.indexOf(to.name);
  if (applies('default-deny')) {
    steps.push(allowedIndex >= 0
      ? { rule: 'default-deny', outcome: 'allow', detail: `${from.name}'s allowed_imports.modules lists ${to.name}`, at: manifestAt(['allowed_imports', 'modules', allowedIndex]) }
      : { rule: 'default-deny', outcome: 'deny', detail: `${to.name} is not in ${from.name}'s allowed_imports.modules`, at: manifestAt(['allowed_imports', 'modules']) });
  }

  if (applies('maturity')) steps.push(judgeMaturity(book, from, to, manifestAt));

  if (facts.targetFile && applies('public-entry-only')) {
    steps.push(facts.targetFile === to.entry
      ? { rule: 'public-entry-only', outcome: 'pass', detail: `${facts.targetFile} is ${to.name}'s public entry`, at: book.at('public-entry-only') }
      : { rule: 'public-entry-only', outcome: 'deny', detail: `${facts.targetFile} is inside ${to.name}; its public entry is ${to.importSpecifier ?? to.entry}`, at: book.at('public-entry-only') });
  }

  const denial = steps.find((s) => s.outcome === 'deny');
  return { allowed: !denial, steps, ...(denial ? { denial } : {}) };
}

function judgeMaturity(book: RuleBook, from: Module, to: Module, manifestAt: (path: (string | number)[]) => SourcePos): Step {
  const fromRank = book.rank(from.tier);
  const toRank = book.rank(to.tier);
  if (toRank >= fromRank) {
    return { rule: 'maturity', outcome: 'pass', detail: `${to.name} (${to.tier}) is not below ${from.name} (${from.tier})`, at: book.at('maturity') };
  }
  const optIn = (from.manifest.allowed_imports.lower_tier ?? []).indexOf(to.name);
  return optIn >= 0
    ? { rule: 'maturity', outcome: 'allow', detail: `${to.name} (${to.tier}) is below ${from.name} (${from.tier}); allowed_imports.lower_tier opts in`, at: manifestAt(['allowed_imports', 'lower_tier', optIn]) }
    : { rule: 'maturity', outcome: 'deny', detail: `${to.name} (${to.tier}) is below ${from.name} (${from.tier}) and not in allowed_imports.lower_tier`, at: manifestAt(['allowed_imports']) };
}
