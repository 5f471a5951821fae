import type { ControlPlane } from '../control-plane/index.ts';

/** .github/CODEOWNERS from each manifest's owner; later (deeper) paths win, as GitHub reads it. */
export function renderCodeowners(plane: ControlPlane): string {
  const rows = [...plane.modules].sort(
    (a, b) => a.path.split('/').length - b.path.split('/').length || a.path.localeCompare(b.path),
  );
  return [
    '# Generated from module.yaml owners by `plumego sync` — do not edit.',
    ...rows.map((m) => `/${m.path}/ ${m.manifest.owner}`),
    '',
  ].join('\n');
}
