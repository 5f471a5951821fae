import { describe, expect, it } from 'vitest';
import type { Module } from '../control-plane/index.ts';
import { getRoutingIndex } from './build-index.ts';
import { readDefaultLexicon } from './default-lexicon.ts';
import { findModulePaths, getMention } from './mention.ts';
import { resolveRouteOptions } from './options.ts';
import { routeWork, type RouteAnswer, type RouteResult } from './route-work.ts';
import {
  createFixtureModule,
  createFixturePlane,
  FIXTURE_MODULES,
  FIXTURE_TASK_ROUTING_WITH_APPS,
} from './testing/fixture-plane.ts';

// A module named by its path is the object of the work when the other words name another owner clearly,
// and stays the owner when they do not.

const answer = (result: RouteResult): RouteAnswer => {
  if (result.kind !== 'answer') throw new Error(`expected an answer, got ${result.kind}`);
  return result;
};

const events: Module = createFixtureModule({
  name: 'reference/events-app',
  path: 'reference/events-app',
  layer: 'reference',
  summary: 'A runnable events service: publishes order events and consumes them with retries.',
  primer_question: 'the events service wiring',
  responsibilities: ['Wiring the event publisher and its consumers'],
  non_goals: ['Library code'],
});
const owners: Module = createFixtureModule({
  name: 'tools/owners',
  path: 'tools/owners',
  layer: 'tooling',
  summary: 'Writes the generated CODEOWNERS file from every manifest owner.',
  primer_question: 'the ownership file',
  responsibilities: ['One CODEOWNERS line per module path'],
  non_goals: ['Deciding who owns a module'],
});
const plane = createFixturePlane({ modules: [...FIXTURE_MODULES, events, owners] });

describe('findModulePaths', () => {
  it('finds paths that start like a nested module name, known or not', () => {
    expect(findModulePaths(plane, 'no CODEOWNERS line for reference/events-app or x/search yet')).toEqual([
      'reference/events-app',
      'x/search',
    ]);
    expect(findModulePaths(plane, "add x/data's cache adapter")).toEqual(['x/data']);
  });

  it('leaves URL paths, file names and other folders alone', () => {
    expect(findModulePaths(plane, 'GET /users/:id returns 404; see specs/error-codes.yaml')).toEqual([]);
    expect(findModulePaths(plane, 'open x/data/cache/index.ts and docs/guide')).toEqual([]);
    expect(findModulePaths(plane, 'a module with no path at all')).toEqual([]);
  });
});

describe('a module named by its path is the object of the work when the other words name another owner', () => {
  const ask = 'the generated CODEOWNERS file has no line for reference/events-app';

  it('routes to the owner the other words name, and says the path was read as the object', () => {
    const a = answer(routeWork(plane, ask));
    expect(a.module.name).toBe('tools/owners');
    expect(a.reason).toContain('reference/events-app read as what the work is about');
  });

  it('without the rule the named module wins on its own name', () => {
    expect(answer(routeWork(plane, ask, { mentionScore: 0 })).module.name).toBe('reference/events-app');
  });

  it('keeps the named module when the other words name no owner strongly enough', () => {
    // "add retries to consumers" reads weakly on its own: the path names the owner.
    const a = answer(routeWork(plane, 'add retries to the consumers of reference/events-app'));
    expect(a.module.name).toBe('reference/events-app');
    expect(a.reason).not.toContain('read as what the work is about');
  });

  it('keeps the named module when it still earns mentionShare of the other owner from the other words', () => {
    // Alone, "the generated CODEOWNERS line misses the event publisher" gives tools/owners 19.8 and the
    // events app 15.1 (its publisher): the path names the owner of a publisher problem, not an object.
    const ask2 = 'the generated CODEOWNERS line misses the event publisher of reference/events-app';
    expect(answer(routeWork(plane, ask2)).module.name).toBe('reference/events-app');
    expect(answer(routeWork(plane, ask2, { mentionShare: 1 })).module.name).toBe('tools/owners');
  });

  it('keeps the named module when the other words name that module itself', () => {
    const index = getRoutingIndex(plane, readDefaultLexicon());
    const o = resolveRouteOptions({ mentionScore: 1 });
    const m = getMention(
      plane,
      index,
      'reference/events-app: publish order events and consume them with retries',
      readDefaultLexicon(),
      o,
    );
    expect(m).toBeUndefined();
  });

  it('returns nothing when the path is all the description says', () => {
    const index = getRoutingIndex(plane, readDefaultLexicon());
    expect(getMention(plane, index, 'reference/events-app', readDefaultLexicon(), resolveRouteOptions({}))).toBe(
      undefined,
    );
    expect(answer(routeWork(plane, 'reference/events-app')).module.name).toBe('reference/events-app');
  });
});

describe("a description that names a reference app's area keeps the app's echoed words whole", () => {
  const gateway = createFixtureModule({
    name: 'x/gw',
    path: 'framework/x/gw',
    layer: 'extension',
    summary: 'Reverse proxy to upstream pools with health checks and readiness.',
    primer_question: 'proxying requests to upstream pools',
    responsibilities: ['Marking an upstream pool unhealthy'],
    non_goals: ['Service wiring'],
  });
  const app = createFixtureModule({
    name: 'reference/gw-app',
    path: 'reference/gw-app',
    layer: 'reference',
    summary: 'A runnable gateway service: upstream pools, health checks and readiness wired together.',
    responsibilities: ['Wiring the proxy, its upstream pool and its readiness into one service'],
    non_goals: ['Library code'],
    allowed_imports: { modules: ['x/gw'], packages: [] },
  });
  const withRule = createFixturePlane({
    modules: [...FIXTURE_MODULES, gateway, app],
    taskRouting: FIXTURE_TASK_ROUTING_WITH_APPS,
  });
  const ask = 'the example service reports ready while every upstream in its pool is unhealthy';

  it('the app wins when the description names its area ("example" is the lexicon term of a reference app)', () => {
    expect(answer(routeWork(withRule, ask)).module.name).toBe('reference/gw-app');
  });

  it('with the echo share applied regardless (namedAreaEcho 0) the library it imports wins', () => {
    expect(answer(routeWork(withRule, ask, { namedAreaEcho: 0 })).module.name).toBe('x/gw');
  });

  it('a description that does not name the area still goes to the library', () => {
    const plain = 'the proxy reports ready while every upstream in its pool is unhealthy';
    expect(answer(routeWork(withRule, plain)).module.name).toBe('x/gw');
    expect(answer(routeWork(withRule, plain, { top: 5 })).ranked).toEqual(
      answer(routeWork(withRule, plain, { top: 5, namedAreaEcho: 0 })).ranked,
    );
  });
});
