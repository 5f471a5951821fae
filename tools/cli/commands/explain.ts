import { ConfigError } from '../../control-plane/index.ts';
import {
  createRuleBook,
  explainEdge,
  readRepositoryGraph,
  renderExplanation,
  resolveEndpoint,
} from '../../boundaries/index.ts';
import { EXIT, getFormat, parseCommandArgs, UsageError, type Command } from '../io.ts';
import { loadForCommand, renderConfigErrors } from '../load-plane.ts';

const USAGE = `Usage: plumego explain <from> <to> [--type-only] [--format text|json] [--no-graph]

Says whether an import from <from> to <to> is allowed, and traces the verdict to the global rules
(specs/dependency-rules.yaml) and manifest fields (module.yaml) that decide it, with file:line.

  <from>        a module name (router, x/tenant), the specifier that reaches it (plumego/router,
                @scope/pkg), or a file or directory inside one
  <to>          the same, or a specifier as an import writes it: a path relative to <from>
                (../contract/index.js), a package subpath (@scope/pkg/sub), an npm package or
                node:<builtin>; a deep path is judged as such
  --type-only   judge the edge as an import type (rules marked value_only do not apply)
  --no-graph    do not list the imports that exist in the code (skips reading the import graph)

Exit codes: 0 allowed, 1 denied, 2 usage or configuration error.`;

export const command: Command = {
  name: 'explain',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        format: { type: 'string' },
        json: { type: 'boolean' },
        'type-only': { type: 'boolean' },
        'no-graph': { type: 'boolean' },
      },
      true,
    );
    const format = getFormat(values, ['text', 'json']);
    if (positionals.length !== 2) throw new UsageError('explain needs exactly two arguments: <from> <to>');
    const [fromArg, toArg] = positionals as [string, string];
    const loaded = await loadForCommand(io);
    if (!loaded.ok) {
      if (loaded.load) io.stderr('plumego explain: the specs are invalid; run `plumego check` to see why.\n');
      return loaded.exitCode;
    }
    const { plane } = loaded;
    const from = resolveEndpoint(plane, fromArg, io.cwd, false);
    const to = resolveEndpoint(plane, toArg, io.cwd, true, from?.type === 'module' ? from.file : undefined);
    const names = plane.modules.map((m) => m.name).join(', ');
    if (!from || from.type !== 'module')
      throw new UsageError(`'${fromArg}' is neither a module nor a file inside one (modules: ${names})`);
    if (!to)
      throw new UsageError(`'${toArg}' is neither a module, a file inside one, a package name nor node:<builtin>`);
    let book;
    try {
      book = createRuleBook(plane);
    } catch (error) {
      if (error instanceof ConfigError) {
        io.stderr(renderConfigErrors([error]));
        return EXIT.usage;
      }
      throw error;
    }
    const graph = values['no-graph'] === true ? undefined : (await readRepositoryGraph(plane)).graph;
    const explanation = explainEdge(plane, book, from.module, to, {
      typeOnly: values['type-only'] === true,
      ...(graph ? { graph } : {}),
      ...(from.file ? { fromFile: from.file } : {}),
    });
    io.stdout(format === 'json' ? `${JSON.stringify(explanation, null, 2)}\n` : renderExplanation(explanation));
    return explanation.allowed ? EXIT.ok : EXIT.violations;
  },
};
