import type { ControlPlane } from '../control-plane/index.ts';
import { renderCodeowners } from './codeowners.ts';
import { renderPackageJson } from './package-exports.ts';
import { README_START, renderReadme } from './readme-table.ts';
import { createSiteDataGenerators } from '../site-data/site-data-generators.ts';

/** A file derived from the control plane. `render` gets the current text (undefined if missing). */
export interface Generator {
  readonly id: string;
  /** Repository-relative path. */
  readonly file: string;
  /** What it is generated from, for messages. */
  readonly from: string;
  render(plane: ControlPlane, current: string | undefined): string | undefined | Promise<string | undefined>;
}

export const GENERATORS: readonly Generator[] = [
  {
    id: 'package-exports', file: 'package.json', from: 'module.yaml manifests',
    render: (plane, current) => (current === undefined ? undefined : renderPackageJson(plane, current)),
  },
  {
    id: 'readme-modules', file: 'README.md', from: 'module.yaml manifests',
    // A README without the markers is left alone rather than rewritten.
    render: (plane, current) => (current === undefined || !current.includes(README_START) ? current : renderReadme(plane, current)),
  },
  {
    id: 'codeowners', file: '.github/CODEOWNERS', from: 'module.yaml owners',
    render: (plane) => renderCodeowners(plane),
  },
  // docs-site/src/data: the site's one data file and its types (owned by tools/site-data).
  ...createSiteDataGenerators(),
];
