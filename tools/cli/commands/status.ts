import type { ControlPlane, Module } from '../../control-plane/index.ts';
import { getFormat, parseCommandArgs, type Command } from '../io.ts';
import { loadForCommand } from '../load-plane.ts';
import { collectEvidence, EVIDENCE_COLUMNS, getEvidenceCells } from '../../evidence/index.ts';

const USAGE = `Usage: plumego status [--format text|json] [--tier ga|beta|experimental] [--layer <layer>]

Lists every module with its layer, tier, promoted-in release, owner, risk and whether its code exists.`;

export interface StatusRow {
  readonly name: string;
  readonly path: string;
  readonly layer: Module['layer'];
  readonly tier: Module['tier'];
  readonly promoted_in: string | null;
  readonly owner: string;
  readonly risk: string;
  readonly implemented: boolean;
  readonly parent: string | null;
}

/** One row per module (pure; the docs site and tests use it too). */
export function buildStatusRows(plane: ControlPlane): StatusRow[] {
  const order = ['facade', 'stable', 'extension', 'reference', 'tooling'];
  return [...plane.modules]
    .sort((a, b) => order.indexOf(a.layer) - order.indexOf(b.layer) || a.name.localeCompare(b.name))
    .map((m) => ({
      name: m.name,
      path: m.path,
      layer: m.layer,
      tier: m.tier,
      promoted_in: m.manifest.promoted_in ?? null,
      owner: m.manifest.owner,
      risk: m.manifest.risk,
      implemented: m.implemented,
      parent: m.manifest.parent ?? null,
    }));
}

/** A fixed-width text table. */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export const command: Command = {
  name: 'status',
  usage: USAGE,
  async run(args, io) {
    const { values } = parseCommandArgs(args, {
      format: { type: 'string' },
      json: { type: 'boolean' },
      tier: { type: 'string' },
      layer: { type: 'string' },
    });
    const format = getFormat(values, ['text', 'json']);
    const loaded = await loadForCommand(io);
    if (!loaded.ok) {
      if (loaded.load) io.stderr('plumego status: the specs are invalid; run `plumego check` to see why.\n');
      return loaded.exitCode;
    }
    const rows = buildStatusRows(loaded.plane).filter(
      (r) =>
        (values['tier'] === undefined || r.tier === values['tier']) &&
        (values['layer'] === undefined || r.layer === values['layer']),
    );
    const evidence = new Map(collectEvidence(loaded.plane).map((e) => [e.module, e]));
    if (format === 'json') {
      io.stdout(
        `${JSON.stringify({ modules: rows.map((r) => ({ ...r, evidence: evidence.get(r.name) ?? null })) }, null, 2)}\n`,
      );
      return 0;
    }
    const table = renderTable(
      ['module', 'layer', 'tier', 'promoted', 'owner', 'risk', 'implemented', ...EVIDENCE_COLUMNS],
      rows.map((r) => [
        r.name,
        r.layer,
        r.tier,
        r.promoted_in ?? '—',
        r.owner,
        r.risk,
        r.implemented ? 'yes' : 'declared, not implemented',
        ...getEvidenceCells(evidence.get(r.name)),
      ]),
    );
    const counts = ['ga', 'beta', 'experimental']
      .map((t) => `${rows.filter((r) => r.tier === t).length} ${t}`)
      .join(', ');
    io.stdout(
      `${table}\n\n${rows.length} modules: ${counts}; ${rows.filter((r) => !r.implemented).length} declared, not implemented\n`,
    );
    return 0;
  },
};
