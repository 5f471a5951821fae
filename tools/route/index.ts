export { buildRoutingIndex, getRoutingIndex, type RoutingIndex, type RoutingPlane } from './build-index.ts';
export { DEFAULT_CASES_FILE, evaluateRouting, formatEvaluation, readRoutingCases, type RoutingCase, type RoutingEvaluation } from './evaluate.ts';
export { DEFAULT_ROUTE_OPTIONS, resolveRouteOptions, type ResolvedRouteOptions, type RouteOptions } from './options.ts';
export { formatRouteResult } from './render-route.ts';
export { routeWork, type RouteAnswer, type RouteRefusal, type RouteResult } from './route-work.ts';
export { ROUTING_EXPORT_VERSION, buildRoutingExport, type RoutingExport, type RoutingExportPlane } from './routing-export.ts';
export { createLexicon, getTerms, readDefaultLexicon, type Lexicon } from './tokenise.ts';
