/**
 * The verdict on one edge between two modules, with the trace of every rule and manifest field
 * that took part. `evaluate` keeps the first denying step; `explain` prints the whole trace.
 */
import type { Module, SourcePos } from '../control-plane/index.ts';
import { isTestFile, isTestHelperOf } from './ownership.ts';
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
  /** The importing file is test code (ownership.ts isTestCode): it may also reach the target's testing/ helpers. */
  readonly fromTestCode?: boolean;
}

/**
 * A step whose position is looked up when first read: positions come from parsing the YAML, and
 * most verdicts are never explained or reported.
 */
function step(rule: string, outcome: Step['outcome'], detail: string, where: () => SourcePos): Step {
  let at: SourcePos | undefined;
  return {
    rule,
    outcome,
    detail,
    get at() {
      return (at ??= where());
    },
  };
}

export function judgeEdge(
  plane: Pick<BoundaryPlane, 'locate'>,
  book: RuleBook,
  from: Module,
  to: Module,
  facts: EdgeFacts,
): Verdict {
  const steps: Step[] = [];
  const applies = (id: string): boolean => {
    const rule = book.get(id);
    return Boolean(rule) && !(facts.typeOnly && rule!.value_only);
  };
  const manifestAt = (path: (string | number)[]) => (): SourcePos => plane.locate(from.manifestFile, path);
  const ruleAt = (id: string) => (): SourcePos => book.at(id);

  for (const { rule, index } of book.selectorRules) {
    const at = (): SourcePos => plane.locate(RULES_FILE, ['rules', index]);
    if (matchesSelectors(rule, from, to) && applies(rule.id)) {
      steps.push(
        step(rule.id, 'deny', `${rule.summary} (${from.name} is ${from.layer}, ${to.name} is ${to.layer})`, at),
      );
    } else {
      steps.push(
        step(
          rule.id,
          'pass',
          `does not apply (${from.name} is ${from.layer}, ${to.name} is ${to.layer}${facts.typeOnly && rule.value_only ? ', type-only edge' : ''})`,
          at,
        ),
      );
    }
  }

  if (facts.targetFile && isTestFile(facts.targetFile) && applies('no-foreign-tests')) {
    steps.push(
      step(
        'no-foreign-tests',
        'deny',
        `${facts.targetFile} is a test file or fixture of ${to.name}`,
        ruleAt('no-foreign-tests'),
      ),
    );
  }

  const manifest = from.manifest;
  const forbiddenIndex = (manifest.forbidden_imports ?? []).indexOf(to.name);
  if (forbiddenIndex >= 0 && applies('default-deny')) {
    steps.push(
      step(
        'default-deny',
        'deny',
        `${from.name} lists ${to.name} in forbidden_imports`,
        manifestAt(['forbidden_imports', forbiddenIndex]),
      ),
    );
  }

  const allowedIndex = manifest.allowed_imports.modules.indexOf(to.name);
  if (applies('default-deny')) {
    steps.push(
      allowedIndex >= 0
        ? step(
            'default-deny',
            'allow',
            `${from.name}'s allowed_imports.modules lists ${to.name}`,
            manifestAt(['allowed_imports', 'modules', allowedIndex]),
          )
        : step(
            'default-deny',
            'deny',
            `${to.name} is not in ${from.name}'s allowed_imports.modules`,
            manifestAt(['allowed_imports', 'modules']),
          ),
    );
  }

  if (applies('maturity')) steps.push(judgeMaturity(book, from, to, manifestAt, ruleAt));

  if (facts.targetFile && applies('public-entry-only')) {
    steps.push(
      facts.targetFile === to.entry
        ? step(
            'public-entry-only',
            'pass',
            `${facts.targetFile} is ${to.name}'s public entry`,
            ruleAt('public-entry-only'),
          )
        : facts.fromTestCode && isTestHelperOf(to, facts.targetFile)
          ? step(
              'public-entry-only',
              'pass',
              `${facts.targetFile} is one of ${to.name}'s test helpers (testing/), imported by test code`,
              ruleAt('public-entry-only'),
            )
          : step(
              'public-entry-only',
              'deny',
              `${facts.targetFile} is inside ${to.name}; its public entry is ${to.importSpecifier ?? to.entry}`,
              ruleAt('public-entry-only'),
            ),
    );
  }

  const denial = steps.find((s) => s.outcome === 'deny');
  return { allowed: !denial, steps, ...(denial ? { denial } : {}) };
}

type Where = () => SourcePos;

function judgeMaturity(
  book: RuleBook,
  from: Module,
  to: Module,
  manifestAt: (path: (string | number)[]) => Where,
  ruleAt: (id: string) => Where,
): Step {
  const fromRank = book.rank(from.tier);
  const toRank = book.rank(to.tier);
  if (toRank >= fromRank) {
    return step(
      'maturity',
      'pass',
      `${to.name} (${to.tier}) is not below ${from.name} (${from.tier})`,
      ruleAt('maturity'),
    );
  }
  const optIn = (from.manifest.allowed_imports.lower_tier ?? []).indexOf(to.name);
  return optIn >= 0
    ? step(
        'maturity',
        'allow',
        `${to.name} (${to.tier}) is below ${from.name} (${from.tier}); allowed_imports.lower_tier opts in`,
        manifestAt(['allowed_imports', 'lower_tier', optIn]),
      )
    : step(
        'maturity',
        'deny',
        `${to.name} (${to.tier}) is below ${from.name} (${from.tier}) and not in allowed_imports.lower_tier`,
        manifestAt(['allowed_imports']),
      );
}
