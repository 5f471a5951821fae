import { describe, expect, it } from 'vitest';
import { buildRouterIndex } from './browser-index.ts';
import { readDefaultLexicon, readDefaultLexiconSource } from './default-lexicon.ts';
import { createFixturePlane } from './testing/fixture-plane.ts';
import { routeWork, routeWorkWith } from './route-work.ts';
import { createLexicon } from './tokenise.ts';

describe('the router index the docs site runs in the browser', () => {
  it('survives JSON and routes exactly as the CLI does, error codes and READMEs included', () => {
    const plane = {
      ...createFixturePlane(),
      errorCodes: [
        {
          code: 'UPSTREAM_UNREACHABLE',
          status: 502,
          category: 'server_error',
          module: 'x/gateway',
          description: 'No upstream answered.',
        },
      ],
      readmes: { 'x/gateway/discovery': 'Keeps the pool current from SRV records and a watched JSON file.' },
    };
    const index = JSON.parse(JSON.stringify(buildRouterIndex(plane, readDefaultLexiconSource()))) as ReturnType<
      typeof buildRouterIndex
    >;
    const lexicon = createLexicon(index.lexicon);
    expect(index.plane.readmes).toEqual(plane.readmes);
    expect(index.plane.errorCodes).toEqual(plane.errorCodes);
    for (const description of [
      'retry outbound calls with backoff',
      'add a route with a path parameter',
      '',
      'zzz qqq',
      'update a task card',
      'SRV records watched',
      'the upstream is unreachable',
    ]) {
      expect(routeWorkWith(index.plane, description, {}, lexicon)).toEqual(
        routeWork(plane, description, {}, readDefaultLexicon()),
      );
    }
  });
});
