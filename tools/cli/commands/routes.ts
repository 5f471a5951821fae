import { readRoutes, ScaffoldError } from '../../scaffold/index.ts';
import { EXIT, getFormat, parseCommandArgs, UsageError, type Command } from '../io.ts';
import { renderTable } from './status.ts';

const USAGE = `Usage: plumego routes <entry-file> [--export <name>] [--condition <name>]... [--format text|json]

Prints the route table (method, pattern, name, tags, route and group middleware) of the app an entry file builds. The file is
loaded in a separate process (TypeScript through tsx); it must export an app as 'app' or 'default',
or a factory that needs no arguments (createService, createApp). Nothing is started: a factory
that only builds the app is enough, so point it at src/service.ts rather than src/main.ts.

Options:
  --export <name>      the export that is the app or builds it
  --condition <name>   an extra package exports condition (repeatable), e.g. source in the plumego repository`;

export const command: Command = {
  name: 'routes',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        export: { type: 'string' },
        condition: { type: 'string', multiple: true },
        format: { type: 'string' },
        json: { type: 'boolean' },
      },
      true,
    );
    const format = getFormat(values, ['text', 'json']);
    if (positionals.length !== 1)
      throw new UsageError(
        positionals.length ? `expected one entry file, got ${positionals.length}` : 'missing <entry-file>',
      );
    try {
      const rows = await readRoutes(positionals[0]!, {
        cwd: io.cwd,
        ...(typeof values['export'] === 'string' ? { exportName: values['export'] } : {}),
        conditions: (values['condition'] as string[] | undefined) ?? [],
      });
      if (format === 'json') io.stdout(`${JSON.stringify({ routes: rows }, null, 2)}\n`);
      else
        io.stdout(
          `${renderTable(
            ['METHOD', 'PATTERN', 'NAME', 'TAGS', 'MIDDLEWARE'],
            rows.map((r) => [
              r.method,
              r.path,
              r.name || '—',
              r.tags.join(',') || '—',
              r.middleware.join(' > ') || '—',
            ]),
          )}\n\n${rows.length} route(s)\n`,
        );
      return EXIT.ok;
    } catch (error) {
      if (!(error instanceof ScaffoldError)) throw error;
      io.stderr(`plumego routes: ${error.message} [${error.code}]\n`);
      return EXIT.usage;
    }
  },
};
