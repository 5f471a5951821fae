// tools/scaffold's public entry: what the new, generate, routes and dev commands use.
export { TEMPLATES, type TemplateInfo } from './catalog.ts';
export { startDev, type DevOptions } from './dev-process.ts';
export { ScaffoldError } from './errors.ts';
export { generateCode, type CodeKind } from './generate-code.ts';
export { generateModule } from './generate-module.ts';
export { readPlumegoPackage, type PlumegoPackage } from './package-info.ts';
export { readRoutes } from './read-routes.ts';
export { scaffoldProject, type ScaffoldOptions, type ScaffoldResult } from './scaffold-project.ts';
