/** `plumego route`'s entry: route-core.ts with the lexicon shipped in lexicon.yaml and the modules' READMEs. */
import type { RoutingPlane } from './build-index.ts';
import { readDefaultLexicon } from './default-lexicon.ts';
import { attachModuleReadmes } from './module-docs.ts';
import type { RouteOptions } from './options.ts';
import { routeWorkWith, type RouteResult } from './route-core.ts';
import type { Lexicon } from './tokenise.ts';

export type { RankedModule, RouteAnswer, RouteArea, RouteRefusal, RouteResult } from './route-core.ts';
export { routeWorkWith } from './route-core.ts';

export function routeWork(
  plane: RoutingPlane,
  description: string,
  options: RouteOptions = {},
  lexicon: Lexicon = readDefaultLexicon(),
): RouteResult {
  // A plane loaded from a repository reads its modules' READMEs once; a fixture plane routes without them.
  return routeWorkWith(attachModuleReadmes(plane), description, options, lexicon);
}
