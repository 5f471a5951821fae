import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { applyBaseline, buildBaseline } from './baseline.ts';
import { createGraphEvaluator } from './find-violations.ts';
import { createRuleBook } from './rulebook.ts';
import { runBoundaries } from './run-boundaries.ts';
import {
  allow,
  baseFiles,
  summarize,
  withFixture,
  withManifest,
  type FixtureFiles,
} from './testing/boundary-fixture.ts';

interface Case {
  readonly title: string;
  readonly files: FixtureFiles;
  /** `rule file:line from→to (kind)`, sorted by file and line. */
  readonly expected: readonly string[];
}

const base = baseFiles();
const ROUTER = 'framework/router/module.yaml';
const CONTRACT = 'framework/contract/module.yaml';
const REST = 'framework/x/rest/module.yaml';
const VERSIONING = 'framework/x/rest/versioning/module.yaml';
const DEMO = 'reference/demo/module.yaml';
const FACADE = 'module.yaml';

const setStatus = (files: FixtureFiles, file: string, status: string): FixtureFiles =>
  withManifest(files, file, (m) => {
    m['status'] = status;
  });

const CASES: readonly Case[] = [
  // Edge kinds and resolution paths, allowed and violating.
  {
    title: 'an allowed import through the package subpath passes',
    files: {
      ...base,
      'framework/router/use.ts': "import { contract } from 'fixture/contract';\nexport const x = contract;\n",
    },
    expected: [],
  },
  {
    title: 'an allowed relative import of the entry passes',
    files: {
      ...base,
      'framework/router/use.ts': "import { contract } from '../contract/index.ts';\nexport const x = contract;\n",
    },
    expected: [],
  },
  {
    title: 'an undeclared module import is denied by default',
    files: {
      ...base,
      'framework/contract/use.ts': "import { router } from 'fixture/router';\nexport const x = router;\n",
    },
    expected: ['default-deny framework/contract/use.ts:1 contract→router (import)'],
  },
  {
    title: 'a re-export is an edge',
    files: { ...base, 'framework/contract/use.ts': "export { router } from 'fixture/router';\n" },
    expected: ['default-deny framework/contract/use.ts:1 contract→router (re-export)'],
  },
  {
    title: 'a type-only import is an edge',
    files: { ...base, 'framework/contract/use.ts': "import type { R } from 'fixture/router';\nexport type X = R;\n" },
    expected: ['default-deny framework/contract/use.ts:1 contract→router (type-only)'],
  },
  {
    title: 'a type-only re-export is an edge',
    files: { ...base, 'framework/contract/use.ts': "\nexport type { R } from '../router/index.ts';\n" },
    expected: ['default-deny framework/contract/use.ts:2 contract→router (type-only re-export)'],
  },
  {
    title: 'a value_only rule lets type-only imports pass',
    files: {
      ...base,
      'specs/dependency-rules.yaml': String(base['specs/dependency-rules.yaml']).replace(
        '  - id: default-deny\n    severity: error\n',
        '  - id: default-deny\n    severity: error\n    value_only: true\n',
      ),
      'framework/contract/use.ts': "import type { R } from 'fixture/router';\nexport type X = R;\n",
    },
    expected: [],
  },
  {
    title: 'a file importing a module twice gets each violation at its own line',
    files: {
      ...base,
      'framework/contract/use.ts':
        "import type { R } from 'fixture/router';\n\nimport { router } from 'fixture/router';\nexport const x: R = router;\n",
    },
    expected: [
      'default-deny framework/contract/use.ts:1 contract→router (type-only)',
      'default-deny framework/contract/use.ts:3 contract→router (import)',
    ],
  },
  {
    title: 'a dynamic import is an edge',
    files: { ...base, 'framework/contract/use.ts': "export const load = () => import('fixture/router');\n" },
    expected: ['default-deny framework/contract/use.ts:1 contract→router (dynamic)'],
  },
  {
    title: 'a require call is an edge',
    files: {
      ...base,
      'framework/contract/use.ts':
        "declare const require: (id: string) => unknown;\nexport const r = require('../router/index.ts');\n",
    },
    expected: ['default-deny framework/contract/use.ts:2 contract→router (require)'],
  },
  {
    title: 'a tsconfig paths alias resolves to the module it names',
    files: {
      ...base,
      'tsconfig.json': JSON.stringify({
        compilerOptions: { baseUrl: '.', paths: { '#router': ['framework/router/index.ts'] } },
      }),
      'framework/contract/use.ts': "import { router } from '#router';\nexport const x = router;\n",
    },
    expected: ['default-deny framework/contract/use.ts:1 contract→router (import)'],
  },
  {
    title: 'a relative import within a module is free',
    files: {
      ...base,
      'framework/router/a.ts': 'export const a = 1;\n',
      'framework/router/b.ts': "import { a } from './a.ts';\nexport const b = a;\n",
    },
    expected: [],
  },
  // Global layer rules.
  {
    title: 'a stable root never imports an extension, even when its manifest allows it',
    files: {
      ...allow(base, ROUTER, ['contract', 'x/rest']),
      'framework/router/use.ts': "import { rest } from 'fixture/x/rest';\nexport const x = rest;\n",
    },
    expected: ['stable-no-extension framework/router/use.ts:1 router→x/rest (import)'],
  },
  {
    title: 'the facade never imports an extension',
    files: { ...base, 'framework/index.ts': "export { rest } from 'fixture/x/rest';\n" },
    expected: ['stable-no-extension framework/index.ts:1 fixture→x/rest (re-export)'],
  },
  {
    title: 'an extension may import a stable root it allows',
    files: {
      ...allow(base, REST, ['contract']),
      'framework/x/rest/use.ts': "import { contract } from 'fixture/contract';\nexport const x = contract;\n",
    },
    expected: [],
  },
  {
    title: 'library code never imports tools',
    files: {
      ...base,
      'framework/router/use.ts': "import { tools } from '../../tools/index.ts';\nexport const x = tools;\n",
    },
    expected: ['library-no-app-code framework/router/use.ts:1 router→tools (import)'],
  },
  {
    title: 'library code never imports reference services',
    files: {
      ...base,
      'framework/router/use.ts': "import { demo } from '../../reference/demo/main.ts';\nexport const x = demo;\n",
    },
    expected: ['library-no-app-code framework/router/use.ts:1 router→reference/demo (import)'],
  },
  {
    title: 'nothing imports bench',
    files: {
      ...allow(base, 'tools/module.yaml', ['bench']),
      'specs/repo.yaml': {
        ...(base['specs/repo.yaml'] as { layers: { tooling: object } }),
        layers: {
          ...(base['specs/repo.yaml'] as { layers: Record<string, object> }).layers,
          tooling: { description: 'Tools and benchmarks.', paths: ['tools', 'bench'] },
        },
      },
      'bench/module.yaml': {
        ...(base['tools/module.yaml'] as object),
        name: 'bench',
        path: 'bench',
        allowed_imports: { modules: [], packages: [] },
      },
      'bench/harness.ts': 'export const harness = 1;\n',
      'tools/use.ts': "import { harness } from '../bench/harness.ts';\nexport const x = harness;\n",
    },
    expected: ['no-bench-imports tools/use.ts:1 tools→bench (import)'],
  },
  {
    title: "no module imports another module's tests",
    files: {
      ...base,
      'framework/contract/contract.test.ts': 'export const helper = 1;\n',
      'framework/router/use.ts': "import { helper } from '../contract/contract.test.ts';\nexport const x = helper;\n",
    },
    expected: ['no-foreign-tests framework/router/use.ts:1 router→contract (import)'],
  },
  {
    title: "a module's own tests are part of it",
    files: {
      ...base,
      'framework/router/router.test.ts': "import { router } from './index.ts';\nexport const x = router;\n",
    },
    expected: [],
  },
  // Public entry only.
  {
    title: 'a deep relative path into another module is denied',
    files: {
      ...base,
      'framework/contract/deep.ts': 'export const deep = 1;\n',
      'framework/router/use.ts': "import { deep } from '../contract/deep.ts';\nexport const x = deep;\n",
    },
    expected: ['public-entry-only framework/router/use.ts:1 router→contract (import)'],
  },
  {
    title: 'a package subpath that exports does not provide is unresolved',
    files: {
      ...base,
      'framework/contract/deep.ts': 'export const deep = 1;\n',
      'framework/router/use.ts': "import { deep } from 'fixture/contract/deep';\nexport const x = deep;\n",
    },
    expected: ['unresolved-import framework/router/use.ts:1 router→fixture/contract/deep (import)'],
  },
  // Maturity.
  {
    title: 'a beta module importing an experimental one needs the lower_tier opt-in',
    files: {
      ...allow(base, REST, ['x/rest/versioning']),
      'framework/x/rest/use.ts':
        "import { versioning } from 'fixture/x/rest/versioning';\nexport const x = versioning;\n",
    },
    expected: ['maturity framework/x/rest/use.ts:1 x/rest→x/rest/versioning (import)'],
  },
  {
    title: 'the lower_tier opt-in allows the lower-tier import',
    files: {
      ...allow(base, REST, ['x/rest/versioning'], ['x/rest/versioning']),
      'framework/x/rest/use.ts':
        "import { versioning } from 'fixture/x/rest/versioning';\nexport const x = versioning;\n",
    },
    expected: [],
  },
  {
    title: 'a beta subpackage inside an experimental family counts as beta',
    files: {
      ...allow(setStatus(setStatus(setStatus(base, REST, 'experimental'), VERSIONING, 'beta'), DEMO, 'beta'), DEMO, [
        'x/rest/versioning',
        'x/rest',
      ]),
      'reference/demo/a.ts':
        "import { versioning } from 'fixture/x/rest/versioning';\nimport { rest } from 'fixture/x/rest';\nexport const x = [versioning, rest];\n",
    },
    expected: ['maturity reference/demo/a.ts:2 reference/demo→x/rest (import)'],
  },
  // Cycles.
  {
    title: 'a cycle of two modules is reported with its path',
    files: {
      ...allow(allow(setStatus(base, VERSIONING, 'beta'), REST, ['x/rest/versioning']), VERSIONING, ['x/rest']),
      'framework/x/rest/use.ts':
        "import { versioning } from 'fixture/x/rest/versioning';\nexport const x = versioning;\n",
      'framework/x/rest/versioning/use.ts': "import { rest } from 'fixture/x/rest';\nexport const y = rest;\n",
    },
    expected: [
      'no-module-cycles framework/x/rest/use.ts:1 x/rest→x/rest/versioning (import)',
      'no-module-cycles framework/x/rest/versioning/use.ts:1 x/rest/versioning→x/rest (import)',
    ],
  },
  {
    title: 'a cycle of three modules is reported with its path',
    files: {
      ...allow(allow(allow(base, FACADE, ['router']), ROUTER, ['contract']), CONTRACT, ['fixture']),
      'framework/index.ts': "export { router } from 'fixture/router';\n",
      'framework/router/use.ts': "import { contract } from 'fixture/contract';\nexport const x = contract;\n",
      'framework/contract/use.ts': "import type * as root from 'fixture';\nexport type Root = typeof root;\n",
    },
    expected: [
      'no-module-cycles framework/contract/use.ts:1 contract→fixture (type-only)',
      'no-module-cycles framework/index.ts:1 fixture→router (re-export)',
      'no-module-cycles framework/router/use.ts:1 router→contract (import)',
    ],
  },
  // npm packages and builtins.
  {
    title: 'a declared package outside the allowlist is reported',
    files: { ...base, 'framework/router/use.ts': "import { parse } from 'yaml';\nexport const x = parse;\n" },
    expected: ['npm-allowlist framework/router/use.ts:1 router→yaml (import)'],
  },
  {
    title: 'an allowed package passes',
    files: { ...base, 'tools/use.ts': "import { parse } from 'yaml';\nexport const x = parse;\n" },
    expected: [],
  },
  {
    title: 'an undeclared package is reported',
    files: { ...base, 'tools/use.ts': "import pad from 'left-pad';\nexport const x = pad;\n" },
    expected: ['npm-undeclared tools/use.ts:1 tools→left-pad (import)'],
  },
  {
    title: 'tests may use any declared package',
    files: {
      ...base,
      'framework/router/router.test.ts':
        "import { it } from 'vitest';\nimport { parse } from 'yaml';\nexport const x = [it, parse];\n",
    },
    expected: [],
  },
  {
    title: 'a builtin without the node: prefix is reported',
    files: {
      ...base,
      'tools/use.ts':
        "import { readFileSync } from 'fs';\nimport { join } from 'node:path';\nexport const x = [readFileSync, join];\n",
    },
    expected: ['builtin-policy tools/use.ts:1 tools→node:fs (import)'],
  },
  {
    title: 'a builtin the layer denies is reported outside tests',
    files: {
      ...base,
      'framework/router/use.ts': "import { spawn } from 'node:child_process';\nexport const x = spawn;\n",
      'framework/router/use.test.ts': "import { spawn } from 'node:child_process';\nexport const y = spawn;\n",
    },
    expected: ['builtin-policy framework/router/use.ts:1 router→node:child_process (import)'],
  },
  // Manifest fields and exceptions.
  {
    title: 'forbidden_imports denies a module',
    files: {
      ...withManifest(base, FACADE, (m) => {
        m['forbidden_imports'] = ['contract'];
      }),
      'framework/index.ts': "export { contract } from 'fixture/contract';\n",
    },
    expected: ['default-deny framework/index.ts:1 fixture→contract (re-export)'],
  },
  {
    title: 'a live exception in the rules spec lets the edge pass',
    files: {
      ...base,
      'specs/dependency-rules.yaml': `${String(base['specs/dependency-rules.yaml']).replace('exceptions: []', '')}exceptions:\n  - { rule: default-deny, from: contract, to: router, reason: migration in progress, owner: '@fixture/team' }\n`,
      'framework/contract/use.ts': "import { router } from 'fixture/router';\nexport const x = router;\n",
    },
    expected: [],
  },
  // Bad input.
  {
    title: 'an unresolvable relative import is reported',
    files: { ...base, 'tools/use.ts': "import { gone } from './gone.ts';\nexport const x = gone;\n" },
    expected: ['unresolved-import tools/use.ts:1 tools→./gone.ts (import)'],
  },
  {
    title: 'a file outside every module is reported',
    files: { ...base, 'reference/stray/main.ts': 'export const stray = 1;\n' },
    expected: ['unowned-file reference/stray/main.ts:0 -→-'],
  },
  {
    title: 'an unparseable file is reported and the rest is still checked',
    files: {
      ...base,
      'tools/broken.ts': 'export const = = ;\n',
      'framework/contract/use.ts': "import { router } from 'fixture/router';\nexport const x = router;\n",
    },
    expected: [
      'default-deny framework/contract/use.ts:1 contract→router (import)',
      'unparseable-file tools/broken.ts:1 tools→-',
    ],
  },
];

describe('boundary rules over fixture repositories', () => {
  it.each(CASES)('$title', async ({ files, expected }) => {
    const found = await withFixture(files, async (plane) => (await runBoundaries(plane, { cache: false })).violations);
    expect(found.map(summarize)).toEqual(expected);
    for (const v of found) {
      expect(v.check).toBe('boundaries');
      expect(v.rationale?.length).toBeGreaterThan(10);
      expect(v.fix?.length).toBeGreaterThan(10);
    }
  });
});

describe('module cycles: every edge of a tangle', () => {
  // router ⇄ contract, then contract → fixture → router joins the same tangle through a new edge.
  const tangle = {
    ...allow(allow(allow(base, FACADE, ['router']), ROUTER, ['contract']), CONTRACT, ['router', 'fixture']),
    'framework/router/use.ts': "import { contract } from 'fixture/contract';\nexport const x = contract;\n",
    'framework/contract/use.ts': "import { router } from 'fixture/router';\nexport const y = router;\n",
  };

  it('reports each edge of a tangle with the shortest cycle through it', async () => {
    const found = await withFixture(tangle, async (plane) => (await runBoundaries(plane, { cache: false })).violations);
    expect(found.map((v) => `${v.from}→${v.to}: ${v.message.split(':')[0]}`)).toEqual([
      'contract→router: module cycle contract → router → contract',
      'router→contract: module cycle router → contract → router',
    ]);
  });

  it('a new edge into an existing tangle is a new violation the old baseline does not cover', async () => {
    const grown = {
      ...tangle,
      'framework/contract/more.ts': "import type * as root from 'fixture';\nexport type Root = typeof root;\n",
      'framework/index.ts': "export { router } from 'fixture/router';\n",
    };
    const [before, after] = await Promise.all(
      [tangle, grown].map((files) =>
        withFixture(files, async (plane) => (await runBoundaries(plane, { cache: false })).violations),
      ),
    );
    const frozen = {
      file: 'specs/boundary-baseline.yaml',
      entries: buildBaseline(before!, []),
      locate: () => ({ file: 'specs/boundary-baseline.yaml', line: 1, column: 1 }),
    };
    const left = applyBaseline(after!, frozen, '2026-01-01').violations;
    expect(left.map((v) => `${v.rule} ${v.file}:${v.line} ${v.from}→${v.to}`)).toEqual([
      'no-module-cycles framework/contract/more.ts:1 contract→fixture',
      'no-module-cycles framework/index.ts:1 fixture→router',
    ]);
    expect(left[0]!.message).toContain('contract → fixture → router → contract');
    expect(after!.find((v) => v.from === 'router')!.message).toContain(
      'router → contract → router: router → contract (framework/router/use.ts:1); contract → router (framework/contract/use.ts:1) (part of a tangle of 3 modules: contract, fixture, router)',
    );
  });
});

describe('judging cached files early', () => {
  const files = {
    ...base,
    'framework/contract/use.ts': "import { router } from 'fixture/router';\nexport const x = router;\n",
    'tools/broken.ts': 'export const = = ;\n',
  };

  it('gives the same violations with the cache (files judged while others are extracted) as without it', async () => {
    await withFixture(files, async (plane) => {
      const uncached = (await runBoundaries(plane, { cache: false })).violations;
      await runBoundaries(plane);
      writeFileSync(`${plane.root}/tools/index.ts`, "import { gone } from './gone.ts';\nexport const tools = gone;\n");
      const early: string[] = [];
      const run = await runBoundaries(plane, { onReuse: (reused) => early.push(...reused.map((f) => f.file)) });
      expect(run.stats.extracted).toBe(1);
      expect(early).not.toContain('tools/index.ts');
      expect(early).toContain('framework/contract/use.ts');
      expect(run.violations.map(summarize)).toEqual(
        [...uncached.map(summarize), 'unresolved-import tools/index.ts:1 tools→./gone.ts (import)'].sort((a, b) =>
          a.split(' ')[1]!.localeCompare(b.split(' ')[1]!),
        ),
      );
    });
  });

  it('judges a file again when its record differs from the one judged early', async () => {
    await withFixture(files, async (plane) => {
      const { graph } = await runBoundaries(plane, { cache: false });
      const evaluator = createGraphEvaluator(plane, createRuleBook(plane));
      const use = graph.files.find((f) => f.file === 'framework/contract/use.ts')!;
      evaluator.evaluateFiles([{ ...use, dependencies: [] }]);
      expect(evaluator.finish(graph).map(summarize)).toContain(
        'default-deny framework/contract/use.ts:1 contract→router (import)',
      );
    });
  });
});
