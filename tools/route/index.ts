export { buildRoutingIndex, getRoutingIndex, type RoutingIndex, type RoutingPlane } from './build-index.ts';
export {
  DEFAULT_CASES_FILE,
  evaluateRouting,
  formatEvaluation,
  readRoutingCases,
  RoutingCasesError,
  type RoutingCase,
  type RoutingEvaluation,
} from './routing-accuracy.ts';
export { DEFAULT_ROUTE_OPTIONS, resolveRouteOptions, type ResolvedRouteOptions, type RouteOptions } from './options.ts';
export { formatRouteResult } from './render-route.ts';
export { routeWork, type RouteAnswer, type RouteRefusal, type RouteResult } from './route-work.ts';
export {
  ROUTING_EXPORT_VERSION,
  buildRoutingExport,
  type RoutingExport,
  type RoutingExportPlane,
} from './routing-export.ts';
export { createLexicon, getTerms, type Lexicon } from './tokenise.ts';
export { readDefaultLexicon, readDefaultLexiconSource } from './default-lexicon.ts';
export { buildRouterIndex, ROUTER_INDEX_VERSION, type RouterIndex } from './browser-index.ts';
export { routeWorkWith } from './route-work.ts';
