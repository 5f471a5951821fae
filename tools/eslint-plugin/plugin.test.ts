import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { Linter, RuleTester } from 'eslint';
import tseslint from 'typescript-eslint';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/testing/run-cli.ts';
import { writeFixture } from '../control-plane/testing/fixture-repo.ts';
import { LAYOUTS, linkPackages, type LayoutFixture } from '../init/testing/layouts.ts';
import { listSourceFiles } from '../boundaries/index.ts';
import plugin, { load, reset } from './plugin.ts';

const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

/** A fixture layout after `plumego init --yes`: a repository whose first check is clean. */
async function adopt(fixture: LayoutFixture): Promise<string> {
  const { root, cleanup } = writeFixture(fixture.files);
  cleanups.push(cleanup);
  linkPackages(root, fixture.links);
  const init = await runCli(root, 'init', '--yes');
  if (init.code !== 0) throw new Error(init.err);
  return root;
}

const parser = tseslint.parser as unknown as Linter.Parser;
const single = LAYOUTS.find((l) => l.title.includes('src/* folders'))!;
const root = await adopt(single);
// type-only edges skip default-deny here, as they skip a value_only rule in plumego check.
const rules = `${root}/specs/dependency-rules.yaml`;
writeFileSync(rules, readFileSync(rules, 'utf8').replace(/(  - id: default-deny\n)/, '$1    value_only: true\n'));
writeFileSync(`${root}/src/middleware/index.ts`, "export { log } from './logger.ts';\n");
await load(root);

const MESSAGE_DENY =
  /^default-deny: utils → middleware \(import, '\.\.\/middleware\/logger\.ts' → src\/middleware\/logger\.ts\): middleware is not in utils's allowed_imports\.modules Fix: If the dependency is intended, add the target module/;

RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;
const tester = new RuleTester({ languageOptions: { parser } });

tester.run('plumego/boundaries', plugin.rules.boundaries, {
  valid: [
    {
      name: 'an import the manifest allows, through the public entry',
      filename: `${root}/src/middleware/auth.ts`,
      code: "import { route } from '../router/index.ts';\nexport const r = route;\n",
    },
    {
      name: 'a type-only import where the spec marks the rule value_only',
      filename: `${root}/src/utils/types.ts`,
      code: "import type { log } from '../middleware/index.ts';\nexport type L = typeof log;\n",
    },
    {
      name: 'a baselined deep import',
      filename: `${root}/src/router/index.ts`,
      code: readFileSync(`${root}/src/router/index.ts`, 'utf8'),
    },
    {
      name: 'a file outside the folders plumego check scans',
      filename: `${root}/scripts/build.ts`,
      code: "import { log } from '../src/middleware/logger.ts';\nexport const l = log;\n",
    },
    {
      name: 'a file in no repository that has specs',
      filename: '/tmp/no-specs-here/a.ts',
      code: "import x from '../b.ts';\nexport default x;\n",
    },
  ],
  invalid: [
    {
      name: 'a forbidden import, at the line and column of its specifier',
      filename: `${root}/src/utils/clean.ts`,
      code: "export const a = 1;\nimport { log } from '../middleware/logger.ts';\nexport const l = log;\n",
      errors: [{ message: MESSAGE_DENY, line: 2, column: 21, endLine: 2, endColumn: 46 }],
    },
    {
      name: 'the value import of a module whose type-only import passes',
      filename: `${root}/src/utils/both.ts`,
      code: "import type { log as L } from '../middleware/index.ts';\nimport { log } from '../middleware/index.ts';\nexport const f: typeof L = log;\n",
      errors: [{ message: /^default-deny: utils → middleware \(import, /, line: 2, column: 21 }],
    },
    {
      name: 'an undeclared npm package',
      filename: `${root}/src/utils/pad.ts`,
      code: "import pad from 'left-pad';\nexport const p = pad;\n",
      errors: [
        {
          message: /^npm-undeclared: 'left-pad' is imported but not declared in package\.json Fix: /,
          line: 1,
          column: 17,
        },
      ],
    },
    {
      name: 'a deep import of another module',
      filename: `${root}/src/router/deep.ts`,
      code: "import { clean } from '../utils/clean.ts';\nexport const c = clean;\n",
      errors: [
        {
          message: /^public-entry-only: router → utils .*its public entry is src\/utils\/index\.ts/,
          line: 1,
          column: 23,
        },
      ],
    },
  ],
});

describe('plumego/boundaries beyond single imports', () => {
  const lint = (repo: string, file: string, code: string): Linter.LintMessage[] =>
    new Linter({ cwd: repo }).verify(
      code,
      [
        {
          files: ['**/*.ts'],
          languageOptions: { parser },
          plugins: { plumego: plugin },
          rules: { 'plumego/boundaries': 'error' },
        },
      ],
      { filename: `${repo}/${file}` },
    );

  it('reports a file that no module owns, as plumego check does', async () => {
    const repo = await adopt(LAYOUTS.find((l) => l.title.includes('existing cycle'))!);
    writeFileSync(`${repo}/packages/loose.ts`, 'export const loose = 1;\n');
    await load(repo);
    const messages = lint(repo, 'packages/loose.ts', 'export const loose = 1;\n');
    expect(messages.map((m) => `${m.line}:${m.column} ${m.message.split(' Fix:')[0]}`)).toEqual([
      '1:1 unowned-file: packages/loose.ts belongs to no module (no module.yaml path covers it)',
    ]);
    const check = JSON.parse((await runCli(repo, 'check', '--format', 'json')).out) as {
      violations: { rule: string; file: string }[];
    };
    expect(check.violations.filter((v) => v.file === 'packages/loose.ts').map((v) => v.rule)).toEqual(['unowned-file']);
  });

  it('a malformed module.yaml is one error naming file:line:col in every file, never a crash', async () => {
    const repo = await adopt(single);
    appendFileSync(`${repo}/src/router/module.yaml`, 'allowed_imports: [unclosed\n');
    reset();
    await load(repo);
    for (const file of ['src/router/index.ts', 'src/utils/clean.ts']) {
      const messages = lint(repo, file, readFileSync(`${repo}/${file}`, 'utf8'));
      expect(messages).toHaveLength(1);
      expect(messages[0]).toMatchObject({ ruleId: 'plumego/boundaries', line: 1, column: 1 });
      expect(messages[0]!.message).toMatch(/^plumego: src\/router\/module\.yaml:\d+:\d+: /);
    }
  });

  it("a manifest that fails its schema: its module's files get that one error, other modules are still judged", async () => {
    const repo = await adopt(single);
    writeFileSync(
      `${repo}/src/router/module.yaml`,
      readFileSync(`${repo}/src/router/module.yaml`, 'utf8').replace('layer: stable', 'layer: sideways'),
    );
    reset();
    await load(repo);
    const router = lint(repo, 'src/router/index.ts', readFileSync(`${repo}/src/router/index.ts`, 'utf8'));
    expect(router.map((m) => m.message)).toEqual([
      expect.stringMatching(
        /^plumego: src\/router\/module\.yaml:\d+:\d+: src\/router\/module\.yaml is invalid, so the imports of router are not checked: /,
      ),
    ]);
    const utils = lint(
      repo,
      'src/utils/clean.ts',
      "import { log } from '../middleware/logger.ts';\nexport const l = log;\n",
    );
    expect(utils.map((m) => m.message.split(':')[0])).toEqual(['default-deny']);
  });

  it('agrees with plumego check on the same repository: the same violations at the same places', async () => {
    const repo = await adopt(single);
    appendFileSync(`${repo}/src/utils/clean.ts`, "import left from 'left-pad';\nexport const lp = left;\n");
    writeFileSync(
      `${repo}/src/middleware/auth.ts`,
      "import { route } from '../router/index.ts';\nimport { clean } from '../utils/clean.ts';\nexport const a = [route, clean];\n",
    );
    writeFileSync(
      `${repo}/src/utils/extra.ts`,
      "import type { Ctx } from '../router/types.ts';\nimport { clean } from './clean.ts';\nexport const e = (c: Ctx): string => clean(String(c.n));\n",
    );
    reset();
    await load(repo);
    const check = JSON.parse((await runCli(repo, 'check', '--format', 'json')).out) as {
      violations: { rule: string; file: string; line: number; column: number; message: string }[];
    };
    const fromCheck = check.violations.map((v) => `${v.file}:${v.line}:${v.column} ${v.rule}: ${v.message}`).sort();
    const fromLint = listSourceFiles(repo, ['src'])
      .flatMap((file) =>
        lint(repo, file, readFileSync(`${repo}/${file}`, 'utf8')).map(
          (m) => `${file}:${m.line}:${m.column} ${m.message.split(' Fix: ')[0]}`,
        ),
      )
      .sort();
    // Module cycles are facts of the whole graph: plumego check reports them, the editor does not.
    const cycles = fromCheck.filter((v) => / no-module-cycles: /.test(v));
    expect(cycles).toHaveLength(2);
    expect(fromLint).toEqual(fromCheck.filter((v) => !cycles.includes(v)));
    expect(fromLint).toHaveLength(3);
  });
});
