import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explainEdge, renderExplanation, resolveEndpoint } from './explain.ts';
import { buildModuleGraph } from './module-graph.ts';
import { renderGraph } from './render-graph.ts';
import { createRuleBook } from './rulebook.ts';
import { readRepositoryGraph } from './run-boundaries.ts';
import { allow, baseFiles, withFixture, withManifest } from './testing/boundary-fixture.ts';

const files = {
  ...allow(allow(baseFiles(), 'framework/router/module.yaml', ['contract']), 'framework/x/rest/module.yaml', [
    'contract',
    'x/rest/versioning',
  ]),
  'framework/contract/deep.ts': 'export const deep = 1;\n',
  'framework/router/use.ts':
    "import { contract } from 'fixture/contract';\nimport type { C } from '../contract/index.ts';\nexport const x: C = contract;\n",
  'framework/x/rest/use.ts': "import { versioning } from 'fixture/x/rest/versioning';\nexport const y = versioning;\n",
};

describe('plumego explain', () => {
  it('traces every rule and manifest field with its position, and lists the imports in the code', () =>
    withFixture(files, async (plane) => {
      const book = createRuleBook(plane);
      const { graph } = await readRepositoryGraph(plane, { cache: false });
      const from = resolveEndpoint(plane, 'router', plane.root, false);
      const to = resolveEndpoint(plane, 'contract', plane.root, true);
      if (from?.type !== 'module' || !to) throw new Error('endpoints should resolve');
      const e = explainEdge(plane, book, from.module, to, { graph });
      expect(e).toMatchObject({ from: 'router', to: 'contract', allowed: true });
      expect(e.steps.find((s) => s.rule === 'default-deny')).toMatchObject({
        outcome: 'allow',
        at: { file: 'framework/router/module.yaml' },
      });
      expect(e.steps.find((s) => s.rule === 'default-deny')!.at.line).toBeGreaterThan(0);
      expect(e.imports.map((i) => `${i.file}:${i.line} ${i.kind}`)).toEqual([
        'framework/router/use.ts:1 import',
        'framework/router/use.ts:2 type-only',
      ]);
      expect(renderExplanation(e)).toContain('router → contract: ALLOWED');
    }));

  it.each([
    ['a stable root importing an extension', 'router', 'x/rest', false, 'stable-no-extension'],
    ['a module its manifest does not allow', 'contract', 'router', false, 'default-deny'],
    ['a lower tier without the opt-in', 'x/rest', 'x/rest/versioning', false, 'maturity'],
    [
      'a deep path into an allowed module',
      'framework/router/use.ts',
      'framework/contract/deep.ts',
      false,
      'public-entry-only',
    ],
    ['an undeclared npm package', 'router', 'left-pad', false, 'npm-undeclared'],
    ['a declared package outside the allowlist', 'router', 'yaml', false, 'npm-allowlist'],
    ['a builtin the layer denies', 'router', 'node:child_process', false, 'builtin-policy'],
    ['an allowed package', 'tools', 'yaml', true, undefined],
  ])('explains %s', (_title, fromArg, toArg, allowed, decidedBy) =>
    withFixture(files, async (plane) => {
      const from = resolveEndpoint(plane, fromArg, plane.root, false);
      const to = resolveEndpoint(plane, toArg, plane.root, true);
      if (from?.type !== 'module' || !to) throw new Error('endpoints should resolve');
      const e = explainEdge(plane, createRuleBook(plane), from.module, to);
      expect({ allowed: e.allowed, decidedBy: e.decidedBy }).toEqual({ allowed, decidedBy });
      if (!allowed) expect(e.fix).toBeTruthy();
    }),
  );

  it.each([
    ['a package subpath', 'fixture/router', 'fixture/contract', 'router', 'contract', undefined],
    ['the facade by the package name', 'fixture', 'fixture/router', 'fixture', 'router', undefined],
    [
      'a relative specifier from the importing file',
      'framework/router/use.ts',
      '../contract/deep.ts',
      'router',
      'contract',
      'framework/contract/deep.ts',
    ],
    [
      'a relative specifier without extension',
      'framework/router/use.ts',
      '../contract/deep',
      'router',
      'contract',
      'framework/contract/deep.ts',
    ],
    [
      'a relative specifier with .js for .ts',
      'framework/router/use.ts',
      '../contract/deep.js',
      'router',
      'contract',
      'framework/contract/deep.ts',
    ],
    ['a directory with an index', 'framework/router', 'framework/contract', 'router', 'contract', undefined],
  ])('accepts %s as written in an import', (_title, fromArg, toArg, fromName, toName, toFile) =>
    withFixture(files, async (plane) => {
      const from = resolveEndpoint(plane, fromArg, plane.root, false);
      if (from?.type !== 'module') throw new Error(`${fromArg} should resolve`);
      expect(from.module.name).toBe(fromName);
      const to = resolveEndpoint(plane, toArg, plane.root, true, from.file);
      expect(to).toMatchObject({ type: 'module', module: { name: toName } });
      expect(to?.type === 'module' ? to.file : undefined).toBe(toFile);
    }),
  );

  it('accepts a workspace package name and its subpath', () =>
    withFixture(
      {
        ...files,
        'package.json': JSON.stringify({ ...JSON.parse(String(baseFiles()['package.json'])), workspaces: ['tools'] }),
        'tools/package.json': JSON.stringify({ name: '@fixture/tools' }),
      },
      async (plane) => {
        expect(resolveEndpoint(plane, '@fixture/tools', plane.root, true)).toMatchObject({
          type: 'module',
          module: { name: 'tools' },
        });
        expect(resolveEndpoint(plane, '@fixture/tools/sub/path', plane.root, true)).toMatchObject({
          type: 'module',
          module: { name: 'tools' },
        });
      },
    ));

  it('reads a scoped package subpath as its package', () =>
    withFixture(files, async (plane) => {
      expect(resolveEndpoint(plane, '@types/node/fs', plane.root, true)).toEqual({
        type: 'package',
        name: '@types/node',
      });
      expect(resolveEndpoint(plane, 'yaml/util', plane.root, true)).toEqual({ type: 'package', name: 'yaml' });
      expect(resolveEndpoint(plane, './missing.ts', plane.root, true)).toBeUndefined();
    }));

  it('does not resolve names that are neither modules nor files', () =>
    withFixture(files, async (plane) => {
      expect(resolveEndpoint(plane, 'nowhere', plane.root, false)).toBeUndefined();
      expect(resolveEndpoint(plane, '../../etc', plane.root, true)).toBeUndefined();
    }));
});

describe('plumego graph', () => {
  it('renders the module graph with kinds, counts, tiers and denied edges', () =>
    withFixture(files, async (plane) => {
      const { graph } = await readRepositoryGraph(plane, { cache: false });
      const modules = buildModuleGraph(plane, createRuleBook(plane), graph);
      expect(modules.edges).toEqual([
        { from: 'router', to: 'contract', kinds: ['import', 'type-only'], count: 2, allowed: true },
        { from: 'x/rest', to: 'x/rest/versioning', kinds: ['import'], count: 1, allowed: false },
      ]);
      await expect(renderGraph(modules, 'mermaid')).toMatchFileSnapshot('./golden/graph.mermaid.txt');
      await expect(renderGraph(modules, 'dot')).toMatchFileSnapshot('./golden/graph.dot.txt');
      await expect(renderGraph(modules, 'json')).toMatchFileSnapshot('./golden/graph.json');
      expect(JSON.parse(renderGraph(modules, 'json', { connectedOnly: false })).nodes).toHaveLength(
        plane.modules.length,
      );
    }));
});

describe('plumego explain: where each step is written', () => {
  const RULES = 'specs/dependency-rules.yaml';
  const ROUTER = 'framework/router/module.yaml';
  const REST = 'framework/x/rest/module.yaml';
  const base = baseFiles();
  const traced = {
    ...withManifest(
      allow(allow(base, ROUTER, ['contract']), REST, ['contract', 'x/rest/versioning'], ['x/rest/versioning']),
      ROUTER,
      (m) => {
        m['forbidden_imports'] = ['x/rest'];
      },
    ),
    [RULES]: String(base[RULES]).replace(
      '  - id: stable-no-extension\n    severity: error\n',
      '  - id: stable-no-extension\n    severity: error\n    value_only: true\n',
    ),
  };

  it('points every step at its rule in the spec or at the manifest entry that decides it, and marks type-only passes', () =>
    withFixture(traced, async (plane) => {
      expect(plane.dependencyRules.rules.find((r) => r.id === 'stable-no-extension')?.value_only).toBe(true);
      const text = (file: string): string[] => readFileSync(join(plane.root, file), 'utf8').split('\n');
      /** 1-based line of the first line equal to `line` after line `after` (1-based). */
      const lineOf = (file: string, line: string, after = 0): number => text(file).indexOf(line, after) + 1;
      const rule = (id: string): number => lineOf(RULES, `  - id: ${id}`);
      const book = createRuleBook(plane);
      const explain = (fromName: string, toName: string, typeOnly: boolean) => {
        const from = resolveEndpoint(plane, fromName, plane.root, false);
        const to = resolveEndpoint(plane, toName, plane.root, true);
        if (from?.type !== 'module' || !to) throw new Error('endpoints should resolve');
        return explainEdge(plane, book, from.module, to, { typeOnly }).steps.map((s) => [
          s.rule,
          s.outcome,
          s.at.file,
          s.at.line,
          s.detail,
        ]);
      };
      const selectors = (from: string, to: string, note: string) => [
        ['stable-no-extension', 'pass', RULES, rule('stable-no-extension'), `does not apply (${from}, ${to}${note})`],
        ['library-no-app-code', 'pass', RULES, rule('library-no-app-code'), `does not apply (${from}, ${to})`],
        ['no-bench-imports', 'pass', RULES, rule('no-bench-imports'), `does not apply (${from}, ${to})`],
      ];
      expect(explain('router', 'contract', false)).toEqual([
        ...selectors('router is stable', 'contract is stable', ''),
        [
          'default-deny',
          'allow',
          ROUTER,
          lineOf(ROUTER, '    - contract'),
          "router's allowed_imports.modules lists contract",
        ],
        ['maturity', 'pass', RULES, rule('maturity'), 'contract (ga) is not below router (ga)'],
      ]);
      expect(explain('router', 'x/rest', true)).toEqual([
        ...selectors('router is stable', 'x/rest is extension', ', type-only edge'),
        [
          'default-deny',
          'deny',
          ROUTER,
          lineOf(ROUTER, '  - x/rest', lineOf(ROUTER, 'forbidden_imports:')),
          'router lists x/rest in forbidden_imports',
        ],
        [
          'default-deny',
          'deny',
          ROUTER,
          lineOf(ROUTER, '    - contract'),
          "x/rest is not in router's allowed_imports.modules",
        ],
        [
          'maturity',
          'deny',
          ROUTER,
          lineOf(ROUTER, 'allowed_imports:') + 1,
          'x/rest (beta) is below router (ga) and not in allowed_imports.lower_tier',
        ],
      ]);
      expect(explain('router', 'x/rest', false)[0]?.slice(0, 2)).toEqual(['stable-no-extension', 'deny']);
      const lowerTier = lineOf(REST, '  lower_tier:');
      expect(explain('x/rest', 'x/rest/versioning', false).slice(3)).toEqual([
        [
          'default-deny',
          'allow',
          REST,
          lineOf(REST, '    - x/rest/versioning'),
          "x/rest's allowed_imports.modules lists x/rest/versioning",
        ],
        [
          'maturity',
          'allow',
          REST,
          lineOf(REST, '    - x/rest/versioning', lowerTier),
          'x/rest/versioning (experimental) is below x/rest (beta); allowed_imports.lower_tier opts in',
        ],
      ]);
      // The opt-in is its own entry, not the first line of allowed_imports.
      expect(lineOf(REST, '    - x/rest/versioning', lowerTier)).toBeGreaterThan(lowerTier);
    }));
});
