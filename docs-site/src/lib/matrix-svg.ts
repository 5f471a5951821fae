/**
 * The dependency structure matrix as one static SVG: a row and a column per module in the same
 * order, a mark where the row module imports the column module. Its size grows with modules + edges
 * (empty cells are not drawn), which keeps a 500-module repository's page small.
 */
import { escapeXml } from './graph-svg.ts';
import type { StructureMatrix } from './structure.ts';

export interface MatrixSvgOptions {
  /** Side of one cell in px (default 16). */
  readonly cell?: number;
  /** Width of the row labels and height of the column labels in px (default 210). */
  readonly label?: number;
  /** Module name → primer URL. */
  readonly href: (name: string) => string;
}

/**
 * One short code per edge kind, for the cell text: the first free initial of the kind's words,
 * lower case first, then upper case, then any free letter; the page prints the legend.
 */
export function buildKindLegend(kinds: readonly string[]): Map<string, string> {
  const legend = new Map<string, string>();
  const used = new Set<string>();
  const sorted = [...new Set(kinds)].sort((a, b) => a.length - b.length || (a < b ? -1 : 1));
  for (const kind of sorted) {
    const initials = kind
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter(Boolean)
      .map((w) => w[0]!);
    const candidates = [
      ...initials.flatMap((c) => [c, c.toUpperCase()]),
      ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
    ];
    const code = candidates.find((c) => !used.has(c)) ?? '?';
    used.add(code);
    legend.set(kind, code);
  }
  return legend;
}

export function renderMatrixSvg(matrix: StructureMatrix, options: MatrixSvgOptions): string {
  const cell = options.cell ?? 16;
  const label = options.label ?? 210;
  const n = matrix.order.length;
  const size = label + n * cell + 1;
  const legend = buildKindLegend(matrix.cells.flatMap((c) => c.kinds));
  const bands = matrix.groups
    .map((g, i) => {
      const at = label + g.start * cell;
      const span = g.count * cell;
      return [
        `<rect class="dsm-band dsm-band-${i % 2}" x="${label}" y="${at}" width="${n * cell}" height="${span}"/>`,
        `<rect class="dsm-band dsm-band-${i % 2}" x="${at}" y="${label}" width="${span}" height="${n * cell}"/>`,
        `<rect class="dsm-group" x="${at}" y="${at}" width="${span}" height="${span}" data-layer="${escapeXml(g.layer)}"><title>${escapeXml(`layer ${g.layer}`)}</title></rect>`,
      ].join('');
    })
    .join('');
  const labels = matrix.order
    .map((m, i) => {
      const mid = label + i * cell + cell / 2 + 4;
      const text = m.name.length > 28 ? `${m.name.slice(0, 27)}…` : m.name;
      const link = escapeXml(options.href(m.name));
      return (
        `<a href="${link}" class="dsm-label tier-slot-${m.slot}"><title>${escapeXml(`${m.name} · ${m.layer} · ${m.tier}`)}</title>` +
        `<text x="${label - 6}" y="${mid}" text-anchor="end">${escapeXml(text)}</text>` +
        `<text transform="translate(${mid},${label - 6}) rotate(-90)">${escapeXml(text)}</text></a>`
      );
    })
    .join('\n');
  const diagonal = matrix.order
    .map(
      (_, i) =>
        `<rect class="dsm-self" x="${label + i * cell}" y="${label + i * cell}" width="${cell}" height="${cell}"/>`,
    )
    .join('');
  const cells = matrix.cells
    .map((c) => {
      const cls = [
        'dsm-cell',
        c.used ? 'dsm-used' : 'dsm-unused',
        c.used && !c.allowed ? 'dsm-violation' : '',
        c.cycle ? 'dsm-cycle' : '',
      ]
        .filter(Boolean)
        .join(' ');
      const state = !c.used ? 'allowed, not imported' : c.allowed ? 'allowed' : 'NOT ALLOWED by the manifest';
      const title = `${c.from} → ${c.to}${c.kinds.length ? ` (${c.kinds.join(', ')})` : ''}: ${state}${c.cycle ? ', in an import cycle' : ''}`;
      const x = label + c.col * cell;
      const y = label + c.row * cell;
      const code = c.kinds.map((k) => legend.get(k)).join('');
      return (
        `<g class="${cls}" data-from="${escapeXml(c.from)}" data-to="${escapeXml(c.to)}" data-kinds="${escapeXml(c.kinds.join(','))}"><title>${escapeXml(title)}</title>` +
        `<rect x="${x + 1}" y="${y + 1}" width="${cell - 2}" height="${cell - 2}"/>` +
        (code
          ? `<text x="${x + cell / 2}" y="${y + cell / 2 + 3}" text-anchor="middle">${escapeXml(code)}</text>`
          : '') +
        '</g>'
      );
    })
    .join('\n');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="dsm" viewBox="0 0 ${size} ${size}" width="${size}" height="${size}" role="group" aria-label="Dependency structure matrix: rows import columns">`,
    `<g class="dsm-bands">${bands}</g>`,
    `<g class="dsm-diagonal">${diagonal}</g>`,
    `<g class="dsm-labels">${labels}</g>`,
    `<g class="dsm-cells">${cells}</g>`,
    '</svg>',
  ].join('\n');
}
