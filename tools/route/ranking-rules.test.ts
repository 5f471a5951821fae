import { describe, expect, it } from 'vitest';
import type { Module } from '../control-plane/index.ts';
import { getRoutingIndex } from './build-index.ts';
import { readDefaultLexicon } from './default-lexicon.ts';
import { resolveRouteOptions } from './options.ts';
import { routeWork, type RouteAnswer, type RouteResult } from './route-work.ts';
import { scoreModules } from './score.ts';
import { getTerms } from './tokenise.ts';
import {
  createFixtureModule,
  createFixturePlane,
  FIXTURE_MODULES,
  FIXTURE_TASK_ROUTING_WITH_APPS,
  FIXTURE_TAXONOMY,
} from './testing/fixture-plane.ts';

// The ranking rules of #22, each against a plane built to show it: with the rule the owner wins, without it
// (its option at 0, or the spec fact removed) another module does.

const answer = (result: RouteResult): RouteAnswer => {
  if (result.kind !== 'answer') throw new Error(`expected an answer, got ${result.kind}`);
  return result;
};

const replace = (name: string, module: Module): Module[] => FIXTURE_MODULES.map((m) => (m.name === name ? module : m));

describe('a non-goal never counts the words a module claims in its name, primer or taxonomy entry', () => {
  const tokenizer = (nonGoals: string[]): Module =>
    createFixtureModule({
      name: 'x/ai/tokenizer',
      path: 'framework/x/ai/tokenizer',
      layer: 'extension',
      status: 'experimental',
      summary: 'Local counting per model, offline.',
      primer_question: 'token counting before a model call',
      responsibilities: ['Exact counts for known models'],
      non_goals: nonGoals,
    });
  const provider = createFixtureModule({
    name: 'x/ai/provider',
    path: 'framework/x/ai/provider',
    layer: 'extension',
    status: 'beta',
    summary: 'Provider adapters for model APIs, token counting through the vendor API included.',
    responsibilities: ['Completion calls to model vendors'],
    non_goals: ['Counting tokens locally (x/ai/tokenizer)'],
  });
  const planeWith = (nonGoals: string[]) =>
    createFixturePlane({ modules: [...FIXTURE_MODULES, tokenizer(nonGoals), provider] });
  const disclaimer = 'Counting tokens through the vendor API (x/ai/provider owns that)';

  it('the owner keeps the words of its own primer even when a non-goal repeats them', () => {
    const ask = 'count tokens of a prompt before calling the model';
    const a = answer(routeWork(planeWith([disclaimer]), ask, { top: 5 }));
    expect(a.module.name).toBe('x/ai/tokenizer');
    // "count" and "token" are the module's own ground: the non-goal that repeats them subtracts nothing.
    const index = getRoutingIndex(planeWith([disclaimer]), readDefaultLexicon());
    const own = scoreModules(index, getTerms(ask, readDefaultLexicon()), resolveRouteOptions({})).find(
      (s) => s.name === 'x/ai/tokenizer',
    )!;
    expect(own.nonGoal).toBeUndefined();
  });

  it('the non-goal still counts with its other words, and refers the work to the module it names', () => {
    const ask = 'count tokens through the vendor API';
    const penalised = answer(routeWork(planeWith([disclaimer]), ask, { top: 10 }));
    const free = answer(routeWork(planeWith([]), ask, { top: 10 }));
    const score = (a: RouteAnswer, name: string): number | undefined => a.ranked.find((r) => r.name === name)?.score;
    expect(score(penalised, 'x/ai/tokenizer')).toBeLessThan(score(free, 'x/ai/tokenizer')!);
    expect(penalised.module.name).toBe('x/ai/provider');
  });
});

describe('a module name that is a synonym phrase keeps each of its words', () => {
  // The shipped lexicon reads "docs site" as the one term "docs"; the name docs-site must still say "site".
  const docsSite = createFixtureModule({
    name: 'docs-site',
    path: 'docs-site',
    layer: 'tooling',
    summary: 'Documentation pages rendered from generated data.',
    responsibilities: ['Primers and guides'],
    non_goals: ['Library code'],
  });
  const siteData = createFixtureModule({
    name: 'tools/site-data',
    path: 'tools/site-data',
    layer: 'tooling',
    summary: 'The one generated data file the site reads.',
    responsibilities: ['Deriving the data file from the plane'],
    non_goals: ['Rendering pages (docs-site)'],
  });
  const plane = createFixturePlane({ modules: [...FIXTURE_MODULES, docsSite, siteData] });

  it('indexes "site" as a word of the name docs-site', () => {
    const index = getRoutingIndex(plane, readDefaultLexicon());
    expect(getTerms('docs-site', readDefaultLexicon())).toEqual(['docs']);
    const kinds = index.byName
      .get('docs-site')!
      .termTexts.get('site')
      ?.map((t) => t.kind);
    expect(kinds).toContain('name');
  });

  it('routes a page-styling problem on the site to docs-site, naming the word as module name evidence', () => {
    // The fixture makes the two a tie on the best-field sum; the likelihood score, which would count
    // site-data's second use of the word, is off so that the name rule is seen alone.
    const a = answer(routeWork(plane, 'the sidebar colours on the site are unreadable', { lmWeight: 0 }));
    expect(a.module.name).toBe('docs-site');
    expect(a.words).toContainEqual(expect.objectContaining({ word: 'site', field: 'module name' }));
  });
});

describe('scores equal up to floating-point noise are ties broken by name', () => {
  // b-mod: the word in its summary at weight 3, minus half of it for a non-goal; a-mod: the word in its
  // primer at 2.5. Both are 2.5 × idf on paper; floating point need not agree in the last bits.
  const plane = createFixturePlane({
    modules: [
      ...FIXTURE_MODULES,
      createFixtureModule({
        name: 'b-mod',
        path: 'tools/b-mod',
        layer: 'tooling',
        summary: 'Widget frobs.',
        responsibilities: ['Frobs'],
        non_goals: ['Widget polish'],
      }),
      createFixtureModule({
        name: 'a-mod',
        path: 'tools/a-mod',
        layer: 'tooling',
        summary: 'Parts.',
        primer_question: 'widget parts',
        responsibilities: ['Parts'],
        non_goals: ['Library code'],
      }),
    ],
  });

  it('orders the two by name whatever the last bits of their scores', () => {
    const index = getRoutingIndex(plane, readDefaultLexicon());
    const ranked = scoreModules(
      index,
      ['widget'],
      resolveRouteOptions({ summaryWeight: 3, primerWeight: 2.5, lmWeight: 0 }),
    );
    expect(ranked.slice(0, 2).map((s) => s.name)).toEqual(['a-mod', 'b-mod']);
    expect(Math.abs(ranked[0]!.score - ranked[1]!.score)).toBeLessThan(1e-9);
  });
});

describe("a description that names a routing rule's area (its start_here) points at the rule's targets", () => {
  const plane = createFixturePlane({
    modules: [
      ...FIXTURE_MODULES,
      createFixtureModule({
        name: 'reference/shop',
        path: 'reference/shop',
        layer: 'reference',
        summary: 'A runnable shop service with JWT login, security headers and tracing turned on.',
        responsibilities: ['Wiring login on route groups'],
        non_goals: ['Library code'],
      }),
      createFixtureModule({
        name: 'security',
        path: 'framework/security',
        layer: 'stable',
        summary: 'Login and JWT primitives.',
        primer_question: 'login, JWT and security headers',
        responsibilities: ['JWT verification'],
        non_goals: ['Wiring a service'],
      }),
    ],
    taskRouting: FIXTURE_TASK_ROUTING_WITH_APPS,
  });
  const ask = 'the reference app with JWT login';

  it('the reference app wins when the description names the area', () => {
    const a = answer(routeWork(plane, ask));
    expect(a.module.name).toBe('reference/shop');
  });

  it('without the area-name weight the primitives module wins on its primer', () => {
    expect(answer(routeWork(plane, ask, { ruleNameWeight: 0 })).module.name).toBe('security');
  });

  it('a description that does not name the area gets no area-name credit', () => {
    const withWeight = answer(routeWork(plane, 'JWT login and security headers', { top: 10 }));
    const without = answer(routeWork(plane, 'JWT login and security headers', { top: 10, ruleNameWeight: 0 }));
    expect(withWeight.ranked).toEqual(without.ranked);
  });
});

describe('go narrower when the subordinate defining texts cover the description', () => {
  const root = FIXTURE_MODULES.find((m) => m.name === 'x/gateway')!;
  const plane = createFixturePlane({
    modules: [
      ...replace(
        'x/gateway',
        createFixtureModule(
          {
            ...root.manifest,
            summary: 'An edge reverse proxy forwarding requests to upstream pools, with header and path rewrites.',
          },
          'x/gateway',
        ),
      ),
      createFixtureModule(
        {
          name: 'x/gateway/transform',
          path: 'framework/x/gateway/transform',
          layer: 'extension',
          status: 'experimental',
          parent: 'x/gateway',
          summary: 'Transforms for proxied traffic under size limits.',
          responsibilities: ['Body rewrites'],
          non_goals: ['Proxying requests (x/gateway)'],
        },
        'x/gateway',
      ),
    ],
    taxonomy: {
      families: FIXTURE_TAXONOMY.families.map((f) =>
        f.root === 'x/gateway'
          ? {
              ...f,
              narrower_when: 'The task is clearly discovery- or transform-specific',
              subordinates: [
                ...f.subordinates,
                { name: 'x/gateway/transform', module: true, when: 'rewriting headers or paths of proxied traffic' },
              ],
            }
          : f,
      ),
    },
  });
  const ask = 'rewrite the path and add a header before forwarding to the upstream';

  it('moves the work to the subordinate whose "when" carries most of the description', () => {
    const a = answer(routeWork(plane, ask));
    expect(a.module.name).toBe('x/gateway/transform');
    expect(a.narrowing).toMatchObject({ from: 'x/gateway', to: 'x/gateway/transform' });
  });

  it('keeps the family root with the coverage rule off', () => {
    expect(answer(routeWork(plane, ask, { narrowerCoverage: 0 })).module.name).toBe('x/gateway');
  });

  it('keeps the family root when the subordinate covers only part of the description', () => {
    const a = answer(routeWork(plane, 'forward requests to upstream pools with load balancing and a header rewrite'));
    expect(a.module.name).toBe('x/gateway');
  });
});

describe('the query-likelihood score prefers the module whose texts are about the word', () => {
  // Both modules name "retry" in a responsibility, so the best-field sum ties them (and the name breaks the
  // tie for x/alpha); x/beta says it twice in a short manifest, x/alpha once among many other duties.
  const alpha = (primer?: string): Module =>
    createFixtureModule({
      name: 'x/alpha',
      path: 'framework/x/alpha',
      layer: 'extension',
      summary: 'Assorted helpers for services.',
      ...(primer ? { primer_question: primer } : {}),
      responsibilities: [
        'Retry of outbound calls',
        'Parsing of cookies and forwarded headers',
        'Formatting of dates and durations',
        'Hashing and comparing passwords',
        'Compressing response bodies',
        'Caching of lookups with expiry',
      ],
      non_goals: ['Library roots'],
    });
  const beta = createFixtureModule({
    name: 'x/beta',
    path: 'framework/x/beta',
    layer: 'extension',
    summary: 'Policies for flaky upstreams.',
    responsibilities: ['Retry with a growing delay', 'Retry budgets'],
    non_goals: ['Library roots'],
  });
  const planeWith = (a: Module) => createFixturePlane({ modules: [...FIXTURE_MODULES, a, beta] });

  it('the module about the word wins a best-field tie', () => {
    expect(answer(routeWork(planeWith(alpha()), 'retry')).module.name).toBe('x/beta');
  });

  it('with the score off the tie goes to the first name', () => {
    expect(answer(routeWork(planeWith(alpha()), 'retry', { lmWeight: 0 })).module.name).toBe('x/alpha');
  });

  it('does not outweigh a stronger field: the word in the primer question keeps the work', () => {
    expect(answer(routeWork(planeWith(alpha('retry of outbound calls')), 'retry')).module.name).toBe('x/alpha');
  });

  it('refuses a zero prior while the score is on', () => {
    expect(() => routeWork(planeWith(alpha()), 'retry', { lmMu: 0 })).toThrow(RangeError);
    expect(answer(routeWork(planeWith(alpha()), 'retry', { lmMu: 0, lmWeight: 0 })).module.name).toBe('x/alpha');
  });
});

describe('route options of #22 reject bad values', () => {
  it('refuses negative or non-finite area-name and coverage weights', () => {
    const plane = createFixturePlane();
    expect(() => routeWork(plane, 'route', { ruleNameWeight: -1 })).toThrow(RangeError);
    expect(() => routeWork(plane, 'route', { narrowerCoverage: Number.POSITIVE_INFINITY })).toThrow(RangeError);
  });
});

describe('an umbrella with no code of its own hands the work to the module inside it that matches best', () => {
  // The umbrella's responsibilities sum up its nested modules, so it outscores each of them on their own words.
  const umbrella = createFixtureModule({
    name: 'tools',
    path: 'tools',
    layer: 'tooling',
    summary: 'The control plane tools: spec loader, boundary gate, reporters and task router.',
    primer_question: 'ownership rules, import boundaries and reports',
    responsibilities: ['Reporting violations as SARIF and annotations', 'The boundary check over imports'],
    non_goals: ['Library code'],
  });
  const report = createFixtureModule({
    name: 'tools/report',
    path: 'tools/report',
    layer: 'tooling',
    summary: 'Reporters from violations to text and SARIF.',
    responsibilities: ['Exit codes'],
    non_goals: ['Finding violations'],
    allowed_imports: { modules: ['tools/control-plane'], packages: [] },
    public_entrypoints: ['formatReport'],
  });
  const modules = (top: Module): Module[] => [...replace('tools', top), report];
  const ask = 'print violations as SARIF';

  it('the nested module wins when it earns the share of the umbrella score', () => {
    const a = answer(routeWork(createFixturePlane({ modules: modules(umbrella) }), ask));
    expect(a.module.name).toBe('tools/report');
    expect(a.narrowing).toMatchObject({ from: 'tools', to: 'tools/report' });
  });

  it('without the rule the umbrella wins on the words it repeats', () => {
    const a = answer(routeWork(createFixturePlane({ modules: modules(umbrella) }), ask, { umbrellaShare: 100 }));
    expect(a.module.name).toBe('tools');
  });

  it('a module with code of its own (an export or an import) is no umbrella', () => {
    const withCode = createFixtureModule({ ...umbrella.manifest, public_entrypoints: ['run'] });
    const a = answer(routeWork(createFixturePlane({ modules: modules(withCode) }), ask));
    expect(a.module.name).toBe('tools');
    expect(a.narrowing).toBeUndefined();
  });

  it('the umbrella keeps work no nested module matches well enough', () => {
    const a = answer(
      routeWork(createFixturePlane({ modules: modules(umbrella) }), 'ownership rules of import boundaries'),
    );
    expect(a.module.name).toBe('tools');
  });

  it('refuses a negative umbrella share', () => {
    expect(() => routeWork(createFixturePlane(), 'route', { umbrellaShare: -0.5 })).toThrow(RangeError);
  });
});

describe('a description that names an area no module claims goes to that area', () => {
  // "card" is a word of the task area's start_here ("Task Cards") and of no module's name, primer or taxonomy.
  const filter = createFixtureModule({
    name: 'x/ai/filter',
    path: 'framework/x/ai/filter',
    layer: 'extension',
    status: 'experimental',
    summary: 'Redaction of secrets and personal data (emails, credit cards, phone numbers) before prompts leave.',
    primer_question: 'redacting secrets and personal data from prompts',
    responsibilities: ['Secret and PII detectors'],
    non_goals: ['Logging'],
  });
  const plane = createFixturePlane({ modules: [...FIXTURE_MODULES, filter] });

  it('the card area wins over the module the card is about', () => {
    const r = routeWork(plane, 'move the card about the gateway upstream proxy back');
    expect(r.kind === 'area' && r.rule.paths).toEqual(['tasks']);
  });

  it('the same words without the card go to the module', () => {
    expect(answer(routeWork(plane, 'the gateway upstream proxy')).module.name).toBe('x/gateway');
  });

  it('a module that uses the word itself keeps the work (credit card numbers are redaction)', () => {
    expect(answer(routeWork(plane, 'strip credit card numbers from prompts')).module.name).toBe('x/ai/filter');
  });
});

describe('go narrower to the subordinate the family condition names when the description uses its name', () => {
  // x/data's primer lists caches too, so "cache" is no evidence against the root; its narrower_when
  // ("clearly cache-specific") says a cache description belongs to x/data/cache.
  const root = FIXTURE_MODULES.find((m) => m.name === 'x/data')!;
  const plane = createFixturePlane({
    modules: replace(
      'x/data',
      createFixtureModule(
        {
          ...root.manifest,
          primer_question: 'moving data to PostgreSQL or Redis, replicas, sharding, or a server-backed cache',
          summary: 'Server-backed data: Redis and PostgreSQL backends, replicas, sharding and caches.',
        },
        'x/data',
      ),
    ),
  });
  const ask = 'a Redis backend for the cache';

  it('the named subordinate takes the work', () => {
    const a = answer(routeWork(plane, ask));
    expect(a.module.name).toBe('x/data/cache');
    expect(a.narrowing).toMatchObject({ from: 'x/data', to: 'x/data/cache', terms: ['cache'] });
    expect(a.narrowing?.condition).toBe(FIXTURE_TAXONOMY.families.find((f) => f.root === 'x/data')!.narrower_when);
  });

  it('the root keeps it with the rule off', () => {
    expect(answer(routeWork(plane, ask, { namedNarrowing: 0 })).module.name).toBe('x/data');
  });

  it('the root keeps work that does not use the subordinate name', () => {
    expect(answer(routeWork(plane, 'move data to Redis and PostgreSQL replicas')).module.name).toBe('x/data');
  });

  const otherCondition = createFixturePlane({
    modules: plane.modules,
    taxonomy: {
      families: FIXTURE_TAXONOMY.families.map((f) =>
        f.root === 'x/data' ? { ...f, narrower_when: 'The task is clearly about one backend' } : f,
      ),
    },
  });

  it('at level 1 (the default) a subordinate the condition does not name gets nothing from its name', () => {
    expect(answer(routeWork(otherCondition, ask)).module.name).toBe('x/data');
    expect(answer(routeWork(otherCondition, ask, { namedNarrowing: 1 })).module.name).toBe('x/data');
  });

  it('at level 2 naming any subordinate is enough, whatever the condition says', () => {
    const a = answer(routeWork(otherCondition, ask, { namedNarrowing: 2 }));
    expect(a.module.name).toBe('x/data/cache');
    expect(a.narrowing).toMatchObject({ from: 'x/data', to: 'x/data/cache', terms: ['cache'] });
    // The reason names what moved the work, not a condition that speaks of something else.
    expect(a.narrowing?.condition).toBe('the description names x/data/cache');
    expect(a.reason).toContain('went narrower from x/data: the description names x/data/cache');
  });
});
