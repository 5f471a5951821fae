export { buildAdopterSite, SiteBuildError, writeHistoryFile } from './build-site.ts';
export { buildSiteData, SITE_DATA_HEADER } from './build-site-data.ts';
export { renderSiteDataFiles, SITE_DATA_FILE, SITE_TYPES_FILE, type GeneratedFile } from './render-site-data.ts';
export type { SiteDataExtras, SitePlane } from './site-context.ts';
export type * from './site-data-model.ts';
export { createSiteDataGenerators, type SiteDataGenerator } from './site-data-generators.ts';
export { validateHistory } from './history.ts';
