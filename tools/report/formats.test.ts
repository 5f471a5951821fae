import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import type { Violation } from '../control-plane/index.ts';
import { escapeData, escapeProperty } from './github.ts';
import { renderReport, REPORT_FORMATS } from './index.ts';

const readJson = (rel: string): object => JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as object;

const SAMPLE: readonly Violation[] = [
  {
    check: 'boundaries',
    rule: 'default-deny',
    severity: 'error',
    file: 'framework/contract/use.ts',
    line: 3,
    column: 24,
    message:
      "contract → router (import, 'plumego/router' → framework/router/index.ts): router is not in contract's allowed_imports.modules",
    rationale: 'Dependencies are decisions; an edge nobody declared is an edge nobody reviewed.',
    fix: 'Add the target module to allowed_imports.modules, or invert the dependency.',
    from: 'contract',
    to: 'router',
    kind: 'import',
  },
  {
    check: 'boundaries',
    rule: 'default-deny',
    severity: 'error',
    file: 'framework/contract/a.ts',
    line: 1,
    column: 1,
    message: 'contract → router (type-only, ../router/index.ts)',
    rationale: 'Dependencies are decisions; an edge nobody declared is an edge nobody reviewed.',
    fix: 'Add the target module to allowed_imports.modules, or invert the dependency.',
    from: 'contract',
    to: 'router',
    kind: 'type-only',
  },
  {
    check: 'boundaries',
    rule: 'no-module-cycles',
    severity: 'error',
    file: 'framework/x/a/use.ts',
    line: 2,
    column: 10,
    message: 'module cycle x/a → x/b → x/a: x/a → x/b (framework/x/a/use.ts:2); x/b → x/a (framework/x/b/use.ts:5)',
    rationale: 'A cycle makes two modules one unit.',
    fix: 'Extract the shared part into a lower module.',
    from: 'x/a',
    to: 'x/a → x/b → x/a',
    kind: 'import',
  },
  {
    check: 'boundaries',
    rule: 'unowned-file',
    severity: 'error',
    file: 'reference/stray, odd:name.ts',
    line: 0,
    column: 0,
    message: 'reference/stray, odd:name.ts belongs to no module (100% unowned)',
    rationale: 'A file outside every module is governed by no manifest.',
    fix: 'Move the file into a module directory.',
  },
  {
    check: 'manifests',
    rule: 'lower-tier-opt-in',
    severity: 'warn',
    file: 'framework/x/a/module.yaml',
    line: 12,
    column: 5,
    message: "'x/b' (beta) is not below 'x/a' (beta); the opt-in is unnecessary",
    fix: 'Remove the entry from lower_tier.',
  },
];

const render = (format: string, violations: readonly Violation[] = SAMPLE) =>
  renderReport(violations, {
    format,
    checks: ['manifests', 'boundaries'],
    footer: ['plumego check: 4 error(s), 1 warning(s)'],
    toolVersion: '0.1.0',
  });

describe('report formats', () => {
  it.each(REPORT_FORMATS)('%s output matches its golden file', async (format) => {
    const { output, exitCode } = render(format);
    expect(exitCode).toBe(1);
    await expect(output).toMatchFileSnapshot(
      `./golden/report.${format === 'text' || format === 'github' ? `${format}.txt` : `${format}.json`}`,
    );
  });

  it.each(REPORT_FORMATS)('%s output of no violations exits 0', (format) => {
    expect(render(format, []).exitCode).toBe(0);
    expect(
      render(
        format,
        SAMPLE.filter((v) => v.severity === 'warn'),
      ).exitCode,
    ).toBe(0);
  });

  it('json output validates against specs/schemas/violations-report.schema.json', () => {
    const ajv = new Ajv({ strict: true, allErrors: true });
    const validate = ajv.compile(readJson('../../specs/schemas/violations-report.schema.json'));
    expect(validate(JSON.parse(render('json').output)), ajv.errorsText(validate.errors)).toBe(true);
    expect(
      validate({
        tool: 'plumego',
        checks: [],
        summary: { violations: 0, errors: 0, warnings: 0 },
        notImplemented: [],
        violations: [{ check: 'x' }],
      }),
    ).toBe(false);
  });

  it('sarif output validates against the SARIF 2.1.0 schema', () => {
    // The SARIF schema's language pattern is not valid in unicode mode ('lone quantifier bracket').
    const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
    // ajv-formats is CommonJS: under NodeNext its plugin is the default export's default.
    addFormats.default(ajv);
    const validate = ajv.compile(readJson('./fixtures/sarif-2.1.0-rtm.5.schema.json'));
    const log = JSON.parse(render('sarif').output) as {
      runs: { results: { ruleIndex: number; ruleId: string }[]; tool: { driver: { rules: { id: string }[] } } }[];
    };
    expect(validate(log), ajv.errorsText(validate.errors)).toBe(true);
    const run = log.runs[0]!;
    for (const r of run.results) expect(run.tool.driver.rules[r.ruleIndex]!.id).toBe(r.ruleId);
    expect(validate({ version: '2.1.0', runs: [{ tool: {} }] })).toBe(false);
  });

  it('text output prints each rule once with its rationale and shared fix', () => {
    const { output } = render('text');
    expect(output.match(/why: Dependencies are decisions/g)).toHaveLength(1);
    expect(output.match(/fix: Add the target module/g)).toHaveLength(1);
  });

  it('github output escapes workflow-command metacharacters', () => {
    expect(escapeData('50%\nnext\r')).toBe('50%25%0Anext%0D');
    expect(escapeProperty('a:b,c')).toBe('a%3Ab%2Cc');
    const { output } = render('github');
    expect(output).toContain('::error file=reference/stray%2C odd%3Aname.ts,title=boundaries/unowned-file::');
    expect(output).toContain(
      '::warning file=framework/x/a/module.yaml,line=12,col=5,title=manifests/lower-tier-opt-in::',
    );
  });
});
