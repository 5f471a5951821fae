import type { ControlPlane, GeneratorId } from '../control-plane/index.ts';
import { buildSiteData } from './build-site-data.ts';
import { renderSiteDataFiles, SITE_DATA_FILE, SITE_TYPES_FILE, type GeneratedFile } from './render-site-data.ts';
import type { SiteDataExtras } from './site-context.ts';
import { collectSiteExtras } from './collect-extras.ts';

// Both files come from one build; a plane is rendered once however many generators ask.
const rendered = new WeakMap<ControlPlane, Promise<readonly GeneratedFile[]>>();

/**
 * A generated file as tools/sync runs it. Declared here, not imported from sync: sync registers these
 * generators (sync → site-data), so site-data importing sync's type would close a folder cycle.
 * sync's `Generator` has the same shape; its GENERATORS list type-checks that they stay compatible.
 */
export interface SiteDataGenerator {
  readonly id: string;
  readonly group: GeneratorId;
  readonly file: string;
  readonly from: string;
  render(plane: ControlPlane, current: string | undefined): Promise<string | undefined>;
}

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
export function createSiteDataGenerators(getExtras: GetExtras = collectSiteExtras): SiteDataGenerator[] {
  return [
    {
      id: 'site-data',
      group: 'site-data',
      file: SITE_DATA_FILE,
      from: 'specs, module.yaml manifests and the boundary graph',
      render: (plane) => getFile(plane, SITE_DATA_FILE, getExtras),
    },
    {
      id: 'site-data-types',
      group: 'site-data',
      file: SITE_TYPES_FILE,
      from: 'tools/site-data/site-data-model.ts',
      render: (plane) => getFile(plane, SITE_TYPES_FILE, getExtras),
    },
  ];
}
