/**
 * The routing plane and lexicon as plain JSON for the docs site's router page, which runs
 * route-core.ts's routeWorkWith on it in the browser: the page and `plumego route` share one scoring
 * implementation and the same inputs (error codes and README prose included), so they give the same answers.
 */
import type { RoutingPlane } from './build-index.ts';
import { attachModuleReadmes } from './module-docs.ts';
import { attachModuleSources } from './module-source.ts';
import { createLexicon, type LexiconSource } from './tokenise.ts';

/**
 * 2: the plane carries the error codes and the modules' README prose the ranking reads;
 * 3: and the modules' code as terms (`sources`, module-source.ts).
 */
export const ROUTER_INDEX_VERSION = 3;

export interface RouterIndex {
  readonly version: number;
  readonly plane: RoutingPlane;
  readonly lexicon: LexiconSource;
}

export function buildRouterIndex(source: RoutingPlane, lexicon: LexiconSource): RouterIndex {
  // The code terms depend on the lexicon: built with the very lexicon the page routes with.
  const plane = attachModuleSources(attachModuleReadmes(source), createLexicon(lexicon));
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
      ...(plane.sources ? { sources: plane.sources } : {}),
    },
    lexicon: { stopwords: [...lexicon.stopwords], synonyms: lexicon.synonyms.map((g) => [...g]) },
  };
}
