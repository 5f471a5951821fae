import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadControlPlane } from '../../control-plane/index.ts';
import {
  type CodeKind,
  generateCode,
  generateModule,
  readPlumegoPackage,
  ScaffoldError,
} from '../../scaffold/index.ts';
import { GENERATORS, runSync } from '../../sync/index.ts';
import { EXIT, parseCommandArgs, UsageError, type Command } from '../io.ts';
import { loadForCommand } from '../load-plane.ts';

const USAGE = `Usage: plumego generate module <name> [--summary <text>]
       plumego generate middleware <name> [--module <module>]
       plumego generate handler <name> [--module <module>]
       plumego generate resource <name> [--module <module>]

Writes new code with its test and never overwrites a file (exit 2 and nothing written).

  module       a folder with module.yaml, index.ts, a test and a README, registered in the specs.
               In a service (profile: minimal) <name> is kebab-case and the module sits under the
               library root; in a full-profile repository it is an extension family x/<family>,
               added to the taxonomy and task routing, and the generated files are synced.
  middleware   <name>.ts (a middleware factory with options) and its test.
  handler      <name>-handler.ts (a GET handler over a lookup) and its test.
  resource     <name>-resource.ts (an x/rest resource: list, create, read, replace, patch, delete
               over a repository, in memory by default) and its test.
               middleware, handler and resource go into the service's src/ or the --module folder; they import
               plumego's stable roots, so they are generated only in a service (profile: minimal).`;

const KINDS = ['module', 'middleware', 'handler', 'resource'] as const;

export const command: Command = {
  name: 'generate',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      { module: { type: 'string' }, summary: { type: 'string' } },
      true,
    );
    const [kind, name, ...extra] = positionals;
    if (!kind || !(KINDS as readonly string[]).includes(kind))
      throw new UsageError(
        kind ? `unknown kind '${kind}' (use one of: ${KINDS.join(', ')})` : 'missing what to generate',
      );
    if (!name || extra.length)
      throw new UsageError(name ? `expected one name, got ${1 + extra.length}` : `missing the ${kind} name`);
    const loaded = await loadForCommand(io);
    if (!loaded.ok) {
      if (loaded.load) io.stderr('plumego generate: the specs are invalid; run `plumego check` to see why.\n');
      return loaded.exitCode;
    }
    try {
      if (kind === 'module') {
        if (values['module'] !== undefined) throw new UsageError('--module applies to middleware and handler');
        const { plan, files } = generateModule(
          loaded.plane,
          name,
          typeof values['summary'] === 'string' ? values['summary'] : undefined,
        );
        const synced: string[] = [];
        if (loaded.plane.profile === 'full') {
          // The new family needs its package subpath, README row and CODEOWNERS line now, or check fails on drift.
          const reloaded = await loadControlPlane(io.cwd, { cache: false });
          // Only files the repository already has are brought up to date; sync alone creates new ones.
          const present = GENERATORS.filter((g) => existsSync(join(io.cwd, g.file)));
          if (reloaded.plane)
            for (const o of await runSync(reloaded.plane, true, present)) if (o.stale) synced.push(o.generator.file);
        }
        io.stdout(
          `Created module ${plan.name} in ${plan.dir}/:\n${files.map((f) => `  ${f}\n`).join('')}` +
            `${plan.registrations.map((r) => `  registered in ${r}\n`).join('')}${synced.map((f) => `  synced ${f}\n`).join('')}`,
        );
        return EXIT.ok;
      }
      if (kind === 'resource' && !readPlumegoPackage().exports.includes('./x/rest'))
        throw new ScaffoldError(
          'PLUMEGO_SCAFFOLD_TEMPLATE_UNAVAILABLE',
          'generate resource needs plumego/x/rest, which this plumego does not export',
        );
      if (loaded.plane.profile !== 'minimal')
        throw new ScaffoldError(
          'PLUMEGO_SCAFFOLD_NOT_A_REPOSITORY',
          `generate ${kind} writes service code (it imports plumego's stable roots); this repository uses the full profile`,
        );
      const files = generateCode(
        loaded.plane,
        kind as CodeKind,
        name,
        typeof values['module'] === 'string' ? values['module'] : undefined,
      );
      io.stdout(`Created ${kind} ${name}:\n${files.map((f) => `  ${f}\n`).join('')}`);
      return EXIT.ok;
    } catch (error) {
      if (!(error instanceof ScaffoldError)) throw error;
      io.stderr(`plumego generate: ${error.message} [${error.code}]\n`);
      return EXIT.usage;
    }
  },
};
