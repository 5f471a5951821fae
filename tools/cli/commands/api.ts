import type { ControlPlane, Module } from '../../control-plane/index.ts';
import {
  BadRefError,
  diffModules,
  getApiModules,
  type ModuleDiff,
  needsSnapshot,
  writeSnapshots,
} from '../../api/index.ts';
import { EXIT, getFormat, parseCommandArgs, UsageError, type CliIO, type Command } from '../io.ts';
import { loadForCommand } from '../load-plane.ts';

const USAGE = `Usage: plumego api snapshot [--module <name>]...
       plumego api diff [--module <name>]... [--base <git-ref>] [--format text|json]

snapshot  Regenerates <module>/api.md: every export of the module's index.ts with its kind and full
          signature, sorted. Without --module: every beta/ga module and every module that already
          has a snapshot. A ga module whose exports were removed or changed is refused until its
          module.yaml records the break under api_changes.
diff      Classifies the change of each module's API against its snapshot — added or extended
          (minor), removed or changed (breaking) — and fails on an unrecorded break of a ga module.
          --base <ref> compares with the snapshot as committed at <ref> (use it in CI).

Exit codes: 0 clean, 1 refused or unrecorded breaking change, 2 usage or configuration error.`;

export const command: Command = {
  name: 'api',
  usage: USAGE,
  async run(args, io) {
    const [sub, ...rest] = args;
    if (sub !== 'snapshot' && sub !== 'diff')
      throw new UsageError(sub ? `unknown subcommand '${sub}'` : 'missing subcommand (snapshot or diff)');
    const { values } = parseCommandArgs(rest, {
      module: { type: 'string', multiple: true },
      format: { type: 'string' },
      json: { type: 'boolean' },
      base: { type: 'string' },
    });
    const format = getFormat(values, ['text', 'json']);
    if (sub === 'snapshot' && (values['base'] !== undefined || format !== 'text'))
      throw new UsageError('snapshot takes only --module');
    const loaded = await loadForCommand(io);
    if (!loaded.ok) {
      if (loaded.load) io.stderr('plumego api: the specs are invalid; run `plumego check` to see why.\n');
      return loaded.exitCode;
    }
    const targets = selectModules(loaded.plane, (values['module'] as string[] | undefined) ?? []);
    return sub === 'snapshot'
      ? runSnapshot(loaded.plane, targets, io)
      : runDiff(loaded.plane, targets, values['base'] as string | undefined, format, io);
  },
};

/** The named modules (each must be an implemented library module), or every module that needs a snapshot. */
function selectModules(plane: ControlPlane, names: readonly string[]): Module[] {
  if (names.length === 0) return getApiModules(plane).filter((m) => needsSnapshot(plane, m));
  return names.map((name) => {
    const m = plane.moduleByName.get(name);
    if (!m) throw new UsageError(`no module named '${name}' (see plumego status)`);
    if (m.layer !== 'stable' && m.layer !== 'extension' && m.layer !== 'facade')
      throw new UsageError(`module '${name}' is a ${m.layer} module; only library modules have a public API`);
    if (!m.implemented)
      throw new UsageError(
        `module '${name}' is declared, not implemented: ${m.entry} does not exist, so there is no API to snapshot`,
      );
    return m;
  });
}

async function runSnapshot(plane: ControlPlane, targets: readonly Module[], io: CliIO): Promise<number> {
  const { outcomes, timings } = await writeSnapshots(plane, targets);
  for (const o of outcomes) {
    if (o.result === 'refused') {
      io.stderr(`refused    ${o.path}\n  ${o.reason}\n  fix: ${o.fix}\n`);
    } else {
      const counts = o.changes.length ? ` (${summarize(o.changes.map((c) => c.change))})` : '';
      io.stdout(`${o.result.padEnd(10)} ${o.path}${counts}\n`);
    }
  }
  io.stdout(`${timingLine(targets.length, timings)}\n`);
  return outcomes.some((o) => o.result === 'refused') ? EXIT.violations : EXIT.ok;
}

async function runDiff(
  plane: ControlPlane,
  targets: readonly Module[],
  base: string | undefined,
  format: string,
  io: CliIO,
): Promise<number> {
  let result;
  try {
    result = await diffModules(plane, targets, base);
  } catch (error) {
    if (error instanceof BadRefError) throw new UsageError(error.message);
    throw error;
  }
  const failed = result.modules.some((m) => m.unrecorded.length > 0 || m.error !== undefined);
  if (format === 'json') {
    io.stdout(`${JSON.stringify({ base: base ?? null, modules: result.modules, timings: result.timings }, null, 2)}\n`);
    return failed ? EXIT.violations : EXIT.ok;
  }
  for (const m of result.modules) io.stdout(renderModuleDiff(m));
  const changed = result.modules.filter((m) => m.changes.length > 0).length;
  io.stdout(
    `\n${changed} of ${result.modules.length} module(s) changed; ${result.modules.reduce((n, m) => n + m.unrecorded.length, 0)} unrecorded breaking change(s)\n${timingLine(targets.length, result.timings)}\n`,
  );
  return failed ? EXIT.violations : EXIT.ok;
}

const MARK: Readonly<Record<string, string>> = { added: '+', removed: '-', changed: '~', extended: '~' };

function renderModuleDiff(m: ModuleDiff): string {
  if (m.error) return `✖ ${m.module} (${m.tier}): not compared — ${m.error}\n`;
  if (m.changes.length === 0) return `  ${m.module} (${m.tier}): no API change vs ${m.baseline}\n`;
  const lines = [`${m.unrecorded.length ? '✖' : '•'} ${m.module} (${m.tier}) vs ${m.baseline}`];
  for (const c of m.changes) {
    const note =
      c.severity === 'breaking'
        ? c.recordedIn
          ? `recorded in api_changes ${c.recordedIn}`
          : m.tier === 'ga'
            ? 'NOT RECORDED in api_changes'
            : `allowed at tier ${m.tier}`
        : '';
    lines.push(
      `  ${MARK[c.change]} ${c.change.padEnd(8)} ${c.name.padEnd(32)} ${c.severity}${note ? `  (${note})` : ''}`,
    );
    for (const l of c.before) lines.push(`      - ${l.trim()}`);
    for (const l of c.after) lines.push(`      + ${l.trim()}`);
  }
  return `${lines.join('\n')}\n`;
}

function summarize(changes: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const c of changes) counts.set(c, (counts.get(c) ?? 0) + 1);
  return [...counts].map(([c, n]) => `${n} ${c}`).join(', ');
}

function timingLine(count: number, t: { loadMs: number; extractMs: number; files: number }): string {
  return `ts-morph: ${count} module(s), ${t.files} files parsed in ${(t.loadMs / 1000).toFixed(1)} s, signatures printed in ${(t.extractMs / 1000).toFixed(1)} s`;
}
