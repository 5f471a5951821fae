// Cases that pin down the rule engine's decisions one condition at a time (each found as a surviving
// mutant: a condition that could be dropped or inverted with every other test still passing).
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Violation } from '../control-plane/index.ts';
import { compareViolations, createGraphEvaluator, evaluateGraph, getTypesPackage } from './find-violations.ts';
import { createRuleBook } from './rulebook.ts';
import { runBoundaries } from './run-boundaries.ts';
import type { FileGraph } from './types.ts';
import {
  allow,
  baseFiles,
  summarize,
  withFixture,
  withManifest,
  type FixtureFiles,
} from './testing/boundary-fixture.ts';

const base = baseFiles();
const FACADE = 'module.yaml';
const REST = 'framework/x/rest/module.yaml';
const RULES = 'specs/dependency-rules.yaml';
const rules = String(base[RULES]);
const contractUsesRouter = {
  'framework/contract/use.ts': "import { router } from 'fixture/router';\nexport const x = router;\n",
};

function withExceptions(files: FixtureFiles, entries: string): FixtureFiles {
  return { ...files, [RULES]: `${rules.replace('exceptions: []', '')}exceptions:\n${entries}` };
}

const violations = (files: FixtureFiles): Promise<string[]> =>
  withFixture(files, async (plane) => (await runBoundaries(plane, { cache: false })).violations.map(summarize));

describe('the rule engine, condition by condition', () => {
  it('forbidden_imports denies a module even when allowed_imports lists it', async () => {
    const files = {
      ...withManifest(allow(base, FACADE, ['contract']), FACADE, (m) => {
        m['forbidden_imports'] = ['contract'];
      }),
      'framework/index.ts': "export { contract } from 'fixture/contract';\n",
    };
    expect(await violations(files)).toEqual(['default-deny framework/index.ts:1 fixture→contract (re-export)']);
    const allowedOnly = {
      ...allow(base, FACADE, ['contract']),
      'framework/index.ts': "export { contract } from 'fixture/contract';\n",
    };
    expect(await violations(allowedOnly)).toEqual([]);
  });

  it('an exception silences only its own rule, importer and target', async () => {
    const other = [
      "  - { rule: maturity, from: contract, to: router, reason: another rule, owner: '@fixture/team' }",
      "  - { rule: default-deny, from: router, to: contract, reason: the reverse edge, owner: '@fixture/team' }",
      "  - { rule: default-deny, from: contract, to: x/rest, reason: another target, owner: '@fixture/team' }",
      "  - { rule: default-deny, from: x/rest, to: router, reason: another importer, owner: '@fixture/team' }",
    ].join('\n');
    expect(await violations({ ...withExceptions(base, `${other}\n`), ...contractUsesRouter })).toEqual([
      'default-deny framework/contract/use.ts:1 contract→router (import)',
    ]);
    // Among other exceptions, the one that matches still applies.
    const own = "  - { rule: default-deny, from: contract, to: router, reason: this edge, owner: '@fixture/team' }";
    expect(await violations({ ...withExceptions(base, `${other}\n${own}\n`), ...contractUsesRouter })).toEqual([]);
  });

  it('an expired exception no longer applies; one that expires later still does', async () => {
    const entry = (expires: string) =>
      `  - { rule: default-deny, from: contract, to: router, reason: migration, owner: '@fixture/team', expires: '${expires}' }\n`;
    expect(await violations({ ...withExceptions(base, entry('2001-01-01')), ...contractUsesRouter })).toEqual([
      'default-deny framework/contract/use.ts:1 contract→router (import)',
    ]);
    expect(await violations({ ...withExceptions(base, entry('2999-12-31')), ...contractUsesRouter })).toEqual([]);
  });

  it('reports violations ordered by file, then line', async () => {
    const files = {
      ...base,
      'framework/contract/b.ts': "\n\nimport { router } from 'fixture/router';\nexport const b = router;\n",
      'framework/contract/a.ts': "\nimport { router } from 'fixture/router';\nexport const a = router;\n",
      'framework/contract/c.ts':
        "import { router } from 'fixture/router';\nimport { rest } from 'fixture/x/rest';\nexport const c = [router, rest];\n",
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
    expect(await violations(files)).toEqual([
      'builtin-policy framework/router/use.ts:1 router→node:fs/promises (import)',
    ]);
  });

  it('the maturity rule exempts type-only imports only when it is value_only', async () => {
    const typeOnly = {
      ...allow(base, REST, ['x/rest/versioning']),
      'framework/x/rest/use.ts': "import type { V } from 'fixture/x/rest/versioning';\nexport type X = V;\n",
    };
    const strict = await violations(typeOnly);
    expect(strict).toEqual(['maturity framework/x/rest/use.ts:1 x/rest→x/rest/versioning (type-only)']);
    const lenient = {
      ...typeOnly,
      [RULES]: rules.replace(
        '  - id: maturity\n    severity: error\n',
        '  - id: maturity\n    severity: error\n    value_only: true\n',
      ),
    };
    expect(await violations(lenient)).toEqual([]);
    const valueImport = {
      ...lenient,
      'framework/x/rest/use.ts':
        "import { versioning } from 'fixture/x/rest/versioning';\nexport const x = versioning;\n",
    };
    expect(await violations(valueImport)).toEqual([
      'maturity framework/x/rest/use.ts:1 x/rest→x/rest/versioning (import)',
    ]);
  });

  it('judges a scoped package by its two-part name, subpaths included', async () => {
    const files = {
      ...base,
      'package.json': String(base['package.json']).replace(
        '"yaml": "2.9.1"',
        '"yaml": "2.9.1",\n    "@acme/kit": "1.0.0"',
      ),
      'tools/use.ts':
        "import { a } from '@acme/kit/sub/path';\nimport { b } from '@acme/other';\nexport const x = [a, b];\n",
    };
    expect(await violations(files)).toEqual([
      'npm-allowlist tools/use.ts:1 tools→@acme/kit (import)',
      'npm-undeclared tools/use.ts:2 tools→@acme/other (import)',
    ]);
  });
});

describe('the rule engine at its edges', () => {
  it('an exception that expires today still applies', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const entry = `  - { rule: default-deny, from: contract, to: router, reason: migration, owner: '@fixture/team', expires: '${today}' }\n`;
    const found = await violations({ ...withExceptions(base, entry), ...contractUsesRouter });
    // Only meaningful when the run did not cross midnight (UTC) between the two readings.
    if (new Date().toISOString().slice(0, 10) === today) expect(found).toEqual([]);
  });

  it('judges packages by declaration and allowlist: @types for type-only imports, scheme specifiers, unowned files against the root package.json', async () => {
    const pkg = JSON.parse(String(base['package.json'])) as Record<string, Record<string, string>>;
    const files = {
      ...withManifest(base, 'tools/module.yaml', (m) => {
        m.allowed_imports.packages.push({ name: '@types/foo', reason: 'types only' });
      }),
      'package.json': JSON.stringify({
        ...pkg,
        dependencies: { ...pkg['dependencies'], astro: '5.0.0' },
        devDependencies: { ...pkg['devDependencies'], '@types/foo': '1.0.0' },
        peerDependencies: { peer: '1.0.0' },
        optionalDependencies: { opt: '1.0.0' },
      }),
      // Types of an untyped package come from its @types package: installed here, as they would be.
      'node_modules/@types/foo/package.json': JSON.stringify({
        name: '@types/foo',
        version: '1.0.0',
        types: 'index.d.ts',
      }),
      'node_modules/@types/foo/index.d.ts': 'export type F = number;\nexport declare const f: F;\n',
      'tools/types.ts': "import type { F } from 'foo';\nexport type X = F;\n",
      'tools/value.ts': "import { f } from 'foo';\nexport const x = f;\n",
      'tools/virtual.ts': "import { c } from 'astro:content';\nexport const x = c;\n",
      'reference/stray/x.ts':
        "import { parse } from 'yaml';\nimport { p } from 'peer';\nimport { o } from 'opt';\nimport pad from 'left-pad';\nimport { spawn } from 'node:child_process';\nexport const x = [parse, p, o, pad, spawn];\n",
    };
    expect(await violations(files)).toEqual([
      'unowned-file reference/stray/x.ts:0 -→-',
      'npm-undeclared reference/stray/x.ts:4 -→left-pad (import)',
      'npm-undeclared tools/value.ts:1 tools→foo (import)',
      'npm-allowlist tools/virtual.ts:1 tools→astro (import)',
    ]);
  });

  it('without require_node_prefix a bare builtin passes, and a denied one is still denied by its node: name', async () => {
    const files = {
      ...base,
      [RULES]: rules.replace('require_node_prefix: true', 'require_node_prefix: false'),
      'tools/use.ts': "import { readFileSync } from 'fs';\nexport const x = readFileSync;\n",
      'framework/router/use.ts': "import { spawn } from 'child_process';\nexport const y = spawn;\n",
    };
    expect(await violations(files)).toEqual([
      'builtin-policy framework/router/use.ts:1 router→node:child_process (import)',
    ]);
  });

  it('a value_only cycle rule ignores type-only edges, and a cycle is reported at the first edge of each pair', async () => {
    const cycle = {
      ...allow(
        allow(
          withManifest(base, 'framework/x/rest/versioning/module.yaml', (m) => {
            m['status'] = 'beta';
          }),
          REST,
          ['x/rest/versioning'],
        ),
        'framework/x/rest/versioning/module.yaml',
        ['x/rest'],
      ),
      'framework/x/rest/b.ts':
        "import { versioning } from 'fixture/x/rest/versioning';\nexport const b = versioning;\n",
      'framework/x/rest/a.ts':
        "\nimport { versioning } from 'fixture/x/rest/versioning';\nexport const a = versioning;\n",
      'framework/x/rest/versioning/use.ts':
        "import type * as rest from 'fixture/x/rest';\nexport type R = typeof rest;\n",
    };
    expect(await violations(cycle)).toEqual([
      'no-module-cycles framework/x/rest/a.ts:2 x/rest→x/rest/versioning (import)',
      'no-module-cycles framework/x/rest/versioning/use.ts:1 x/rest/versioning→x/rest (type-only)',
    ]);
    const lenient = {
      ...cycle,
      [RULES]: rules.replace(/( {2}- id: no-module-cycles\n {4}severity: error\n)/, '$1    value_only: true\n'),
    };
    expect(lenient[RULES]).toContain('value_only: true');
    expect(await violations(lenient)).toEqual([]);
  });
});

describe('violation order and type packages', () => {
  const v = (file: string, line: number, column: number, rule: string, to?: string): Violation => ({
    check: 'boundaries',
    rule,
    severity: 'error',
    file,
    line,
    column,
    message: '',
    ...(to ? { to } : {}),
  });

  it('sorts by file, line, column, rule, then target', () => {
    const sorted = [
      v('b.ts', 1, 1, 'a'),
      v('a.ts', 2, 1, 'a'),
      v('a.ts', 1, 9, 'a'),
      v('a.ts', 1, 2, 'z'),
      v('a.ts', 1, 2, 'b', 'y'),
      v('a.ts', 1, 2, 'b', 'x'),
      v('a.ts', 1, 2, 'b'),
    ]
      .sort(compareViolations)
      .map((x) => `${x.file}:${x.line}:${x.column} ${x.rule} ${x.to ?? ''}`);
    expect(sorted).toEqual([
      'a.ts:1:2 b ',
      'a.ts:1:2 b x',
      'a.ts:1:2 b y',
      'a.ts:1:2 z ',
      'a.ts:1:9 a ',
      'a.ts:2:1 a ',
      'b.ts:1:1 a ',
    ]);
  });

  it('names the @types package of plain and scoped packages', () => {
    expect([getTypesPackage('node'), getTypesPackage('@scope/name'), getTypesPackage('@scope/name/sub')]).toEqual([
      '@types/node',
      '@types/scope__name',
      '@types/scope__name/sub',
    ]);
  });
});

/** The rules spec without these rules (each must be there: a typo must not make a test vacuous). */
function without(text: string, ...ids: string[]): string {
  return ids.reduce((t, id) => {
    const next = t.replace(new RegExp(`  - id: ${id}\\n(?: {4}.*\\n)+`), '');
    if (next === t) throw new Error(`rule '${id}' is not in the rules spec`);
    return next;
  }, text);
}

/** The rules spec with these rules marked value_only. */
function valueOnly(text: string, ...ids: string[]): string {
  return ids.reduce((t, id) => {
    const next = t.replace(
      `  - id: ${id}\n    severity: error\n`,
      `  - id: ${id}\n    severity: error\n    value_only: true\n`,
    );
    if (next === t) throw new Error(`rule '${id}' is not in the rules spec`);
    return next;
  }, text);
}

/** The evaluator alone (stage 3) over a hand-built file graph, in the fixture's plane. */
const judged = (files: FixtureFiles, graph: FileGraph): Promise<string[]> =>
  withFixture(files, async (plane) => createGraphEvaluator(plane, createRuleBook(plane)).finish(graph).map(summarize));
// An installed package with types: the extractor sees `import type` of it as type-only.
const LEFT_PAD = {
  'node_modules/left-pad/package.json': JSON.stringify({ name: 'left-pad', version: '1.3.0', types: 'index.d.ts' }),
  'node_modules/left-pad/index.d.ts':
    'export type P = string;\ndeclare const pad: (s: string) => string;\nexport default pad;\n',
};
const found = (files: FixtureFiles): Promise<Violation[]> =>
  withFixture(files, async (plane) => (await runBoundaries(plane, { cache: false })).violations);
const CONTRACT = 'framework/contract/module.yaml';

describe('the rule engine: switched-off rules, value_only, invalid manifests', () => {
  it('a semantic rule removed from the spec is off (type-only imports too), and hides no later rule', async () => {
    const files = {
      ...base,
      [RULES]: without(
        rules,
        'default-deny',
        'maturity',
        'no-foreign-tests',
        'no-module-cycles',
        'npm-undeclared',
        'builtin-policy',
        'unresolved-import',
        'unowned-file',
      ),
      'framework/contract/contract.test.ts': 'export const helper = 1;\n',
      // contract ⇄ router: not allowed and a cycle, both rules off.
      'framework/contract/use.ts': "import { router } from 'fixture/router';\nexport const x = router;\n",
      'framework/router/use.ts': "import { contract } from 'fixture/contract';\nexport const x = contract;\n",
      // With no-foreign-tests off, the test file is still not contract's public entry.
      'framework/router/tests.ts': "import { helper } from '../contract/contract.test.ts';\nexport const y = helper;\n",
      'framework/router/npm.ts': "import { parse } from 'yaml';\nexport const z = parse;\n",
      // Not allowed and a lower tier, both rules off: the deep path is still reported.
      'framework/x/rest/versioning/deep.ts': 'export const deep = 1;\n',
      'framework/x/rest/use.ts': "import { deep } from './versioning/deep.ts';\nexport const x = deep;\n",
      ...LEFT_PAD,
      'reference/stray/x.ts':
        "import { g } from './gone.ts';\nimport pad from 'left-pad';\nimport type { P } from 'left-pad';\nimport { readFileSync } from 'fs';\nimport type { Stats } from 'fs';\nexport const x: [P?, Stats?] = [];\nexport const y = [g, pad, readFileSync];\n",
    };
    expect(await violations(files)).toEqual([
      'npm-allowlist framework/router/npm.ts:1 router→yaml (import)',
      'public-entry-only framework/router/tests.ts:1 router→contract (import)',
      'public-entry-only framework/x/rest/use.ts:1 x/rest→x/rest/versioning (import)',
    ]);
  });

  it('value_only exempts type-only imports from the package, builtin and resolution rules, and value imports stay denied', async () => {
    const files = {
      ...base,
      ...LEFT_PAD,
      'node_modules/yaml/package.json': JSON.stringify({ name: 'yaml', version: '2.9.1', types: 'index.d.ts' }),
      'node_modules/yaml/index.d.ts':
        'export type Document = object;\nexport declare function parse(text: string): unknown;\n',
      'tools/types.ts':
        "import type { P } from 'left-pad';\nimport type { Stats } from 'fs';\nexport type X = [P, Stats];\n",
      'tools/values.ts':
        "import pad from 'left-pad';\nimport { g } from './gone.ts';\nimport { statSync } from 'fs';\nexport const x = [pad, g, statSync];\n",
      'framework/router/types.ts': "import type { Document } from 'yaml';\nexport type D = Document;\n",
      'framework/router/values.ts': "import { parse } from 'yaml';\nexport const p = parse;\n",
    };
    const values = [
      'npm-allowlist framework/router/values.ts:1 router→yaml (import)',
      'npm-undeclared tools/values.ts:1 tools→left-pad (import)',
      'unresolved-import tools/values.ts:2 tools→./gone.ts (import)',
      'builtin-policy tools/values.ts:3 tools→node:fs (import)',
    ];
    expect(await violations(files)).toEqual([
      'npm-allowlist framework/router/types.ts:1 router→yaml (type-only)',
      values[0],
      'npm-undeclared tools/types.ts:1 tools→left-pad (type-only)',
      'builtin-policy tools/types.ts:2 tools→node:fs (type-only)',
      ...values.slice(1),
    ]);
    const lenient = {
      ...files,
      [RULES]: valueOnly(rules, 'npm-undeclared', 'npm-allowlist', 'builtin-policy', 'unresolved-import'),
    };
    expect(await violations(lenient)).toEqual(values);
    // The extractor reports an unresolved import as a value import (without its target it cannot tell
    // the forms apart), so a type-only unresolved dependency is given to the evaluator directly.
    const unresolvedType: FileGraph = {
      files: [
        {
          file: 'tools/hand.ts',
          dependencies: [
            {
              specifier: './gone.ts',
              target: 'unresolved',
              resolved: './gone.ts',
              kind: 'type-only',
              via: 'relative',
              line: 1,
              column: 8,
            },
          ],
        },
      ],
    };
    expect(await judged(files, unresolvedType)).toEqual([
      'unresolved-import tools/hand.ts:1 tools→./gone.ts (type-only)',
    ]);
    expect(await judged(lenient, unresolvedType)).toEqual([]);
  });

  it('judges no edge from or to a module whose manifest fails its schema', async () => {
    const files = {
      ...base,
      'framework/contract/deep.ts': 'export const deep = 1;\n',
      'framework/contract/use.ts':
        "import { router } from 'fixture/router';\nimport { parse } from 'yaml';\nimport { spawn } from 'node:child_process';\nexport const x = [router, parse, spawn];\n",
      'framework/x/rest/use.ts': "import { deep } from '../../contract/deep.ts';\nexport const y = deep;\n",
    };
    expect(await violations(files)).toEqual([
      'default-deny framework/contract/use.ts:1 contract→router (import)',
      'npm-allowlist framework/contract/use.ts:2 contract→yaml (import)',
      'builtin-policy framework/contract/use.ts:3 contract→node:child_process (import)',
      'default-deny framework/x/rest/use.ts:1 x/rest→contract (import)',
    ]);
    const invalid = withManifest(files, CONTRACT, (m) => {
      m['risk'] = 'unheard-of';
    });
    expect(await violations(invalid)).toEqual([]);
  });
});

describe('the rule engine: test code, cycles and messages', () => {
  it('an edge only test code makes closes no module cycle; the same edge in shipped code does', async () => {
    const back = "import { router } from 'fixture/router';\nexport const y = router;\n";
    const files = {
      ...allow(base, CONTRACT, ['router']),
      'framework/router/use.ts': "import { contract } from 'fixture/contract';\nexport const x = contract;\n",
      'framework/contract/contract.test.ts': back,
    };
    expect(await violations(files)).toEqual([]);
    const cycle = await found({ ...files, 'framework/contract/use.ts': back });
    expect(cycle.map(summarize)).toEqual([
      'no-module-cycles framework/contract/use.ts:1 contract→router (import)',
      'no-module-cycles framework/router/use.ts:1 router→contract (import)',
    ]);
    // Two modules are the whole tangle: no "part of a tangle" note.
    expect(cycle[0]!.message).toBe(
      'module cycle contract → router → contract: contract → router (framework/contract/use.ts:1); router → contract (framework/router/use.ts:1)',
    );
  });

  it("test code may import another module's testing/ helpers; shipped code may not", async () => {
    const helper = "import { fake } from '../contract/testing/fake.ts';\nexport const x = fake;\n";
    const files = {
      ...base,
      'framework/contract/testing/fake.ts': 'export const fake = 1;\n',
      'framework/router/router.test.ts': helper,
      'framework/router/testing/harness.ts':
        "import { fake } from '../../contract/testing/fake.ts';\nexport const x = fake;\n",
      'framework/router/use.ts': helper,
    };
    const out = await found(files);
    expect(out.map(summarize)).toEqual(['public-entry-only framework/router/use.ts:1 router→contract (import)']);
    expect(out[0]!.message).toContain("'../contract/testing/fake.ts' → framework/contract/testing/fake.ts");
    expect(out[0]!.message).toContain('its public entry is fixture/contract');
  });

  it('judges an unresolved package subpath by its package name', async () => {
    const files = {
      ...base,
      'tools/use.ts':
        "import { a } from 'left-pad/lib/a';\nimport { b } from 'pkg/sub:b';\nimport { c } from '@acme/other/deep';\nexport const x = [a, b, c];\n",
    };
    expect(await violations(files)).toEqual([
      'npm-undeclared tools/use.ts:1 tools→left-pad (import)',
      'npm-undeclared tools/use.ts:2 tools→pkg (import)',
      'npm-undeclared tools/use.ts:3 tools→@acme/other (import)',
    ]);
  });

  it("a specifier of the package's own name that reaches an installed package is a broken self-reference", async () => {
    // The extractor resolves a self-reference through "exports" to a file; one that lands in
    // node_modules (a stale installed copy of the package) comes as a package target.
    const graph: FileGraph = {
      files: [
        {
          file: 'tools/use.ts',
          dependencies: [
            {
              specifier: 'fixture/contract/deep',
              target: 'package',
              resolved: 'fixture',
              kind: 'import',
              via: 'package-self',
              line: 2,
              column: 20,
            },
          ],
        },
      ],
    };
    expect(await judged(base, graph)).toEqual([
      'unresolved-import tools/use.ts:2 tools→fixture/contract/deep (import)',
    ]);
    expect(await judged({ ...base, [RULES]: without(rules, 'unresolved-import') }, graph)).toEqual([]);
  });

  it('a bare import that reaches another module through a workspace link must be declared', async () => {
    const pkg = JSON.parse(String(base['package.json'])) as Record<string, Record<string, string>>;
    const files = {
      // No workspaces field: dependency-cruiser resolves the name through the link in node_modules.
      ...allow(base, 'reference/demo/module.yaml', ['tools']),
      'tools/package.json': JSON.stringify({ name: '@fixture/tools', type: 'module', exports: { '.': './index.ts' } }),
      'reference/demo/use.ts': "import { tools } from '@fixture/tools';\nexport const x = tools;\n",
    };
    const linked = (f: FixtureFiles) =>
      withFixture(f, async (plane) => {
        mkdirSync(join(plane.root, 'node_modules/@fixture'), { recursive: true });
        symlinkSync(join(plane.root, 'tools'), join(plane.root, 'node_modules/@fixture/tools'), 'dir');
        return (await runBoundaries(plane, { cache: false })).violations.map(summarize);
      });
    expect(await linked(files)).toEqual([
      'npm-undeclared reference/demo/use.ts:1 reference/demo→@fixture/tools (import)',
    ]);
    const declared = {
      ...files,
      'package.json': JSON.stringify({ ...pkg, dependencies: { ...pkg['dependencies'], '@fixture/tools': '*' } }),
    };
    expect(await linked(declared)).toEqual([]);
  });
});

describe('judging early-read files again', () => {
  it('re-judges a file whose early record differs only in its parse error or in one dependency', () =>
    withFixture({ ...base, ...contractUsesRouter }, async (plane) => {
      const { graph, violations: expected } = await runBoundaries(plane, { cache: false });
      expect(expected.map(summarize)).toEqual(['default-deny framework/contract/use.ts:1 contract→router (import)']);
      const use = graph.files.find((f) => f.file === 'framework/contract/use.ts')!;
      const early = (record: typeof use): string[] => {
        const evaluator = createGraphEvaluator(plane, createRuleBook(plane));
        evaluator.evaluateFiles([record]);
        return evaluator.finish(graph).map(summarize);
      };
      expect(early({ ...use, parseError: { line: 1, column: 1, message: 'stale' } })).toEqual(expected.map(summarize));
      expect(early({ ...use, dependencies: use.dependencies.map((d) => ({ ...d, line: d.line + 5 })) })).toEqual(
        expected.map(summarize),
      );
    }));

  it('re-judges a file when one of several dependencies changed', () =>
    withFixture(
      {
        ...base,
        'framework/contract/use.ts':
          "import { router } from 'fixture/router';\nimport { rest } from 'fixture/x/rest';\nexport const x = [router, rest];\n",
      },
      async (plane) => {
        const { graph, violations: expected } = await runBoundaries(plane, { cache: false });
        expect(expected.map(summarize)).toEqual([
          'default-deny framework/contract/use.ts:1 contract→router (import)',
          'stable-no-extension framework/contract/use.ts:2 contract→x/rest (import)',
        ]);
        const use = graph.files.find((f) => f.file === 'framework/contract/use.ts')!;
        const evaluator = createGraphEvaluator(plane, createRuleBook(plane));
        evaluator.evaluateFiles([
          { ...use, dependencies: use.dependencies.map((d, i) => (i === 0 ? { ...d, line: d.line + 5 } : d)) },
        ]);
        expect(evaluator.finish(graph)).toEqual(expected);
        // evaluateGraph is the same evaluation in one call.
        expect(evaluateGraph(plane, createRuleBook(plane), graph)).toEqual(expected);
      },
    ));
});

describe('the rule engine: more single conditions', () => {
  const ROUTER = 'framework/router/module.yaml';

  it('a value_only selector rule lets a type-only edge through to the next rules, and still denies a value import', async () => {
    const files = {
      ...allow(base, ROUTER, ['contract', 'x/rest'], ['x/rest']),
      [RULES]: valueOnly(rules, 'stable-no-extension'),
      'framework/router/types.ts': "import type * as rest from 'fixture/x/rest';\nexport type R = typeof rest;\n",
    };
    expect(await violations(files)).toEqual([]);
    expect(await violations({ ...files, [RULES]: rules })).toEqual([
      'stable-no-extension framework/router/types.ts:1 router→x/rest (type-only)',
    ]);
    expect(
      await violations({
        ...files,
        'framework/router/values.ts': "import { rest } from 'fixture/x/rest';\nexport const x = rest;\n",
      }),
    ).toEqual(['stable-no-extension framework/router/values.ts:1 router→x/rest (import)']);
  });

  it('forbidden_imports is part of default-deny: a value_only default-deny lets a type-only import of a forbidden module pass', async () => {
    const files = {
      ...withManifest(allow(base, FACADE, ['contract']), FACADE, (m) => {
        m['forbidden_imports'] = ['contract'];
      }),
      [RULES]: valueOnly(rules, 'default-deny'),
      'framework/index.ts': "export type { C } from 'fixture/contract';\n",
    };
    expect(await violations(files)).toEqual([]);
    expect(
      await violations({ ...files, 'framework/index.ts': "export { contract } from 'fixture/contract';\n" }),
    ).toEqual(['default-deny framework/index.ts:1 fixture→contract (re-export)']);
  });

  it("test code may not reach another module's files outside its testing/ folder", async () => {
    const files = {
      ...base,
      'framework/contract/deep.ts': 'export const deep = 1;\n',
      'framework/router/deep.test.ts': "import { deep } from '../contract/deep.ts';\nexport const x = deep;\n",
    };
    expect(await violations(files)).toEqual([
      'public-entry-only framework/router/deep.test.ts:1 router→contract (import)',
    ]);
  });

  it('a deny list entry with a subpath denies that subpath only', async () => {
    const files = {
      ...base,
      [RULES]: rules.replace(/ {4}stable: \[[^\]]*\]/, '    stable: [node:fs/promises]'),
      'framework/router/promises.ts': "import { readFile } from 'node:fs/promises';\nexport const x = readFile;\n",
      'framework/router/sync.ts': "import { readFileSync } from 'node:fs';\nexport const y = readFileSync;\n",
    };
    expect(await violations(files)).toEqual([
      'builtin-policy framework/router/promises.ts:1 router→node:fs/promises (import)',
    ]);
  });

  it('imports between an unowned file and a module are not judged as module edges', async () => {
    const files = {
      ...base,
      'reference/stray/main.ts':
        "import { contract } from '../../framework/contract/index.ts';\nexport const stray = contract;\n",
      'tools/use.ts': "import { stray } from '../reference/stray/main.ts';\nexport const x = stray;\n",
    };
    expect(await violations(files)).toEqual(['unowned-file reference/stray/main.ts:0 -→-']);
  });

  it('reports a cycle at the earliest line of a pair whatever order the file record lists its imports in', async () => {
    const cycle = allow(
      allow(
        withManifest(base, 'framework/x/rest/versioning/module.yaml', (m) => {
          m['status'] = 'beta';
        }),
        REST,
        ['x/rest/versioning'],
      ),
      'framework/x/rest/versioning/module.yaml',
      ['x/rest'],
    );
    const dep = (specifier: string, resolved: string, line: number) => ({
      specifier,
      target: 'file' as const,
      resolved,
      kind: 'import' as const,
      via: 'package-self' as const,
      line,
      column: 1,
    });
    const graph = (lines: number[]): FileGraph => ({
      files: [
        {
          file: 'framework/x/rest/use.ts',
          dependencies: lines.map((l) => dep('fixture/x/rest/versioning', 'framework/x/rest/versioning/index.ts', l)),
        },
        {
          file: 'framework/x/rest/versioning/use.ts',
          dependencies: [dep('fixture/x/rest', 'framework/x/rest/index.ts', 2)],
        },
      ],
    });
    const expected = [
      'no-module-cycles framework/x/rest/use.ts:3 x/rest→x/rest/versioning (import)',
      'no-module-cycles framework/x/rest/versioning/use.ts:2 x/rest/versioning→x/rest (import)',
    ];
    expect(await judged(cycle, graph([7, 3]))).toEqual(expected);
    expect(await judged(cycle, graph([3, 7]))).toEqual(expected);
  });
});
