/** Bundle → YAML (the default, easy to paste into an agent's context) or JSON. */
import { stringify } from 'yaml';
import type { Bundle } from './compose-bundle.ts';

export type BundleFormat = 'yaml' | 'json';

export function formatBundle(bundle: Bundle, format: BundleFormat): string {
  if (format === 'json') return `${JSON.stringify(bundle, null, 2)}\n`;
  const title = bundle.task ? `task ${bundle.task.key} in ${bundle.module.name}` : `module ${bundle.module.name}`;
  return `# plumego bundle: ${title} — composed from specs/ and ${bundle.module.manifest}\n${stringify(bundle, { lineWidth: 0 })}`;
}
