import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from '../../control-plane/index.ts';
import {
  buildModuleGraph,
  createRuleBook,
  GRAPH_FORMATS,
  type GraphFormat,
  readRepositoryGraph,
  renderGraph,
} from '../../boundaries/index.ts';
import { EXIT, getFormat, parseCommandArgs, type Command } from '../io.ts';
import { loadForCommand, renderConfigErrors } from '../load-plane.ts';

const USAGE = `Usage: plumego graph [--format mermaid|dot|json] [--all] [--output <file>]

Prints the module-level import graph from the real import graph: one edge per module pair,
labelled by the kinds of import (import, re-export, type-only, dynamic, require) and their count,
modules coloured by tier (ga green, beta amber, experimental red); edges the rules deny are dashed.

  --format <f>     mermaid (default; the docs site renders it), dot (Graphviz) or json
  --all            include modules without any edge (declared, not implemented, or isolated)
  --output <file>  write to a file instead of stdout`;

export const command: Command = {
  name: 'graph',
  usage: USAGE,
  async run(args, io) {
    const { values } = parseCommandArgs(args, {
      format: { type: 'string' },
      json: { type: 'boolean' },
      all: { type: 'boolean' },
      output: { type: 'string' },
    });
    const format = getFormat(values, GRAPH_FORMATS, 'mermaid') as GraphFormat;
    const loaded = await loadForCommand(io);
    if (!loaded.ok) {
      if (loaded.load) io.stderr('plumego graph: the specs are invalid; run `plumego check` to see why.\n');
      return loaded.exitCode;
    }
    const { plane } = loaded;
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
    const { graph } = await readRepositoryGraph(plane);
    const output = renderGraph(buildModuleGraph(plane, book, graph), format, { connectedOnly: values['all'] !== true });
    if (typeof values['output'] === 'string') writeFileSync(resolve(io.cwd, values['output']), output);
    else io.stdout(output);
    return EXIT.ok;
  },
};
