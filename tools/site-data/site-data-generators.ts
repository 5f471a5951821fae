import type { ControlPlane } from '../control-plane/index.ts';
import type { Generator } from '../sync/generators.ts';
import { buildSiteData } from './build-site-data.ts';
import { renderSiteDataFiles, SITE_DATA_FILE, SITE_TYPES_FILE, type GeneratedFile } from './render-site-data.ts';
import type { SiteDataExtras } from './site-context.ts';
import { collectSiteExtras } from './collect-extras.ts';

// Both files come from one build; a plane is rendered once however many generators ask.
const rendered = new WeakMap<ControlPlane, Promise<readonly GeneratedFile[]>>();

type GetExtras = (plane: ControlPlane) => SiteDataExtras | Promise<SiteDataExtras>;

async function getFile(plane: ControlPlane, path: string, getExtras: GetExtras): Promise<string | undefined> {
  let files = rendered.get(plane);
  if (!files) {
    files = Promise.resolve(getExtras(plane)).then((extras) => renderSiteDataFiles(buildSiteData(plane, extras)));
    rendered.set(plane, files);
  }
  return (await files).find((f) => f.path === path)?.content;
}

/**
 * The docs-site data and its types, registered in tools/sync/generators.ts so `plumego sync`
 * writes them and `plumego sync --check` fails when they drift from the specs.
 */
export function createSiteDataGenerators(getExtras: GetExtras = collectSiteExtras): Generator[] {
  return [
    { id: 'site-data', group: 'site-data', file: SITE_DATA_FILE, from: 'specs, module.yaml manifests and the boundary graph', render: (plane) => getFile(plane, SITE_DATA_FILE, getExtras) },
    { id: 'site-data-types', group: 'site-data', file: SITE_TYPES_FILE, from: 'tools/site-data/site-data-model.ts', render: (plane) => getFile(plane, SITE_TYPES_FILE, getExtras) },
  ];
}
