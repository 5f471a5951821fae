// Cases that pin down the rule engine's decisions one condition at a time (each found as a surviving
// mutant: a condition that could be dropped or inverted with every other test still passing).
import { describe, expect, it } from 'vitest';
import { runBoundaries } from './run-boundaries.ts';
import { allow, baseFiles, summarize, withFixture, withManifest, type FixtureFiles } from './testing/boundary-fixture.ts';

const base = baseFiles();
const FACADE = 'module.yaml';
const REST = 'framework/x/rest/module.yaml';
const RULES = 'specs/dependency-rules.yaml';
const rules = String(base[RULES]);
const contractUsesRouter = { 'framework/contract/use.ts': "import { router } from 'fixture/router';\nexport const x = router;\n" };

function withExceptions(files: FixtureFiles, entries: string): FixtureFiles {
  return { ...files, [RULES]: `${rules.replace('exceptions: []', '')}exceptions:\n${entries}` };
}

const violations = (files: FixtureFiles): Promise<string[]> =>
  withFixture(files, async (plane) => (await runBoundaries(plane, { cache: false })).violations.map(summarize));

describe('the rule engine, condition by condition', () => {
  it('forbidden_imports denies a module even when allowed_imports lists it', async () => {
    const files = { ...withManifest(allow(base, FACADE, ['contract']), FACADE, (m) => { m['forbidden_imports'] = ['contract']; }), 'framework/index.ts': "export { contract } from 'fixture/contract';\n" };
    expect(await violations(files)).toEqual(['default-deny framework/index.ts:1 fixture→contract (re-export)']);
    const allowedOnly = { ...allow(base, FACADE, ['contract']), 'framework/index.ts': "export { contract } from 'fixture/contract';\n" };
    expect(await violations(allowedOnly)).toEqual([]);
  });

  it('an exception silences only its own rule, importer and target', async () => {
    const other = [
      "  - { rule: maturity, from: contract, to: router, reason: another rule, owner: '@fixture/team' }",
      "  - { rule: default-deny, from: router, to: contract, reason: the reverse edge, owner: '@fixture/team' }",
      "  - { rule: default-deny, from: contract, to: x/rest, reason: another target, owner: '@fixture/team' }",
    ].join('\n');
    expect(await violations({ ...withExceptions(base, `${other}\n`), ...contractUsesRouter })).toEqual(['default-deny framework/contract/use.ts:1 contract→router (import)']);
  });

  it('an expired exception no longer applies; one that expires later still does', async () => {
    const entry = (expires: string) => `  - { rule: default-deny, from: contract, to: router, reason: migration, owner: '@fixture/team', expires: '${expires}' }\n`;
    expect(await violations({ ...withExceptions(base, entry('2001-01-01')), ...contractUsesRouter })).toEqual(['default-deny framework/contract/use.ts:1 contract→router (import)']);
    expect(await violations({ ...withExceptions(base, entry('2999-12-31')), ...contractUsesRouter })).toEqual([]);
  });

  it('reports violations ordered by file, then line', async () => {
    const files = {
      ...base,
      'framework/contract/b.ts': "\n\nimport { router } from 'fixture/router';\nexport const b = router;\n",
      'framework/contract/a.ts': "\nimport { router } from 'fixture/router';\nexport const a = router;\n",
      'framework/contract/c.ts': "import { router } from 'fixture/router';\nimport { rest } from 'fixture/x/rest';\nexport const c = [router, rest];\n",
    };
    expect(await violations(files)).toEqual([
      'default-deny framework/contract/a.ts:2 contract→router (import)',
      'default-deny framework/contract/b.ts:3 contract→router (import)',
      'default-deny framework/contract/c.ts:1 contract→router (import)',
      'stable-no-extension framework/contract/c.ts:2 contract→x/rest (import)',
    ]);
  });

  it('a denied builtin is denied with any subpath (node:fs/promises when node:fs is denied)', async () => {
    const files = {
      ...base,
      [RULES]: rules.replace(/ {4}stable: \[[^\]]*\]/, '    stable: [node:fs]'),
      'framework/router/use.ts': "import { readFile } from 'node:fs/promises';\nexport const x = readFile;\n",
      'framework/router/ok.ts': "import { join } from 'node:path';\nexport const y = join;\n",
    };
    expect(await violations(files)).toEqual(['builtin-policy framework/router/use.ts:1 router→node:fs/promises (import)']);
  });

  it('the maturity rule exempts type-only imports only when it is value_only', async () => {
    const typeOnly = { ...allow(base, REST, ['x/rest/versioning']), 'framework/x/rest/use.ts': "import type { V } from 'fixture/x/rest/versioning';\nexport type X = V;\n" };
    const strict = await violations(typeOnly);
    expect(strict).toEqual(['maturity framework/x/rest/use.ts:1 x/rest→x/rest/versioning (type-only)']);
    const lenient = { ...typeOnly, [RULES]: rules.replace('  - id: maturity\n    severity: error\n', '  - id: maturity\n    severity: error\n    value_only: true\n') };
    expect(await violations(lenient)).toEqual([]);
    const valueImport = { ...lenient, 'framework/x/rest/use.ts': "import { versioning } from 'fixture/x/rest/versioning';\nexport const x = versioning;\n" };
    expect(await violations(valueImport)).toEqual(['maturity framework/x/rest/use.ts:1 x/rest→x/rest/versioning (import)']);
  });

  it('judges a scoped package by its two-part name, subpaths included', async () => {
    const files = {
      ...base,
      'package.json': String(base['package.json']).replace('"yaml": "2.9.1"', '"yaml": "2.9.1",\n    "@acme/kit": "1.0.0"'),
      'tools/use.ts': "import { a } from '@acme/kit/sub/path';\nimport { b } from '@acme/other';\nexport const x = [a, b];\n",
    };
    expect(await violations(files)).toEqual([
      "npm-allowlist tools/use.ts:1 tools→@acme/kit (import)",
      "npm-undeclared tools/use.ts:2 tools→@acme/other (import)",
    ]);
  });
});
