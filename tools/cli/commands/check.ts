import { ConfigError } from '../../control-plane/index.ts';
import { describeFeatures, runChecks } from '../../checks/index.ts';
import { renderConfigErrorReport, renderReport, REPORT_FORMATS } from '../../report/index.ts';
import { startBoundaryGate, type BoundaryStart } from '../../boundaries/index.ts';
import { EXIT, getFormat, parseCommandArgs, UsageError, type CliIO, type Command, type ParsedArgs } from '../io.ts';
import { loadForCommand, renderConfigErrors } from '../load-plane.ts';
import { GitError, readChangeSet } from '../../gates/index.ts';

const USAGE = `Usage: plumego check [--format text|json|sarif|github] [--only <id,id>]
                     [--baseline <file>] [--update-baseline] [--changed [--base <ref>]] [--no-cache]

Runs every check listed in specs/checks.yaml, in order, and reports violations.

Options:
  --format <f>         text (default, grouped by rule), json (specs/schemas/violations-report.schema.json),
                       sarif (SARIF 2.1.0 for code scanning) or github (workflow annotations)
  --json               same as --format json
  --only <ids>         run only these check ids (comma-separated)
  --baseline <file>    boundary baseline of frozen violations (default: the one specs/dependency-rules.yaml names)
  --update-baseline    freeze the current boundary violations into the baseline file (review the diff!)
  --changed            report only violations in files changed since --base (default: uncommitted changes);
                       a changed spec or module.yaml reports everything
  --base <ref>         the git ref --changed compares with (merge base with HEAD)
  --no-cache           parse every spec and extract the whole import graph again (ignore node_modules/.cache/plumego)

Exit codes: 0 clean, 1 violations, 2 usage or configuration error.`;

export const command: Command = {
  name: 'check',
  usage: USAGE,
  async run(args, io) {
    const { values } = parseCommandArgs(args, {
      format: { type: 'string' },
      json: { type: 'boolean' },
      only: { type: 'string' },
      baseline: { type: 'string' },
      'update-baseline': { type: 'boolean' },
      changed: { type: 'boolean' },
      base: { type: 'string' },
      'no-cache': { type: 'boolean' },
    });
    if (values['base'] !== undefined && values['changed'] !== true) throw new UsageError('--base needs --changed');
    const format = getFormat(values, REPORT_FORMATS);
    const only =
      typeof values['only'] === 'string'
        ? values['only']
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : undefined;
    // Started first, so dependency-cruiser loads on the second core while this thread reads the specs.
    const boundaryStart =
      !only || only.includes('boundaries')
        ? startBoundaryGate(io.cwd, { cache: values['no-cache'] !== true })
        : undefined;
    try {
      return await runCheck(io, format, only, values, boundaryStart);
    } finally {
      await boundaryStart?.close();
    }
  },
};

async function runCheck(
  io: CliIO,
  format: string,
  only: string[] | undefined,
  values: ParsedArgs['values'],
  boundaryStart: BoundaryStart | undefined,
): Promise<number> {
  const loaded = await loadForCommand(io, { cache: values['no-cache'] !== true, quiet: true });
  if (!loaded.ok && loaded.configErrors) return reportConfigErrors(io, loaded.configErrors, format);
  if (!loaded.ok) {
    if (loaded.exitCode === EXIT.violations && loaded.load) {
      // The specs fail their schemas: report those, since no other check can run on them.
      const report = renderReport(loaded.load.violations, {
        format,
        checks: ['specs'],
        footer: ['plumego check: the specs are invalid; fix them first — no other check ran.'],
      });
      io.stdout(report.output);
      return EXIT.violations;
    }
    return loaded.exitCode;
  }
  const { plane, load } = loaded;
  let run;
  try {
    const changedFiles =
      values['changed'] === true ? getChangedFiles(plane.root, values['base'] as string | undefined) : undefined;
    run = await runChecks(
      plane,
      {
        load,
        ...(changedFiles ? { changedFiles } : {}),
        ...(typeof values['baseline'] === 'string' ? { baselineFile: values['baseline'] } : {}),
        updateBaseline: values['update-baseline'] === true,
        noCache: values['no-cache'] === true,
        ...(boundaryStart ? { boundaryStart } : {}),
      },
      only,
    );
  } catch (error) {
    if (error instanceof ConfigError) return reportConfigErrors(io, [error], format);
    if (error instanceof GitError) {
      io.stderr(`plumego check: ${error.message}\n  hint: ${error.hint}\n`);
      return EXIT.usage;
    }
    throw error;
  }
  const errors = run.violations.filter((v) => v.severity === 'error').length;
  const footer = [
    `plumego check: ${run.violations.length === 0 ? 'clean' : `${errors} error(s), ${run.violations.length - errors} warning(s)`} — ${run.ran.length} checks (${run.ran.join(', ')}) over ${plane.modules.length} modules`,
    ...(load.notImplemented.length
      ? [`note: ${load.notImplemented.length} module(s) declared, not implemented: ${load.notImplemented.join(', ')}`]
      : []),
    ...[describeFeatures(plane)].filter((line): line is string => line !== undefined),
  ];
  const report = renderReport(run.violations, {
    format,
    checks: run.ran,
    notImplemented: load.notImplemented,
    footer,
    ...(typeof plane.packageJson.version === 'string' ? { toolVersion: plane.packageJson.version } : {}),
  });
  io.stdout(report.output);
  return report.exitCode;
}

/** Configuration errors: always on stderr, and as a document on stdout for the machine formats. */
function reportConfigErrors(io: CliIO, errors: readonly ConfigError[], format: string): number {
  io.stderr(renderConfigErrors(errors));
  const document = renderConfigErrorReport(errors, format);
  if (document) io.stdout(document);
  return EXIT.usage;
}

/**
 * Files changed since `base` for --changed. A changed spec or manifest can change the verdict on any
 * import, so then nothing is filtered (undefined).
 */
function getChangedFiles(root: string, base: string | undefined): readonly string[] | undefined {
  const { files } = readChangeSet(root, base);
  return files.some(
    (f) => f.startsWith('specs/') || f === 'module.yaml' || f.endsWith('/module.yaml') || f === 'package.json',
  )
    ? undefined
    : files;
}
