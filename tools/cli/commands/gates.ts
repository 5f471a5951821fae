import {
  GateSpecError,
  GitError,
  formatGateSelection,
  formatRunTable,
  readChangeSet,
  runGateCommands,
  selectGate,
  toGateReport,
} from '../../gates/index.ts';
import { EXIT, UsageError, getFormat, parseCommandArgs, type Command } from '../io.ts';
import { loadForCommand } from '../load-plane.ts';

const USAGE = `Usage: plumego gates [--base <ref>] [--run | --dry-run] [--format text|json]

Reads the git diff (commits since <ref> forked, plus uncommitted and untracked files), maps each file
to its module or area (specs, manifests, docs, tasks, package), evaluates every rule of
specs/gate-profiles.yaml and takes the strongest matching profile. Prints its commands; --run runs
them from the repository root and prints a status table.

Options:
  --base <ref>   compare with this branch, tag or commit (default: only uncommitted changes)
  --run          run the commands and report command, status and first failure
  --dry-run      print what --run would run, without running it
  --format <f>   text (default) or json; --json is the same as --format json

Exit codes: 0 gate chosen (or passed with --run), 1 a command failed, 2 no git, unknown --base, usage or configuration error.`;

export const command: Command = {
  name: 'gates',
  usage: USAGE,
  async run(args, io) {
    const { values } = parseCommandArgs(args, {
      base: { type: 'string' },
      run: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      format: { type: 'string' },
      json: { type: 'boolean' },
    });
    const format = getFormat(values, ['text', 'json']);
    if (values['run'] && values['dry-run']) throw new UsageError('--run and --dry-run exclude each other');
    const loaded = await loadForCommand(io);
    if (!loaded.ok) {
      if (loaded.exitCode === EXIT.violations)
        io.stderr('plumego gates: the specs are invalid; run `plumego check` to see why.\n');
      return loaded.exitCode;
    }
    let selection;
    try {
      selection = selectGate(
        loaded.plane,
        readChangeSet(io.cwd, typeof values['base'] === 'string' ? values['base'] : undefined),
      );
    } catch (error) {
      if (error instanceof GitError) {
        io.stderr(`plumego gates: ${error.message}\n  hint: ${error.hint}\n`);
        return EXIT.usage;
      }
      if (error instanceof GateSpecError) {
        io.stderr(`plumego gates: ${error.message}\n`);
        return EXIT.usage;
      }
      throw error;
    }
    const mode = values['run'] ? 'run' : values['dry-run'] ? 'dry-run' : 'list';
    if (mode !== 'run' || selection.commands.length === 0) {
      io.stdout(
        format === 'json'
          ? `${JSON.stringify(toGateReport(selection, mode), null, 2)}\n`
          : formatGateSelection(selection, mode),
      );
      return EXIT.ok;
    }
    if (format === 'text') io.stdout(formatGateSelection(selection, mode));
    const runs = await runGateCommands(selection.commands, io.cwd);
    io.stdout(
      format === 'json'
        ? `${JSON.stringify(toGateReport(selection, mode, runs), null, 2)}\n`
        : `\n${formatRunTable(runs)}`,
    );
    return runs.every((r) => r.status === 'pass') ? EXIT.ok : EXIT.violations;
  },
};
