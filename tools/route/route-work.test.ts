import { describe, expect, it } from 'vitest';
import {
  createFixtureModule,
  createFixturePlane,
  FIXTURE_MODULES,
  FIXTURE_TASK_ROUTING,
} from './testing/fixture-plane.ts';
import { formatRouteResult } from './render-route.ts';
import { routeWork, type RouteAnswer, type RouteResult } from './route-work.ts';

const plane = createFixturePlane();

const answer = (result: RouteResult): RouteAnswer => {
  if (result.kind !== 'answer') throw new Error(`expected an answer, got a refusal: ${result.message}`);
  return result;
};

describe('routeWork: owner of a work description', () => {
  const table: { title: string; ask: string; expect: string; task?: string }[] = [
    {
      title: 'path parameters go to the router',
      ask: 'match path parameters in a route',
      expect: 'router',
      task: 'route_matching',
    },
    {
      title: 'a reverse proxy change stays on the gateway root',
      ask: 'forward requests to upstream services with load balancing',
      expect: 'x/gateway',
      task: 'gateway_edge',
    },
    { title: 'SPA fallback goes to x/frontend', ask: 'serve a single page app with fallback', expect: 'x/frontend' },
    {
      title: 'a folder-level subordinate keeps the family root',
      ask: 'shard rows across several databases',
      expect: 'x/data',
    },
    {
      title: 'import rules go to the tools',
      ask: 'the boundary check should catch this import',
      expect: 'tools',
      task: 'control_plane',
    },
  ];
  for (const row of table) {
    it(row.title, () => {
      const a = answer(routeWork(plane, row.ask));
      expect(a.module.name).toBe(row.expect);
      if (row.task) expect(a.task?.key).toBe(row.task);
    });
  }

  it('is deterministic', () => {
    expect(routeWork(plane, 'forward requests to upstream services')).toEqual(
      routeWork(plane, 'forward requests to upstream services'),
    );
  });
});

describe('routeWork: non-goals count against a module', () => {
  const ask = 'a redis adapter for the store cache contract';
  const withoutNonGoal = createFixturePlane({
    modules: FIXTURE_MODULES.map((m) =>
      m.name === 'store' ? createFixtureModule({ ...m.manifest, non_goals: ['Schema migrations'] }) : m,
    ),
  });

  it('without the non-goal the stable contract module wins', () => {
    expect(answer(routeWork(withoutNonGoal, ask)).module.name).toBe('store');
  });

  it('with "Redis or other remote cache adapters (x/data/cache)" as non-goal the work moves to x/data/cache', () => {
    const a = answer(routeWork(plane, ask));
    expect(a.module.name).toBe('x/data/cache');
    expect(a.reason).toContain('store names it as owner');
  });

  it('the penalty alone (no referral to the named owner) is what lowers the module', () => {
    const penalised = answer(routeWork(plane, ask, { nonGoalReferral: 0, top: 20 })).ranked.find(
      (r) => r.name === 'store',
    )!;
    const free = answer(routeWork(withoutNonGoal, ask, { nonGoalReferral: 0, top: 20 })).ranked.find(
      (r) => r.name === 'store',
    )!;
    expect(penalised.score).toBeLessThan(free.score);
  });
});

describe('routeWork: go narrower per the taxonomy', () => {
  const table = [
    {
      title: 'upstreams from a registry go narrower to discovery',
      ask: 'the reverse proxy should find its upstreams in a registry',
    },
    {
      title: 'proxy wording does not keep discovery work on the root',
      ask: 'proxy upstream discovery from consul registry',
    },
  ];
  for (const row of table) {
    it(row.title, () => {
      const a = answer(routeWork(plane, row.ask));
      expect(a.module.name).toBe('x/gateway/discovery');
      expect(a.narrowing).toMatchObject({
        from: 'x/gateway',
        to: 'x/gateway/discovery',
        condition: 'The task is clearly discovery-specific',
      });
      expect(a.reason).toContain('went narrower from x/gateway');
      // With narrowing switched off (all three ways of going narrower) the family root would have won: the
      // taxonomy decided it.
      const off = { narrowerShare: 1e9, namedNarrowing: 0, narrowerCoverage: 2 } as const;
      expect(answer(routeWork(plane, row.ask, off)).module.name).toBe('x/gateway');
    });
  }

  it('names the subordinate folder when it is not a module of its own', () => {
    expect(answer(routeWork(plane, 'shard rows across several databases')).folder?.name).toBe('x/data/shard');
  });
});

describe('routeWork: answer contents', () => {
  it('starts with the manifest and the task files, and avoids what the task and non-goals point away from', () => {
    const a = answer(routeWork(plane, 'match path parameters in a route'));
    expect(a.module).toEqual({
      name: 'router',
      path: 'framework/router',
      layer: 'stable',
      tier: 'ga',
      manifest: 'framework/router/module.yaml',
      implemented: true,
    });
    expect(a.startWith).toEqual(['framework/router/module.yaml', 'framework/router']);
    expect(a.avoid).toEqual(['framework/x/frontend']);
    expect(a.words.map((w) => w.word)).toContain('parameters');
  });

  it('never lists one path under both start and avoid, however the specs spell it', () => {
    const base = FIXTURE_TASK_ROUTING.tasks['route_matching']!;
    const spelled = createFixturePlane({
      taskRouting: {
        ...FIXTURE_TASK_ROUTING,
        tasks: {
          ...FIXTURE_TASK_ROUTING.tasks,
          route_matching: {
            ...base,
            start_with: ['./framework/router/module.yaml', 'framework/router/', 'framework/x/frontend'],
            avoid: ['framework/x/frontend/', './framework/router', 'framework/x/gateway/'],
          },
        },
      },
    });
    const a = answer(routeWork(spelled, 'match path parameters in a route'));
    expect(a.startWith).toEqual(['framework/router/module.yaml', 'framework/router', 'framework/x/frontend']);
    expect(a.avoid).toEqual(['framework/x/gateway']);
    expect(a.avoid.filter((p) => a.startWith.includes(p))).toEqual([]);
  });

  it('says when the module it picks has no code yet', () => {
    const declared = createFixturePlane({
      modules: FIXTURE_MODULES.map((m) => (m.name === 'router' ? { ...m, implemented: false } : m)),
    });
    const a = answer(routeWork(declared, 'match path parameters in a route'));
    expect(a.module.implemented).toBe(false);
    expect(formatRouteResult(a)).toMatch(
      /^note\s+router is declared \(framework\/router\/module.yaml\) but has no code yet/m,
    );
    expect(formatRouteResult(routeWork(plane, 'match path parameters in a route'))).not.toMatch(/^note/m);
  });

  it('shows the runner-up only when the margin is small', () => {
    expect(answer(routeWork(plane, 'match path parameters in a route')).runnerUp).toBeUndefined();
    const close = answer(routeWork(plane, 'redis adapter for the cache contract', { closeMargin: 1 }));
    expect(close.runnerUp?.name).toBe(close.ranked[1]?.name);
  });

  it('marks thin evidence or a close call as low confidence', () => {
    expect(answer(routeWork(plane, 'match path parameters in a route')).confidence).toBe('high');
    expect(answer(routeWork(plane, 'key-value', { confidentScore: 1e9 })).confidence).toBe('low');
    expect(answer(routeWork(plane, 'match path parameters in a route', { closeMargin: 2 })).confidence).toBe('low');
  });

  it('--top limits the ranking', () => {
    expect(answer(routeWork(plane, 'forward requests to upstream services', { top: 1 })).ranked).toHaveLength(1);
  });

  it('renders the owner, task, reason, start and avoid lines', () => {
    const text = formatRouteResult(routeWork(plane, 'match path parameters in a route'));
    for (const label of ['owner', 'task', 'why', 'start', 'avoid'])
      expect(text).toMatch(new RegExp(`^${label}\\s`, 'm'));
  });
});

describe('routeWork: work no module owns', () => {
  it('points at the routing rule whose target is an area, not a module', () => {
    const r = routeWork(plane, 'plan the milestones and what is blocked');
    expect(r).toMatchObject({ kind: 'area', rule: { id: 'task_queue', startHere: 'Task Cards', paths: ['tasks'] } });
    expect(formatRouteResult(r)).toMatch(/^area\s+Task Cards\s+\(tasks\)/m);
  });

  it('a module that matches better still wins', () => {
    expect(routeWork(plane, 'match path parameters in a route, planned as a milestone').kind).toBe('answer');
  });
});

describe('routeWork: bad input is refused, never guessed', () => {
  const table = [
    { title: 'empty', ask: '', problem: 'empty' },
    { title: 'whitespace', ask: '   \n ', problem: 'empty' },
    { title: 'only stop words', ask: 'please add it to the thing', problem: 'not-understood' },
    { title: 'nonsense words', ask: 'blorp the frobnicator', problem: 'not-understood' },
  ] as const;
  for (const row of table) {
    it(row.title, () => {
      const r = routeWork(plane, row.ask);
      expect(r.kind).toBe('refusal');
      if (r.kind !== 'refusal') return;
      expect(r.problem).toBe(row.problem);
      expect(r.rules.map((rule) => rule.id)).toEqual(['stable_root_work', 'repo_rules', 'task_queue']);
      expect(formatRouteResult(r)).toContain('Routing rules');
    });
  }

  it('names the words no spec uses', () => {
    const r = routeWork(plane, 'blorp the frobnicator');
    expect(r.kind === 'refusal' && r.unknownWords).toEqual(['blorp', 'frobnicator']);
  });

  it('rejects bad options when called, not later', () => {
    expect(() => routeWork(plane, 'route', { top: 0 })).toThrow(RangeError);
    expect(() => routeWork(plane, 'route', { nameWeight: Number.NaN })).toThrow(RangeError);
  });
});
