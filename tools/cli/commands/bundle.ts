import { BundleInputError, composeBundle, formatBundle } from '../../bundle/index.ts';
import { EXIT, getFormat, parseCommandArgs, type Command } from '../io.ts';
import { loadForCommand } from '../load-plane.ts';

const USAGE = `Usage: plumego bundle --task <key> --module <name> [--format yaml|json]

Composes the context package for a piece of work entirely from the specs: the routing entry, the
module's manifest (responsibilities, non-goals, stop conditions, review checklist), the allowed and
forbidden neighbours, and the gate profile with its commands filled in for the module.
With only --task the task's primary module is used; with only --module, the task it owns.

Exit codes: 0 ok, 2 unknown task or module, usage or configuration error.`;

export const command: Command = {
  name: 'bundle',
  usage: USAGE,
  async run(args, io) {
    const { values } = parseCommandArgs(args, {
      task: { type: 'string' },
      module: { type: 'string' },
      format: { type: 'string' },
      json: { type: 'boolean' },
    });
    const format = getFormat(values, ['yaml', 'json'], 'yaml') as 'yaml' | 'json';
    const loaded = await loadForCommand(io);
    if (!loaded.ok) {
      if (loaded.exitCode === EXIT.violations)
        io.stderr('plumego bundle: the specs are invalid; run `plumego check` to see why.\n');
      return loaded.exitCode;
    }
    try {
      const bundle = composeBundle(loaded.plane, {
        ...(typeof values['task'] === 'string' ? { task: values['task'] } : {}),
        ...(typeof values['module'] === 'string' ? { module: values['module'] } : {}),
      });
      io.stdout(formatBundle(bundle, format));
      return EXIT.ok;
    } catch (error) {
      if (!(error instanceof BundleInputError)) throw error;
      const what = error.problem === 'unknown-module' ? 'modules' : 'tasks';
      io.stderr(
        `plumego bundle: ${error.message}\nValid ${what}:\n${error.valid.map((v) => `  ${v}`).join('\n')}\n\n${USAGE}\n`,
      );
      return EXIT.usage;
    }
  },
};
