import { createInterface } from 'node:readline/promises';
import { ConfigError } from '../../control-plane/index.ts';
import { InitError, planInit, writeInitPlan, type InitOptions, type InitPlan } from '../../init/run-init.ts';
import { EXIT, getFormat, parseCommandArgs, UsageError, type Command } from '../io.ts';
import { renderConfigErrors } from '../load-plane.ts';

const USAGE = `Usage: plumego init [--yes] [--dry-run] [--force] [--depth <n>] [--glob <pattern>]
                    [--no-baseline] [--owner <who>] [--expires <YYYY-MM-DD>] [--format text|json]

Adopts the control plane on an existing TypeScript repository (the minimal profile: boundary checks
only). Detects the layout — npm/yarn/pnpm workspaces (one module per package), else the folders of
src/ (or lib/, app/) — and writes specs/repo.yaml, specs/dependency-rules.yaml and one module.yaml
per module whose allowed_imports are today's real imports, so the first \`plumego check\` is clean.
What the rules forbid regardless (module cycles, library → app imports, undeclared packages) is
frozen in specs/boundary-baseline.yaml with an owner and an expiry. Run again: nothing changes.

Options:
  --yes                 do not ask (CI); without it a terminal asks before writing
  --dry-run             print the plan, write nothing
  --force               overwrite files that exist and differ (default: keep them)
  --depth <n>           folder levels below src/ that become modules (default 1)
  --glob <pattern>      the module folders, e.g. 'packages/*' or 'src/*' (overrides detection)
  --no-baseline         do not freeze today's violations (the first check then reports them)
  --owner <who>         owner of the baseline entries (default: package.json author, else unassigned)
  --expires <date>      expiry of the baseline entries (default: 90 days from today)

Exit codes: 0 written (or nothing to do), 2 usage error or no layout found.`;

export const command: Command = {
  name: 'init',
  usage: USAGE,
  async run(args, io) {
    const { values } = parseCommandArgs(args, {
      yes: { type: 'boolean', short: 'y' },
      'dry-run': { type: 'boolean' },
      force: { type: 'boolean' },
      depth: { type: 'string' },
      glob: { type: 'string' },
      'no-baseline': { type: 'boolean' },
      owner: { type: 'string' },
      expires: { type: 'string' },
      format: { type: 'string' },
      json: { type: 'boolean' },
    });
    const format = getFormat(values, ['text', 'json']);
    const options = getInitOptions(values);
    const started = performance.now();
    let plan: InitPlan;
    try {
      plan = await planInit(io.cwd, options, values['force'] === true);
    } catch (error) {
      if (error instanceof InitError) {
        io.stderr(`plumego init: ${error.message}\n  hint: ${error.hint}\n`);
        return EXIT.usage;
      }
      if (error instanceof ConfigError) {
        io.stderr(renderConfigErrors([error]));
        return EXIT.usage;
      }
      throw error;
    }
    const interactive =
      values['yes'] !== true && values['dry-run'] !== true && format === 'text' && process.stdin.isTTY === true;
    if (format === 'text') io.stdout(renderPlan(plan));
    let written: string[] = [];
    if (values['dry-run'] !== true) {
      if (interactive && !(await confirm('Write these files?'))) {
        io.stdout('Nothing written.\n');
        return EXIT.ok;
      }
      written = writeInitPlan(io.cwd, plan);
    }
    const ms = Math.round(performance.now() - started);
    if (format === 'json') {
      io.stdout(
        `${JSON.stringify(
          {
            layout: {
              kind: plan.layout.kind,
              libraryRoot: plan.layout.libraryRoot,
              modules: plan.layout.modules.length + (plan.layout.facade ? 1 : 0),
              skipped: plan.layout.skipped,
            },
            files: plan.files.map((f) => ({ file: f.file, action: f.action, written: written.includes(f.file) })),
            baseline: plan.baseline.length,
            dryRun: values['dry-run'] === true,
            ms,
          },
          null,
          2,
        )}\n`,
      );
    } else {
      io.stdout(renderOutcome(plan, written, values['dry-run'] === true, ms));
    }
    return EXIT.ok;
  },
};

function getInitOptions(values: Record<string, unknown>): InitOptions {
  const depth = values['depth'] === undefined ? undefined : Number(values['depth']);
  if (depth !== undefined && (!Number.isInteger(depth) || depth < 1 || depth > 5))
    throw new UsageError('--depth must be a whole number from 1 to 5');
  const expires = values['expires'] as string | undefined;
  if (expires !== undefined && (!/^\d{4}-\d{2}-\d{2}$/.test(expires) || Number.isNaN(Date.parse(expires))))
    throw new UsageError('--expires must be a date as YYYY-MM-DD');
  const owner = values['owner'] as string | undefined;
  if (owner !== undefined && owner.trim() === '') throw new UsageError('--owner must not be empty');
  return {
    ...(depth !== undefined ? { depth } : {}),
    ...(typeof values['glob'] === 'string' ? { glob: values['glob'] } : {}),
    ...(expires ? { expires } : {}),
    ...(owner ? { owner } : {}),
    baseline: values['no-baseline'] !== true,
  };
}

function renderPlan(plan: InitPlan): string {
  const { layout } = plan;
  const count = layout.modules.length + (layout.facade ? 1 : 0);
  const lines = [
    `layout     ${layout.kind} under ${layout.libraryRoot}/ → ${count} module(s)${layout.pathAliases.length ? `; tsconfig paths: ${layout.pathAliases.join(', ')}` : ''}`,
  ];
  for (const s of layout.skipped) lines.push(`skipped    ${s.path}: ${s.reason}`);
  for (const f of plan.files)
    lines.push(
      `${f.action.padEnd(10)} ${f.file}${f.action === 'keep' ? '  (exists and differs; --force overwrites)' : ''}`,
    );
  if (plan.violations.length) {
    lines.push(
      plan.baseline.length
        ? `baseline   ${plan.baseline.length} existing violation(s) frozen (owner ${plan.owner}, expires ${plan.expires}):`
        : `violations ${plan.violations.length} existing violation(s) will fail the first check (--no-baseline):`,
    );
    for (const v of plan.violations.slice(0, 10)) lines.push(`  ${v.rule}  ${v.file}:${v.line}  ${v.message}`);
    if (plan.violations.length > 10) lines.push(`  … and ${plan.violations.length - 10} more`);
  }
  return `${lines.join('\n')}\n`;
}

function renderOutcome(plan: InitPlan, written: string[], dryRun: boolean, ms: number): string {
  const kept = plan.files.filter((f) => f.action === 'keep').length;
  const head = dryRun
    ? `Dry run: nothing written (${ms} ms).`
    : `Wrote ${written.length} file(s)${kept ? `, kept ${kept} that differ` : ''} in ${ms} ms.`;
  return `${head}\nNext:\n  npx plumego check                      # the boundary gate: clean now, fails on a new violation\n  npx plumego graph --format mermaid     # the module graph as init recorded it\n  git add specs '**/module.yaml' module.yaml && git commit   # then run check in CI (--format sarif)\n`;
}

/** Asks on the terminal (only when stdin is a TTY and --yes is absent). */
async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = (await rl.question(`${question} [Y/n] `)).trim().toLowerCase();
    return answer === '' || answer === 'y' || answer === 'yes';
  } finally {
    rl.close();
  }
}
