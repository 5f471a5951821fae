/**
 * The routing plane and lexicon as plain JSON for the docs site's router page, which runs
 * route-core.ts's routeWorkWith on it in the browser: the page and `plumego route` share one scoring
 * implementation and the same inputs (error codes and README prose included), so they give the same answers.
 */
import type { RoutingPlane } from './build-index.ts';
import { attachModuleReadmes } from './module-docs.ts';
import type { LexiconSource } from './tokenise.ts';

/** 2: the plane carries the error codes and the modules' README prose the ranking reads. */
export const ROUTER_INDEX_VERSION = 2;

export interface RouterIndex {
  readonly version: number;
  readonly plane: RoutingPlane;
  readonly lexicon: LexiconSource;
}

export function buildRouterIndex(source: RoutingPlane, lexicon: LexiconSource): RouterIndex {
  const plane = attachModuleReadmes(source);
  return {
    version: ROUTER_INDEX_VERSION,
    plane: {
      modules: plane.modules.map((m) => ({
        name: m.name,
        path: m.path,
        layer: m.layer,
        tier: m.tier,
        manifest: m.manifest,
        manifestFile: m.manifestFile,
        entry: m.entry,
        implemented: m.implemented,
        ...(m.family === undefined ? {} : { family: m.family }),
        ...(m.importSpecifier === undefined ? {} : { importSpecifier: m.importSpecifier }),
        ...(m.invalid ? { invalid: true as const } : {}),
      })),
      taskRouting: plane.taskRouting,
      taxonomy: plane.taxonomy,
      ...(plane.errorCodes ? { errorCodes: plane.errorCodes } : {}),
      ...(plane.readmes ? { readmes: plane.readmes } : {}),
    },
    lexicon: { stopwords: [...lexicon.stopwords], synonyms: lexicon.synonyms.map((g) => [...g]) },
  };
}
