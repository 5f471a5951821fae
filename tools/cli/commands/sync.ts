import { runSync } from '../../sync/index.ts';
import { EXIT, getFormat, parseCommandArgs, type Command } from '../io.ts';
import { loadForCommand } from '../load-plane.ts';

const USAGE = `Usage: plumego sync [--check] [--format text|json]

Regenerates the files derived from the specs and manifests (package.json exports, the README
modules table, CODEOWNERS, the docs-site data). With --check, writes nothing and exits 1 when
any of them is stale.`;

export const command: Command = {
  name: 'sync',
  usage: USAGE,
  async run(args, io) {
    const { values } = parseCommandArgs(args, {
      check: { type: 'boolean' },
      format: { type: 'string' },
      json: { type: 'boolean' },
    });
    const format = getFormat(values, ['text', 'json']);
    const loaded = await loadForCommand(io);
    if (!loaded.ok) {
      if (loaded.load) io.stderr('plumego sync: the specs are invalid; run `plumego check` to see why.\n');
      return loaded.exitCode;
    }
    const checkOnly = values['check'] === true;
    const outcomes = await runSync(loaded.plane, !checkOnly);
    const stale = outcomes.filter((o) => o.stale);
    if (format === 'json') {
      io.stdout(
        `${JSON.stringify({ check: checkOnly, files: outcomes.map((o) => ({ file: o.generator.file, generator: o.generator.id, from: o.generator.from, stale: o.stale, written: o.stale && !checkOnly })) }, null, 2)}\n`,
      );
    }
    if (format !== 'json' && outcomes.length === 0)
      io.stdout(
        'nothing to generate: specs/repo.yaml lists no generators (generate: package-exports, readme-modules, codeowners, site-data)\n',
      );
    for (const o of format === 'json' ? [] : outcomes) {
      const state = o.stale ? (checkOnly ? 'STALE' : 'updated') : 'up to date';
      io.stdout(`${state.padEnd(10)} ${o.generator.file}  (${o.generator.id}, from ${o.generator.from})\n`);
    }
    if (checkOnly && stale.length) {
      io.stderr(
        `plumego sync --check: ${stale.length} generated file(s) are stale; run \`npx plumego sync\` and commit the result.\n`,
      );
      return EXIT.violations;
    }
    return EXIT.ok;
  },
};
