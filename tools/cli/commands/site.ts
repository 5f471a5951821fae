import { join, resolve } from 'node:path';
import { buildAdopterSite, SiteBuildError, writeHistoryFile } from '../../site-data/index.ts';
import { EXIT, getFormat, parseCommandArgs, UsageError, type Command } from '../io.ts';
import { loadForCommand } from '../load-plane.ts';

const USAGE = `Usage: plumego site [--out <dir>] [--prose <dir>] [--format text|json]
       plumego site --write-history <file> [--samples <n>]

Builds the docs site — modules overview, status dashboard, module primers, dependency graph,
structure matrix, task router, history — for this repository (the one plumego init set up), from
its specs and module.yaml files, into a folder of your choosing. The site sources come from the
installed plumego package; nothing is written into the repository except the output folder.

Needs astro and @astrojs/starlight installed beside plumego (the error names the versions).

Options:
  --out <dir>      output folder (default: plumego-site); must be new, empty or an earlier site
  --prose <dir>    your own prose (default: docs/plumego when it exists): top-level *.md files become
                   pages, modules/<module name>.md appear on that module's primer
  --root <dir>     the repository (global option; default: the current directory)
  --write-history <file>  only write the history the charts draw (modules per tier, baseline
                   size, public API per module at sampled commits) to <file>, reusing the samples
                   it already holds; commit it when CI clones shallowly (this repository does)
  --samples <n>    commits to sample along the first-parent line (default 40)

Exit codes: 0 built, 1 the specs fail their schemas, 2 usage error, no specs, or the build failed.`;

export const command: Command = {
  name: 'site',
  usage: USAGE,
  async run(args, io) {
    const { values } = parseCommandArgs(args, {
      out: { type: 'string' },
      prose: { type: 'string' },
      'write-history': { type: 'string' },
      samples: { type: 'string' },
      format: { type: 'string' },
      json: { type: 'boolean' },
    });
    const format = getFormat(values, ['text', 'json']);
    const samples = values['samples'] === undefined ? undefined : Number(values['samples']);
    if (samples !== undefined && (!Number.isInteger(samples) || samples < 1 || samples > 1000))
      throw new UsageError('--samples must be a whole number from 1 to 1000');
    if (typeof values['write-history'] === 'string') {
      try {
        const history = writeHistoryFile(io.cwd, resolve(io.cwd, values['write-history']), samples);
        io.stdout(
          history.available
            ? `Wrote ${history.points.length} sampled commit(s) to ${values['write-history']}.\n`
            : `Wrote ${values['write-history']}: history unavailable (${history.reason ?? ''}); the page will say so.\n`,
        );
        return EXIT.ok;
      } catch (error) {
        if (error instanceof SiteBuildError) {
          io.stderr(`plumego site: ${error.message} [${error.code}]\n  hint: ${error.hint}\n`);
          return EXIT.usage;
        }
        throw error;
      }
    }
    const loaded = await loadForCommand(io);
    if (!loaded.ok) {
      if (loaded.load) io.stderr('plumego site: the specs are invalid; run `plumego check` to see why.\n');
      return loaded.exitCode;
    }
    const out = resolve(io.cwd, typeof values['out'] === 'string' ? values['out'] : 'plumego-site');
    const prose =
      typeof values['prose'] === 'string' ? resolve(io.cwd, values['prose']) : join(io.cwd, 'docs', 'plumego');
    try {
      const result = await buildAdopterSite(loaded.plane, { out, prose });
      if (format === 'json') io.stdout(`${JSON.stringify(result, null, 2)}\n`);
      else
        io.stdout(
          `Built ${result.pages} page(s) for ${result.modules} module(s) into ${result.out} in ${(result.ms / 1000).toFixed(1)} s.\nOpen ${join(result.out, 'index.html')} through any static file server (e.g. npx serve ${result.out}).\n`,
        );
      return EXIT.ok;
    } catch (error) {
      if (error instanceof SiteBuildError) {
        io.stderr(`plumego site: ${error.message} [${error.code}]\n  hint: ${error.hint.replace(/\n/g, '\n  ')}\n`);
        return EXIT.usage;
      }
      throw error;
    }
  },
};
