/**
 * Bad configuration never ends in "internal error": every mutated file is a located message with
 * its rule and fix (exit 1 for schema and meaning, 2 for unreadable YAML), and `--format json`
 * prints a document that matches specs/schemas/violations-report.schema.json either way.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { useFixtureRepos, runCli } from './testing/run-cli.ts';
import { validFixture, type FixtureFiles } from '../control-plane/testing/fixture-repo.ts';

const ROUTER = 'framework/router/module.yaml';
const ROUTER_YAML = stringify(validFixture()[ROUTER]);
const REPO_YAML = stringify(validFixture()['specs/repo.yaml']);
const BOMB = [
  'a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]',
  ...'bcdef'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcde'[i]}`).join(', ')}]`),
].join('\n');

const validateReport = new Ajv({ allErrors: true, strict: false }).compile(
  JSON.parse(
    readFileSync(new URL('../../specs/schemas/violations-report.schema.json', import.meta.url), 'utf8'),
  ) as object,
);

interface Case {
  readonly title: string;
  readonly file: string;
  readonly text: string;
  readonly code: 1 | 2;
  /** The rule (exit 1) or error code (exit 2) expected at `line` of `file`. */
  readonly rule: string;
  readonly line: number;
}

const lineOf = (text: string, needle: string): number => text.slice(0, text.indexOf(needle)).split('\n').length;
const replaced = (text: string, from: string | RegExp, to: string): string => text.replace(from, to);

const layerText = (value: string): string => replaced(ROUTER_YAML, 'layer: stable', `layer: ${value}`);
const CASES: readonly Case[] = [
  ...['bogus', '-1', '[1]', 'null'].map((value): Case => ({
    title: `layer: ${value}`,
    file: ROUTER,
    text: layerText(value),
    code: 1,
    rule: 'schema/enum',
    line: lineOf(layerText(value), 'layer:'),
  })),
  {
    title: 'stop_conditions: 42',
    file: ROUTER,
    text: `${ROUTER_YAML}stop_conditions: 42\n`,
    code: 1,
    rule: 'schema/type',
    line: lineOf(`${ROUTER_YAML}stop_conditions: 42\n`, 'stop_conditions'),
  },
  {
    title: 'task_affinity: {}',
    file: ROUTER,
    text: `${ROUTER_YAML}task_affinity: {}\n`,
    code: 1,
    rule: 'schema/type',
    line: lineOf(`${ROUTER_YAML}task_affinity: {}\n`, 'task_affinity'),
  },
  {
    title: 'non_goals: [[[[]]]]',
    file: ROUTER,
    text: replaced(ROUTER_YAML, /non_goals:\n(  - .*\n)+/, 'non_goals: [[[[]]]]\n'),
    code: 1,
    rule: 'schema/type',
    line: lineOf(replaced(ROUTER_YAML, /non_goals:\n(  - .*\n)+/, 'non_goals: [[[[]]]]\n'), 'non_goals'),
  },
  {
    title: 'primer_question: true',
    file: ROUTER,
    text: `${ROUTER_YAML}primer_question: true\n`,
    code: 1,
    rule: 'schema/type',
    line: lineOf(`${ROUTER_YAML}primer_question: true\n`, 'primer_question'),
  },
  {
    title: 'paths: .nan in repo.yaml',
    file: 'specs/repo.yaml',
    text: replaced(REPO_YAML, '    paths:\n      - tools', '    paths: .nan'),
    code: 1,
    rule: 'schema/type',
    line: lineOf(replaced(REPO_YAML, '    paths:\n      - tools', '    paths: .nan'), '.nan'),
  },
  {
    title: 'an undefined alias',
    file: ROUTER,
    text: `${ROUTER_YAML}doc_paths: *nope\n`,
    code: 2,
    rule: 'PLUMEGO_ERR_YAML_ALIAS',
    line: lineOf(`${ROUTER_YAML}doc_paths: *nope\n`, '*nope'),
  },
  {
    title: 'a billion-laughs alias bomb',
    file: ROUTER,
    text: `${ROUTER_YAML}${BOMB}\n`,
    code: 2,
    rule: 'PLUMEGO_ERR_YAML_ALIAS',
    line: lineOf(`${ROUTER_YAML}${BOMB}\n`, '*a'),
  },
  {
    title: 'an alias inside its own anchor',
    file: ROUTER,
    text: `${ROUTER_YAML}doc_paths: &x [*x]\n`,
    code: 2,
    rule: 'PLUMEGO_ERR_YAML_ALIAS',
    line: lineOf(`${ROUTER_YAML}doc_paths: &x [*x]\n`, '&x'),
  },
  { title: 'a manifest that is a list', file: ROUTER, text: '- a\n- b\n', code: 1, rule: 'schema/type', line: 1 },
  {
    title: 'allowed_imports: null',
    file: ROUTER,
    text: replaced(ROUTER_YAML, /allowed_imports:\n(  .*\n)+/, 'allowed_imports: null\n'),
    code: 1,
    rule: 'schema/type',
    line: lineOf(replaced(ROUTER_YAML, /allowed_imports:\n(  .*\n)+/, 'allowed_imports: null\n'), 'allowed_imports'),
  },
];

interface JsonReport {
  violations: { rule: string; file: string; line: number; column: number; fix?: string }[];
  configErrors?: { code: string; file: string; line: number; column: number; hint: string }[];
}

describe('bad configuration is reported, never an internal error', () => {
  const repo = useFixtureRepos();

  it.each(CASES)('$title → exit $code, $rule at its line, with a fix', async ({ file, text, code, rule, line }) => {
    const root = repo((files: FixtureFiles) => {
      files[file] = text;
    });
    for (const format of ['text', 'json'] as const) {
      const run = await runCli(root, 'check', '--format', format);
      expect(run.err).not.toMatch(/internal error/);
      expect(run.code).toBe(code);
      if (format === 'text') {
        expect(`${run.out}${run.err}`).toContain(file);
        continue;
      }
      const report = JSON.parse(run.out) as JsonReport;
      expect(validateReport(report), JSON.stringify(validateReport.errors)).toBe(true);
      const hits =
        code === 1
          ? report.violations
              .filter((v) => v.rule === rule && v.file === file)
              .map((v) => ({ line: v.line, column: v.column, fix: v.fix }))
          : (report.configErrors ?? [])
              .filter((e) => e.code === rule && e.file === file)
              .map((e) => ({ line: e.line, column: e.column, fix: e.hint }));
      expect(hits.map((h) => h.line)).toContain(line);
      for (const h of hits) {
        expect(h.column).toBeGreaterThan(0);
        expect(h.fix?.length).toBeGreaterThan(10);
      }
    }
  });

  it('a missing specs/repo.yaml prints a JSON document with the error too', async () => {
    const root = repo((files) => {
      delete files['specs/repo.yaml'];
    });
    const run = await runCli(root, 'check', '--format', 'json');
    expect(run.code).toBe(2);
    const report = JSON.parse(run.out) as JsonReport;
    expect(validateReport(report)).toBe(true);
    expect(report.configErrors?.[0]).toMatchObject({ code: 'PLUMEGO_ERR_SPEC_UNREADABLE', file: 'specs/repo.yaml' });
  });

  it('sarif and github formats carry configuration errors as results at their position', async () => {
    const root = repo((files) => {
      files[ROUTER] = `${ROUTER_YAML}doc_paths: *nope\n`;
    });
    const sarif = JSON.parse((await runCli(root, 'check', '--format', 'sarif')).out) as {
      runs: { results: { ruleId: string; locations: { physicalLocation: { region: { startLine: number } } }[] }[] }[];
    };
    expect(sarif.runs[0]!.results[0]).toMatchObject({ ruleId: 'configuration/PLUMEGO_ERR_YAML_ALIAS' });
    expect(sarif.runs[0]!.results[0]!.locations[0]!.physicalLocation.region.startLine).toBe(
      lineOf(`${ROUTER_YAML}doc_paths: *nope\n`, '*nope'),
    );
    expect((await runCli(root, 'check', '--format', 'github')).out).toMatch(
      /^::error file=framework\/router\/module.yaml,line=\d+/m,
    );
  });
});
