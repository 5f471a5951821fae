import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SiteData } from './site-data-model.ts';
import { SITE_DATA_HEADER } from './build-site-data.ts';

/** Where the site reads its data (repository-relative). */
export const SITE_DATA_FILE = 'docs-site/src/data/plumego.generated.json';
export const SITE_TYPES_FILE = 'docs-site/src/data/plumego.generated.types.ts';

export interface GeneratedFile {
  /** Repository-relative path. */
  readonly path: string;
  readonly content: string;
}

const MODEL_FILE = fileURLToPath(new URL('./site-data-model.ts', import.meta.url));

/**
 * The two files the site reads: the JSON data and its types. The types module is the model file
 * verbatim behind the header, so the site never imports tools/ (a module boundary) to get them.
 */
export function renderSiteDataFiles(
  data: SiteData,
  modelSource: string = readFileSync(MODEL_FILE, 'utf8'),
): GeneratedFile[] {
  return [
    { path: SITE_DATA_FILE, content: `${JSON.stringify(data, null, 2)}\n` },
    {
      path: SITE_TYPES_FILE,
      content: `// ${SITE_DATA_HEADER}\n// Source: tools/site-data/site-data-model.ts\n${modelSource}`,
    },
  ];
}
