import { resolve } from 'node:path';
import { ScaffoldError, scaffoldProject, TEMPLATES } from '../../scaffold/index.ts';
import { EXIT, parseCommandArgs, UsageError, type Command } from '../io.ts';

const USAGE = `Usage: plumego new <dir> [--template <name>] [--name <package-name>] [--plumego <version-spec>]

Scaffolds a service into <dir> (which must not exist or be empty): package.json depending on
plumego, tsconfig, .env.example, the source with its tests, a README, a module.yaml and the
specs, so that \`npm test\` and \`plumego check\` pass from the first commit.

Templates:
${TEMPLATES.map((t) => `  ${t.name.padEnd(11)} ${t.summary}`).join('\n')}

Options:
  --template <name>    default: standard
  --name <name>        the package name (default: the directory's name)
  --plumego <spec>     the plumego dependency in package.json (default: ^<this version>; a path or file: spec works too)`;

export const command: Command = {
  name: 'new',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      { template: { type: 'string' }, name: { type: 'string' }, plumego: { type: 'string' } },
      true,
    );
    if (positionals.length !== 1)
      throw new UsageError(positionals.length ? `expected one directory, got ${positionals.length}` : 'missing <dir>');
    const dir = resolve(io.cwd, positionals[0]!);
    try {
      const result = scaffoldProject({
        dir,
        ...(typeof values['template'] === 'string' ? { template: values['template'] } : {}),
        ...(typeof values['name'] === 'string' ? { name: values['name'] } : {}),
        ...(typeof values['plumego'] === 'string' ? { plumegoSpec: values['plumego'] } : {}),
      });
      io.stdout(
        `Created ${result.name} (${result.template.name} template) in ${dir}: ${result.files.length} files\n\n` +
          `  cd ${positionals[0]}\n  npm install\n  npm test\n  npx plumego check\n`,
      );
      return EXIT.ok;
    } catch (error) {
      if (!(error instanceof ScaffoldError)) throw error;
      io.stderr(`plumego new: ${error.message} [${error.code}]\n`);
      return EXIT.usage;
    }
  },
};
