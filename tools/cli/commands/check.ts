import { ConfigError } from '../../control-plane/violation.ts';
import { runChecks } from '../../checks/run-checks.ts';
import { renderReport, REPORT_FORMATS } from '../../report/index.ts';
import { EXIT, getFormat, parseCommandArgs, type Command } from '../io.ts';
import { loadForCommand, renderConfigErrors } from '../load-plane.ts';

const USAGE = `Usage: plumego check [--format text|json] [--only <id,id>]

Runs every check listed in specs/checks.yaml, in order, and reports violations.

Options:
  --format <f>   text (default, grouped by rule) or json
  --json         same as --format json
  --only <ids>   run only these check ids (comma-separated)

Exit codes: 0 clean, 1 violations, 2 usage or configuration error.`;

export const command: Command = {
  name: 'check',
  summary: 'Run the checks of specs/checks.yaml (the CI boundary gate)',
  usage: USAGE,
  async run(args, io) {
    const { values } = parseCommandArgs(args, { format: { type: 'string' }, json: { type: 'boolean' }, only: { type: 'string' } });
    const format = getFormat(values, REPORT_FORMATS);
    const only = typeof values['only'] === 'string' ? values['only'].split(',').map((s) => s.trim()).filter(Boolean) : undefined;
    const loaded = await loadForCommand(io);
    if (!loaded.ok) {
      if (loaded.exitCode === EXIT.violations && loaded.load) {
        // The specs fail their schemas: report those, since no other check can run on them.
        const report = renderReport(loaded.load.violations, { format, checks: ['specs'], footer: ['plumego check: the specs are invalid; fix them first — no other check ran.'] });
        io.stdout(report.output);
        return EXIT.violations;
      }
      return loaded.exitCode;
    }
    const { plane, load } = loaded;
    let run;
    try {
      run = await runChecks(plane, { load }, only);
    } catch (error) {
      if (error instanceof ConfigError) { io.stderr(renderConfigErrors([error])); return EXIT.usage; }
      throw error;
    }
    const errors = run.violations.filter((v) => v.severity === 'error').length;
    const footer = [
      `plumego check: ${run.violations.length === 0 ? 'clean' : `${errors} error(s), ${run.violations.length - errors} warning(s)`} — ${run.ran.length} checks (${run.ran.join(', ')}) over ${plane.modules.length} modules`,
      ...(load.notImplemented.length ? [`note: ${load.notImplemented.length} module(s) declared, not implemented: ${load.notImplemented.join(', ')}`] : []),
    ];
    const report = renderReport(run.violations, { format, checks: run.ran, notImplemented: load.notImplemented, footer });
    io.stdout(report.output);
    return report.exitCode;
  },
};
