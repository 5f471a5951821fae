/**
 * What mutation testing runs, per target: the source files mutated, the only tests run against them
 * (a module's own tests — another module's tests killing its mutants would overstate its strength),
 * and the score the target must reach.
 */
export interface MutationTarget {
  readonly id: string;
  /** The module the score is evidence for (its name in module.yaml). */
  readonly module: string;
  readonly mutate: readonly string[];
  readonly tests: readonly string[];
  /** Test files matched by `tests` that are still not run (each with its reason beside the target). */
  readonly skipTests?: readonly string[];
  /** Minimum mutation score in percent (string-literal mutants excluded, see README). */
  readonly threshold: number;
}

const sources = (dir: string): string[] => [
  `${dir}/**/*.ts`,
  `!${dir}/**/*.test.ts`,
  `!${dir}/**/index.ts`,
  `!${dir}/**/testing/**`,
  `!${dir}/**/*.test-support.ts`,
];

export const MUTATION_TARGETS: readonly MutationTarget[] = [
  {
    id: 'router',
    module: 'router',
    mutate: sources('framework/router'),
    tests: ['framework/router/**/*.test.ts'],
    threshold: 85,
  },
  {
    id: 'contract',
    module: 'contract',
    mutate: [
      'framework/contract/api-error.ts',
      'framework/contract/body.ts',
      'framework/contract/response.ts',
      'framework/contract/response-writer.ts',
    ],
    tests: ['framework/contract/**/*.test.ts'],
    threshold: 85,
  },
  {
    id: 'middleware',
    module: 'middleware',
    mutate: sources('framework/middleware/cors').concat(sources('framework/middleware/timeout')),
    tests: ['framework/middleware/cors/**/*.test.ts', 'framework/middleware/timeout/**/*.test.ts'],
    threshold: 85,
  },
  {
    id: 'rule-engine',
    module: 'tools',
    mutate: ['tools/boundaries/find-violations.ts', 'tools/boundaries/judge.ts'],
    // The engine's own tests: the extractor, cache and CLI tests build fixture repositories too and
    // tripled the run without reaching these files.
    tests: [
      'tools/boundaries/rule-engine.test.ts',
      'tools/boundaries/find-violations.test.ts',
      'tools/boundaries/rulebook.test.ts',
      'tools/boundaries/explain.test.ts',
    ],
    threshold: 85,
  },
  {
    id: 'core',
    module: 'core',
    mutate: sources('framework/core'),
    tests: ['framework/core/**/*.test.ts'],
    threshold: 75,
  },
  {
    id: 'security',
    module: 'security',
    mutate: sources('framework/security'),
    tests: ['framework/security/**/*.test.ts'],
    threshold: 75,
  },
  // The conformance suites and crash fixtures are test code other adapters run, not store behaviour.
  {
    id: 'store',
    module: 'store',
    mutate: [...sources('framework/store'), '!framework/store/conformance/**', '!framework/store/**/fixtures/**'],
    tests: ['framework/store/**/*.test.ts'],
    threshold: 75,
  },
  {
    id: 'health',
    module: 'health',
    mutate: sources('framework/health'),
    tests: ['framework/health/**/*.test.ts'],
    threshold: 75,
  },
  { id: 'log', module: 'log', mutate: sources('framework/log'), tests: ['framework/log/**/*.test.ts'], threshold: 75 },
  {
    id: 'metrics',
    module: 'metrics',
    mutate: sources('framework/metrics'),
    tests: ['framework/metrics/**/*.test.ts'],
    threshold: 75,
  },
  {
    id: 'loader',
    module: 'tools',
    mutate: sources('tools/control-plane'),
    // The loader's own fixture tests. Left out: repo.test.ts loads this repository (a check of its
    // specs that costs seconds per mutant and pins no loader behaviour the fixtures do not), and
    // model-schemas.test.ts compares model.ts's types with the schemas through ts-morph (no runtime
    // code of the loader runs in it).
    tests: ['tools/control-plane/**/*.test.ts'],
    skipTests: ['tools/control-plane/repo.test.ts', 'tools/control-plane/model-schemas.test.ts'],
    threshold: 75,
  },
];

export function findTargets(ids: readonly string[]): MutationTarget[] {
  if (ids.length === 0) return [...MUTATION_TARGETS];
  return ids.map((id) => {
    const t = MUTATION_TARGETS.find((x) => x.id === id);
    if (!t) throw new Error(`unknown mutation target '${id}' (known: ${MUTATION_TARGETS.map((x) => x.id).join(', ')})`);
    return t;
  });
}
