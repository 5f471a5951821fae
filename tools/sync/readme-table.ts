import type { ControlPlane } from '../control-plane/index.ts';

export const README_START =
  '<!-- plumego:modules:start (generated from module.yaml files by `plumego sync` — do not edit) -->';
export const README_END = '<!-- plumego:modules:end -->';

const escapeCell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The README modules table: one row per module, in layer then name order. */
export function buildModulesTable(plane: ControlPlane): string {
  const order = ['facade', 'stable', 'extension', 'reference', 'tooling'];
  const rows = [...plane.modules].sort(
    (a, b) => order.indexOf(a.layer) - order.indexOf(b.layer) || a.name.localeCompare(b.name),
  );
  const lines = [
    '| module | layer | tier | promoted in | owner | implemented | summary |',
    '|---|---|---|---|---|---|---|',
    ...rows.map(
      (m) =>
        `| \`${m.name}\` | ${m.layer} | ${m.tier} | ${m.manifest.promoted_in ?? '—'} | ${escapeCell(m.manifest.owner)} | ${m.implemented ? 'yes' : 'declared, not implemented'} | ${escapeCell(m.manifest.summary)} |`,
    ),
  ];
  return lines.join('\n');
}

/** README.md with the text between the markers regenerated; markers missing → unchanged text. */
export function renderReadme(plane: ControlPlane, current: string): string {
  const start = current.indexOf(README_START);
  const end = current.indexOf(README_END);
  if (start === -1 || end === -1 || end < start) return current;
  return `${current.slice(0, start + README_START.length)}\n${buildModulesTable(plane)}\n${current.slice(end)}`;
}
