import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The built-output gates need a build; say how to get one instead of failing obscurely. */
export function assertBuilt(): string {
  if (!existsSync(`${DIST}index.html`)) {
    throw new Error(
      'docs-site/dist is missing or incomplete: run `npm run site` (or `npm run test:site`, which builds first).',
    );
  }
  return DIST;
}
