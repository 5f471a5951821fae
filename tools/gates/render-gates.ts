/** Text rendering of a gate selection and of a run's status table. */
import type { CommandRun } from './run-commands.ts';
import type { GateSelection } from './select-gate.ts';

const label = (name: string): string => name.padEnd(10);

/** Long diffs list their first files only; the JSON output has every file. */
const MAX_FILES = 20;

export function formatGateSelection(s: GateSelection, mode: 'list' | 'dry-run' | 'run'): string {
  if (s.facts.files.length === 0) return 'No changed files: nothing to gate.\n';
  const f = s.facts;
  const lines = [
    `${label('changed')}${f.files.length} file${f.files.length === 1 ? '' : 's'} · modules: ${f.modules.map((m) => m.name).join(', ') || '—'} · areas: ${f.areas.join(', ') || '—'}`,
    ...f.files
      .slice(0, MAX_FILES)
      .map(
        (file) =>
          `${label('')}${file.path} → ${[file.area && `area ${file.area}`, file.module && `module ${file.module}`].filter(Boolean).join(', ') || 'unclassified'}${file.publicApi ? ' (public API)' : ''}`,
      ),
    ...(f.files.length > MAX_FILES ? [`${label('')}… and ${f.files.length - MAX_FILES} more (--json lists all)`] : []),
    `${label('profile')}${s.profile!.id} (strength ${s.profile!.strength}) — ${s.profile!.summary}`,
    `${label('because')}${s.chosenBy.join(', ')}`,
  ];
  const weaker = s.matched.filter((m) => m.profile !== s.profile!.id);
  if (weaker.length)
    lines.push(
      `${label('weaker')}${weaker.map((m) => `${m.rule} → ${m.profile}`).join(', ')} (the strongest profile wins)`,
    );
  lines.push(mode === 'dry-run' ? 'would run:' : mode === 'run' ? 'running:' : 'commands (run them with --run):');
  lines.push(...s.commands.map((c) => `  ${c}`));
  return `${lines.join('\n')}\n`;
}

const formatMs = (ms: number): string => (ms < 1000 ? `${ms}ms` : `${(ms / 1000).toFixed(1)}s`);

export function formatRunTable(runs: readonly CommandRun[]): string {
  const width = Math.max(7, ...runs.map((r) => r.command.length));
  const header = `${'command'.padEnd(width)}  status  time     first failure`;
  const rows = runs.map((r) =>
    `${r.command.padEnd(width)}  ${r.status.padEnd(6)}  ${formatMs(r.ms).padEnd(7)}  ${r.failure ?? ''}`.trimEnd(),
  );
  const failed = runs.filter((r) => r.status === 'fail').length;
  return `${[header, '-'.repeat(header.length), ...rows].join('\n')}\n\n${failed ? `${failed} of ${runs.length} commands failed` : `all ${runs.length} commands passed`}\n`;
}

/** The JSON form of a gate decision (and of its run): names instead of whole modules, for CI and the site. */
export function toGateReport(s: GateSelection, mode: 'list' | 'dry-run' | 'run', runs?: readonly CommandRun[]) {
  return {
    mode,
    files: s.facts.files,
    modules: s.facts.modules.map((m) => ({ name: m.name, path: m.path, layer: m.layer })),
    areas: s.facts.areas,
    publicApi: s.facts.publicApi,
    unclassified: s.facts.unclassified,
    profile: s.profile ? { id: s.profile.id, strength: s.profile.strength, summary: s.profile.summary } : null,
    chosenBy: s.chosenBy,
    matched: s.matched,
    commands: s.commands,
    ...(runs ? { runs, passed: runs.every((r) => r.status === 'pass') } : {}),
  };
}
