import type { ControlPlane, GeneratorId } from '../control-plane/index.ts';
import { renderCodeowners } from './codeowners.ts';
import { buildExports } from './package-exports.ts';
import { spliceTopLevelKey } from './splice-json.ts';
import { README_START, renderReadme } from './readme-table.ts';
import { createSiteDataGenerators } from '../site-data/index.ts';

/** A file derived from the control plane. `render` gets the current text (undefined if missing). */
export interface Generator {
  readonly id: string;
  /** The repo.yaml `generate` entry that turns it on. */
  readonly group: GeneratorId;
  /** Repository-relative path. */
  readonly file: string;
  /** What it is generated from, for messages. */
  readonly from: string;
  render(plane: ControlPlane, current: string | undefined): string | undefined | Promise<string | undefined>;
}

export const GENERATORS: readonly Generator[] = [
  {
    id: 'package-exports',
    group: 'package-exports',
    file: 'package.json',
    from: 'module.yaml manifests',
    // Only the exports key changes; the rest of package.json keeps its bytes (see splice-json.ts).
    render: (plane, current) => (current === undefined ? undefined : renderExportsOnly(plane, current)),
  },
  {
    id: 'readme-modules',
    group: 'readme-modules',
    file: 'README.md',
    from: 'module.yaml manifests',
    // A README without the markers is left alone rather than rewritten.
    render: (plane, current) =>
      current === undefined || !current.includes(README_START) ? current : renderReadme(plane, current),
  },
  {
    id: 'codeowners',
    group: 'codeowners',
    file: '.github/CODEOWNERS',
    from: 'module.yaml owners',
    render: (plane) => renderCodeowners(plane),
  },
  // docs-site/src/data: the site's one data file and its types (owned by tools/site-data).
  ...createSiteDataGenerators(),
];

/** package.json with only its exports replaced, byte for byte elsewhere; unchanged text when they already agree. */
function renderExportsOnly(plane: ControlPlane, current: string): string {
  const exports = buildExports(plane);
  const parsed = JSON.parse(current) as { exports?: unknown };
  if (JSON.stringify(parsed.exports) === JSON.stringify(exports)) return current;
  return spliceTopLevelKey(current, 'exports', exports);
}
