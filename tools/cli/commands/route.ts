import {
  buildRoutingExport,
  evaluateRouting,
  formatEvaluation,
  formatRouteResult,
  readRoutingCases,
  routeWork,
  RoutingCasesError,
  DEFAULT_CASES_FILE,
} from '../../route/index.ts';
import { EXIT, UsageError, getFormat, parseCommandArgs, type Command } from '../io.ts';
import { loadForCommand } from '../load-plane.ts';

const USAGE = `Usage: plumego route "<work description>" [--top N] [--format text|json]
       plumego route --table [--format json]
       plumego route --eval [--cases <file>] [--min-top1 <percent>] [--counts-only] [--format text|json]

Names the module that owns a piece of work, from the specs only: task intents, routing rules, module
manifests (summary, responsibilities, primer question; a matching non-goal counts against a module)
and the extension taxonomy's "go narrower when". Prints the owner, the task entry, why, the files to
start with and to avoid, and the runner-up when the call is close.

Options:
  --top <n>          how many ranked modules to show (default 3)
  --format <f>       text (default) or json; --json is the same as --format json
  --table            print the routing table and gate profiles as JSON (the docs site's data)
  --eval             print top-1/top-3 accuracy over the evaluation set
  --cases <file>     evaluation set (default tools/route/routing-cases.yaml)
  --min-top1 <pct>   with --eval: exit 1 when top-1 accuracy is below this
  --counts-only      with --eval: print the counts without the misses, to score a held-out set blind

Exit codes: 0 answered, 1 evaluation below --min-top1, 2 empty or not understood description, usage or configuration
error, or a case file that cannot be evaluated (unreadable, not YAML, a malformed case, an unknown module).`;

const parsePositive = (value: unknown, flag: string): number | undefined => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} needs a positive number, got '${String(value)}'`);
  return n;
};

export const command: Command = {
  name: 'route',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        format: { type: 'string' },
        json: { type: 'boolean' },
        top: { type: 'string' },
        table: { type: 'boolean' },
        eval: { type: 'boolean' },
        cases: { type: 'string' },
        'min-top1': { type: 'string' },
        'counts-only': { type: 'boolean' },
      },
      true,
    );
    const format = getFormat(values, ['text', 'json']);
    const top = parsePositive(values['top'], '--top');
    if (top !== undefined && !Number.isInteger(top))
      throw new UsageError(`--top needs a whole number, got '${String(values['top'])}'`);
    const minTop1 = parsePositive(values['min-top1'], '--min-top1');
    if ((values['table'] || values['eval']) && positionals.length)
      throw new UsageError('--table and --eval take no work description');
    const evalOnly = ['cases', 'min-top1', 'counts-only'].filter((flag) => values[flag] !== undefined);
    if (!values['eval'] && evalOnly.length)
      throw new UsageError(
        `${evalOnly.map((flag) => `--${flag}`).join(', ')} ${evalOnly.length === 1 ? 'goes' : 'go'} only with --eval`,
      );
    const loaded = await loadForCommand(io);
    if (!loaded.ok) {
      if (loaded.exitCode === EXIT.violations)
        io.stderr('plumego route: the specs are invalid; run `plumego check` to see why.\n');
      return loaded.exitCode;
    }
    const { plane } = loaded;

    if (values['table']) {
      io.stdout(`${JSON.stringify(buildRoutingExport(plane), null, 2)}\n`);
      return EXIT.ok;
    }
    if (values['eval']) {
      const file = typeof values['cases'] === 'string' ? values['cases'] : DEFAULT_CASES_FILE;
      let evaluation;
      try {
        evaluation = evaluateRouting(plane, readRoutingCases(file));
      } catch (error) {
        if (!(error instanceof RoutingCasesError)) throw error;
        io.stderr(`plumego route: ${error.message}\n`);
        return EXIT.usage;
      }
      const blind = values['counts-only'] === true;
      const { misses, ...counts } = evaluation;
      if (format === 'json') io.stdout(`${JSON.stringify(blind ? counts : { ...counts, misses }, null, 2)}\n`);
      else io.stdout(`${formatEvaluation(evaluation, { misses: !blind })}\n`);
      const top1 = evaluation.all.total ? (100 * evaluation.all.top1) / evaluation.all.total : 0;
      return minTop1 !== undefined && top1 < minTop1 ? EXIT.violations : EXIT.ok;
    }
    const result = routeWork(plane, positionals.join(' '), top === undefined ? {} : { top });
    if (format === 'json') io.stdout(`${JSON.stringify(result, null, 2)}\n`);
    else if (result.kind === 'refusal') io.stderr(formatRouteResult(result));
    else io.stdout(formatRouteResult(result));
    return result.kind === 'refusal' ? EXIT.usage : EXIT.ok;
  },
};
