/**
 * The rules of specs/dependency-rules.yaml as the gate uses them. Rules with selectors
 * (from_layers, to_layers, to_modules) are evaluated generically, in spec order; the others name a
 * semantic rule the gate implements by id. Removing a semantic rule from the spec turns it off.
 */
import { ConfigError, type DependencyRule, type Layer, type Module, type SourcePos } from '../control-plane/index.ts';
import type { BoundaryPlane } from './types.ts';

export const RULES_FILE = 'specs/dependency-rules.yaml';

/** Semantic rules the gate implements; each takes its severity, rationale and fix from the spec. */
export const SEMANTIC_RULES = [
  'default-deny',
  'no-foreign-tests',
  'maturity',
  'public-entry-only',
  'no-module-cycles',
  'npm-allowlist',
  'npm-undeclared',
  'builtin-policy',
  'unresolved-import',
  'unowned-file',
] as const;
export type SemanticRule = (typeof SEMANTIC_RULES)[number];

/**
 * Rules about the gate's own input (not about an import), used when the spec does not declare them.
 * They cannot be turned off: an unreadable file or a stale baseline must never pass silently.
 */
export const GATE_RULES: Readonly<Record<string, DependencyRule>> = {
  'unparseable-file': {
    id: 'unparseable-file',
    severity: 'error',
    summary: 'Every scanned source file parses.',
    rationale:
      'Imports in a file the parser cannot read are invisible to the gate, so nothing about that file is checked.',
    fix: 'Fix the syntax error at the reported position.',
  },
  'baseline-stale': {
    id: 'baseline-stale',
    severity: 'error',
    summary: 'Every baseline entry still matches a violation.',
    rationale: 'A frozen violation that was fixed must leave the baseline, or the slot silently lets it come back.',
    fix: 'Remove the entry from the baseline file (or run plumego check --update-baseline).',
  },
  'baseline-expired': {
    id: 'baseline-expired',
    severity: 'error',
    summary: 'No baseline entry is past its expiry date.',
    rationale: 'An expiry is a promise to fix the violation by then; the ratchet holds the promise.',
    fix: 'Fix the violation, or extend expires with a reason the owner agrees to.',
  },
};

export interface SelectorRule {
  readonly rule: DependencyRule;
  readonly index: number;
}

export interface RuleBook {
  /** The rule with this id if the spec declares it (gate rules always exist). */
  get(id: string): DependencyRule | undefined;
  /** Position of the rule in the spec (file start for gate rules). */
  at(id: string): SourcePos;
  readonly selectorRules: readonly SelectorRule[];
  /** Rank of a tier (higher = more mature). */
  rank(tier: Module['tier']): number;
}

export function hasSelectors(rule: DependencyRule): boolean {
  return Boolean(rule.from_layers || rule.to_layers || rule.to_modules);
}

/**
 * Builds the rule book. Configuration errors: a rule id without selectors that the gate does not
 * implement, and an exception that names a module no manifest declares (it would silently never match).
 */
export function createRuleBook(
  plane: Pick<BoundaryPlane, 'dependencyRules' | 'repo' | 'locate' | 'modules'>,
): RuleBook {
  assertModuleNames(plane);
  const rules = plane.dependencyRules.rules;
  const byId = new Map<string, { rule: DependencyRule; index: number }>();
  const selectorRules: SelectorRule[] = [];
  rules.forEach((rule, index) => {
    byId.set(rule.id, { rule, index });
    if (hasSelectors(rule)) selectorRules.push({ rule, index });
    else if (!(SEMANTIC_RULES as readonly string[]).includes(rule.id) && !GATE_RULES[rule.id]) {
      const at = plane.locate(RULES_FILE, ['rules', index, 'id']);
      throw new ConfigError(
        'PLUMEGO_ERR_UNKNOWN_RULE',
        `${at.file}:${at.line}:${at.column}: rule '${rule.id}' has no selectors and is not a rule the boundary gate implements`,
        at,
        `Give it from_layers/to_layers/to_modules, or use one of: ${SEMANTIC_RULES.join(', ')}.`,
      );
    }
  });
  const ranks = new Map(plane.repo.tiers.map((t) => [t.id, t.rank]));
  return {
    get: (id) => byId.get(id)?.rule ?? GATE_RULES[id],
    at: (id) => {
      const found = byId.get(id);
      return found ? plane.locate(RULES_FILE, ['rules', found.index]) : { file: RULES_FILE, line: 0, column: 0 };
    },
    selectorRules,
    rank: (tier) => ranks.get(tier) ?? 0,
  };
}

/** Whether a selector rule covers an edge between these modules. */
export function matchesSelectors(
  rule: DependencyRule,
  from: { layer: Layer },
  to: { layer: Layer; name: string },
): boolean {
  if (rule.from_layers && !rule.from_layers.includes(from.layer)) return false;
  if (rule.to_layers && !rule.to_layers.includes(to.layer)) return false;
  if (rule.to_modules && !rule.to_modules.some((m) => to.name === m || to.name.startsWith(`${m}/`))) return false;
  return true;
}

function assertModuleNames(plane: Pick<BoundaryPlane, 'dependencyRules' | 'locate' | 'modules'>): void {
  const known = (name: string): boolean => plane.modules.some((m) => m.name === name || m.name.startsWith(`${name}/`));
  const fail = (path: (string | number)[], what: string): never => {
    const at = plane.locate(RULES_FILE, path);
    throw new ConfigError(
      'PLUMEGO_ERR_UNKNOWN_MODULE',
      `${at.file}:${at.line}:${at.column}: ${what}, which no module.yaml declares`,
      at,
      `Use a declared module name (${plane.modules
        .map((m) => m.name)
        .slice(0, 12)
        .join(', ')}, …) or remove the entry.`,
    );
  };
  // A global rule's to_modules may name a module a repository does not have (no bench/): the rule is
  // then vacuous, not wrong. An exception is about one concrete edge, so its module must exist.
  plane.dependencyRules.exceptions.forEach((e, i) => {
    if (!known(e.from))
      fail(['exceptions', i, 'from'], `exception for rule '${e.rule}' names module '${e.from}' in from`);
  });
}
