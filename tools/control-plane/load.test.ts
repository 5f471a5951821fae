import { describe, expect, it } from 'vitest';
import { loadControlPlane } from './load.ts';
import { validFixture, type FixtureFiles, useFixtureRoots } from './testing/fixture-repo.ts';

const fixtureRoot = useFixtureRoots();
const load = (files: FixtureFiles) => loadControlPlane(fixtureRoot(files));

const ROUTER_YAML = [
  'name: router',
  'path: framework/router',
  'layer: stable',
  'status: ga',
  'promoted_in: v1.0.0',
  'owner: "@fixture/team"',
  'risk: low',
  'summary: The router module of the fixture repository.',
  'responsibilities: [match routes]',
  'non_goals: [authentication]',
  'allowed_imports: { modules: [contract], packages: [] }',
  'public_entrypoints: []',
  'test_commands: [npx vitest run framework/router]',
  'review_checklist: [tests pass]',
  'agent_hints: [read the manifest first]',
  '',
].join('\n');

describe('loadControlPlane on a valid repository', () => {
  it('returns the typed plane with no violations', async () => {
    const result = await load(validFixture());
    expect(result.configErrors).toEqual([]);
    expect(result.violations).toEqual([]);
    const plane = result.plane!;
    expect(plane.modules.map((m) => m.name)).toEqual([
      'contract',
      'fixture',
      'reference/demo',
      'router',
      'tools',
      'x/rest',
      'x/rest/versioning',
    ]);
    expect(plane.moduleByName.get('x/rest/versioning')).toMatchObject({
      layer: 'extension',
      tier: 'experimental',
      family: 'x/rest',
      importSpecifier: 'fixture/x/rest/versioning',
      implemented: false,
    });
    expect(plane.moduleByName.get('fixture')).toMatchObject({
      layer: 'facade',
      path: 'framework',
      entry: 'framework/index.ts',
      importSpecifier: 'fixture',
      implemented: true,
    });
    expect(result.notImplemented).toEqual(['reference/demo', 'router', 'tools', 'x/rest', 'x/rest/versioning']);
  });

  it('locates nodes by YAML path with 1-based line and column', async () => {
    const files = validFixture();
    files['framework/router/module.yaml'] = ROUTER_YAML;
    const { plane } = await load(files);
    expect(plane!.locate('framework/router/module.yaml', ['allowed_imports', 'modules', 0])).toEqual({
      file: 'framework/router/module.yaml',
      line: 11,
      column: 30,
    });
  });
});

interface BadCase {
  readonly title: string;
  readonly mutate: (files: FixtureFiles) => void;
  readonly rule: string;
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  readonly message: RegExp;
}

const badManifests: BadCase[] = [
  {
    title: 'an unknown key names the key and its position',
    mutate: (f) => {
      f['framework/router/module.yaml'] = ROUTER_YAML.replace('risk: low', 'risk: low\nowners: [someone]');
    },
    rule: 'schema/additionalProperties',
    file: 'framework/router/module.yaml',
    line: 8,
    column: 1,
    message: /unknown key 'owners'/,
  },
  {
    title: 'a wrong enum value lists the allowed values',
    mutate: (f) => {
      f['framework/router/module.yaml'] = ROUTER_YAML.replace('status: ga', 'status: stable');
    },
    rule: 'schema/enum',
    file: 'framework/router/module.yaml',
    line: 4,
    column: 9,
    message: /status: "stable" is not one of: ga, beta, experimental/,
  },
  {
    title: 'a too-long list states the limit',
    mutate: (f) => {
      f['framework/router/module.yaml'] = ROUTER_YAML.replace(
        'agent_hints: [read the manifest first]',
        'agent_hints: [a1a, b2b, c3c, d4d]',
      );
    },
    rule: 'schema/maxItems',
    file: 'framework/router/module.yaml',
    line: 15,
    column: 14,
    message: /agent_hints: 4 items, at most 3 allowed/,
  },
  {
    title: 'an empty required list is an error, not a default',
    mutate: (f) => {
      f['framework/router/module.yaml'] = ROUTER_YAML.replace(
        'responsibilities: [match routes]',
        'responsibilities: []',
      );
    },
    rule: 'schema/minItems',
    file: 'framework/router/module.yaml',
    line: 9,
    message: /responsibilities: must not be empty/,
  },
  {
    title: 'a missing required key is named',
    mutate: (f) => {
      f['framework/router/module.yaml'] = ROUTER_YAML.replace('owner: "@fixture/team"\n', '');
    },
    rule: 'schema/required',
    file: 'framework/router/module.yaml',
    line: 1,
    message: /missing required key 'owner'/,
  },
  {
    title: 'a manifest whose name does not match its folder',
    mutate: (f) => {
      f['framework/router/module.yaml'] = ROUTER_YAML.replace('name: router', 'name: routing');
    },
    rule: 'name-matches-path',
    file: 'framework/router/module.yaml',
    line: 1,
    column: 7,
    message: /module name 'routing' does not match its folder 'framework\/router'/,
  },
  {
    title: 'a duplicate module is reported at the second manifest',
    mutate: (f) => {
      f['framework/x/rest/versioning/module.yaml'] = { ...(f['framework/x/rest/module.yaml'] as object) };
    },
    rule: 'duplicate-module',
    file: 'framework/x/rest/versioning/module.yaml',
    message: /module 'x\/rest' is declared twice/,
  },
  {
    title: 'an allowed import that names no module',
    mutate: (f) => {
      f['framework/router/module.yaml'] = ROUTER_YAML.replace('modules: [contract]', 'modules: [contrakt]');
    },
    rule: 'allowed-imports-exist',
    file: 'framework/router/module.yaml',
    line: 11,
    message: /unknown module 'contrakt'/,
  },
  {
    title: 'an allowed package missing from package.json',
    mutate: (f) => {
      (f['tools/module.yaml'] as { allowed_imports: { packages: object[] } }).allowed_imports.packages.push({
        name: 'left-pad',
        reason: 'pads strings',
      });
    },
    rule: 'allowed-packages-declared',
    file: 'tools/module.yaml',
    message: /allowed package 'left-pad' is not declared in package.json/,
  },
  {
    title: 'a stable root that is not ga',
    mutate: (f) => {
      f['framework/router/module.yaml'] = ROUTER_YAML.replace(
        'status: ga\npromoted_in: v1.0.0',
        'status: beta\npromoted_in: v1.0.0',
      );
    },
    rule: 'stable-is-ga',
    file: 'framework/router/module.yaml',
    message: /stable root 'router' has status 'beta'/,
  },
  {
    title: 'promoted_in that names no release',
    mutate: (f) => {
      f['framework/router/module.yaml'] = ROUTER_YAML.replace('promoted_in: v1.0.0', 'promoted_in: v9.9.9');
    },
    rule: 'promoted-in-release',
    file: 'framework/router/module.yaml',
    line: 5,
    message: /promoted_in 'v9.9.9' is not a release/,
  },
  {
    title: 'a nested manifest that the taxonomy does not declare',
    mutate: (f) => {
      f['framework/x/rest/paging/module.yaml'] = {
        ...(f['framework/x/rest/versioning/module.yaml'] as object),
        name: 'x/rest/paging',
        path: 'framework/x/rest/paging',
      };
    },
    rule: 'family-declared',
    file: 'framework/x/rest/paging/module.yaml',
    message: /not a subordinate with module: true/,
  },
];

const badLayout: BadCase[] = [
  {
    title: 'an undeclared x/* family directory',
    mutate: (f) => {
      f['framework/x/cache/index.ts'] = 'export {};\n';
    },
    rule: 'every-extension-declared',
    file: 'specs/extension-taxonomy.yaml',
    message: /'framework\/x\/cache\/' is not a family/,
  },
  {
    title: 'a discouraged library root',
    mutate: (f) => {
      f['framework/utils/index.ts'] = 'export {};\n';
    },
    rule: 'no-discouraged-roots',
    file: 'specs/repo.yaml',
    message: /'framework\/utils\/' uses a discouraged name/,
  },
  {
    title: 'an undeclared library root',
    mutate: (f) => {
      f['framework/helpers/index.ts'] = 'export {};\n';
    },
    rule: 'library-roots-only',
    file: 'specs/repo.yaml',
    message: /'framework\/helpers\/' is neither a stable root nor x\//,
  },
  {
    title: 'an undeclared top-level directory',
    mutate: (f) => {
      f['scripts/run.ts'] = 'export {};\n';
    },
    rule: 'declared-top-level',
    file: 'specs/repo.yaml',
    message: /top-level directory 'scripts\/' is not declared/,
  },
  {
    title: 'a stable root without a manifest',
    mutate: (f) => {
      delete f['framework/contract/module.yaml'];
      f['framework/router/module.yaml'] = ROUTER_YAML.replace('modules: [contract]', 'modules: []');
    },
    rule: 'manifest-per-module',
    file: 'specs/repo.yaml',
    message: /stable root 'contract' has no module.yaml/,
  },
  {
    title: 'a package.json inside a module folder that is not a workspace',
    mutate: (f) => {
      f['framework/router/sub/package.json'] = '{ "type": "commonjs" }\n';
    },
    rule: 'nested-package-json',
    file: 'framework/router/sub/package.json',
    message: /not a declared workspace package; it changes how every import below framework\/router\/sub\/ resolves/,
  },
  {
    title: 'a package.json inside a tooling module that is not a workspace',
    mutate: (f) => {
      f['tools/pkg/package.json'] = '{}\n';
    },
    rule: 'nested-package-json',
    file: 'tools/pkg/package.json',
    message: /tools\/pkg\/package.json sits inside a module folder/,
  },
];

const badRouting: BadCase[] = [
  {
    title: 'a routing entry that points at a missing file',
    mutate: (f) => {
      (f['specs/task-routing.yaml'] as { tasks: Record<string, { start_with: string[] }> }).tasks[
        'http_endpoint'
      ]!.start_with.push('framework/router/missing.ts');
    },
    rule: 'paths-exist',
    file: 'specs/task-routing.yaml',
    message: /start_with entry 'framework\/router\/missing.ts' does not exist/,
  },
  {
    title: 'a module that no routing entry reaches',
    mutate: (f) => {
      (f['specs/task-routing.yaml'] as { tasks: Record<string, { modules: string[] }> }).tasks['tooling']!.modules = [
        'tools',
      ];
    },
    rule: 'module-reachable',
    file: 'reference/demo/module.yaml',
    message: /'reference\/demo' is not owned by any task/,
  },
  {
    title: 'a task naming an unknown module',
    mutate: (f) => {
      (f['specs/task-routing.yaml'] as { tasks: Record<string, { modules: string[] }> }).tasks['tooling']!.modules.push(
        'x/nope',
      );
    },
    rule: 'references-exist',
    file: 'specs/task-routing.yaml',
    message: /task 'tooling' names unknown module 'x\/nope'/,
  },
];

const badTasksAndSpecs: BadCase[] = [
  {
    title: 'a card whose status disagrees with its folder',
    mutate: (f) => {
      f['tasks/cards/done/T-0001.yaml'] = f['tasks/cards/active/T-0001.yaml']!;
      delete f['tasks/cards/active/T-0001.yaml'];
    },
    rule: 'card-status-folder',
    file: 'tasks/cards/done/T-0001.yaml',
    message: /status 'active' but sits in cards\/done\//,
  },
  {
    title: 'a blocked card without blocked_by fails the schema',
    mutate: (f) => {
      f['tasks/cards/blocked/T-0002.yaml'] = {
        ...(f['tasks/cards/active/T-0001.yaml'] as object),
        id: 'T-0002',
        status: 'blocked',
      };
    },
    rule: 'schema/required',
    file: 'tasks/cards/blocked/T-0002.yaml',
    message: /missing required key 'blocked_by'/,
  },
  {
    title: 'an expired dependency exception',
    mutate: (f) => {
      (f['specs/dependency-rules.yaml'] as { exceptions: object[] }).exceptions.push({
        rule: 'default-deny',
        from: 'router',
        to: 'contract',
        reason: 'legacy wiring',
        owner: '@fixture/team',
        expires: '2020-01-01',
      });
    },
    rule: 'exception-expired',
    file: 'specs/dependency-rules.yaml',
    message: /expired on 2020-01-01/,
  },
  {
    title: 'a gate selection rule naming an unknown area',
    mutate: (f) => {
      f['specs/gate-profiles.yaml'] = (f['specs/gate-profiles.yaml'] as string).replace(
        'areas: [docs]',
        'areas: [prose]',
      );
    },
    rule: 'references-exist',
    file: 'specs/gate-profiles.yaml',
    message: /names unknown area 'prose'/,
  },
  {
    title: 'a spec with an unknown key invalidates the plane',
    mutate: (f) => {
      (f['specs/releases.yaml'] as { extra?: boolean }).extra = true;
    },
    rule: 'schema/additionalProperties',
    file: 'specs/releases.yaml',
    message: /unknown key 'extra'/,
  },
];

describe.each([
  ['manifests', badManifests],
  ['layout', badLayout],
  ['routing', badRouting],
  ['tasks and specs', badTasksAndSpecs],
])('bad %s', (_group, cases) => {
  it.each(cases)('$title', async ({ mutate, rule, file, line, column, message }) => {
    const files = validFixture();
    mutate(files);
    const result = await load(files);
    expect(result.configErrors).toEqual([]);
    const hit = result.violations.find((v) => v.rule === rule && v.file === file && message.test(v.message));
    expect(hit, JSON.stringify(result.violations, null, 1)).toBeDefined();
    expect(hit!.fix).toBeTruthy();
    if (line !== undefined) expect(hit!.line).toBe(line);
    if (column !== undefined) expect(hit!.column).toBe(column);
  });
});

describe('nested package.json files', () => {
  it('a declared workspace package and a fixture folder are not reported', async () => {
    const files = validFixture();
    files['package.json'] = JSON.stringify({
      ...JSON.parse(files['package.json'] as string),
      workspaces: ['tools/pkg'],
    });
    files['tools/pkg/package.json'] = '{ "name": "@fixture/pkg" }\n';
    files['tools/fixtures/repo/package.json'] = '{}\n';
    const result = await load(files);
    expect(result.violations.filter((v) => v.rule === 'nested-package-json')).toEqual([]);
  });
});

describe('unreadable configuration', () => {
  it('a malformed YAML file is a config error with file:line:column', async () => {
    const files = validFixture();
    files['framework/router/module.yaml'] = ROUTER_YAML.replace('risk: low', 'risk: [low');
    const result = await load(files);
    expect(result.configErrors).toHaveLength(1);
    const error = result.configErrors[0]!;
    expect(error.file).toBe('framework/router/module.yaml');
    expect(error.line).toBeGreaterThanOrEqual(7);
    expect(error.message).toMatch(/^framework\/router\/module.yaml:\d+:\d+: malformed YAML/);
    expect(error.hint).toMatch(/Fix the YAML syntax/);
    expect(result.plane).toBeUndefined();
  });

  it('a missing spec file is a config error naming the file', async () => {
    const files = validFixture();
    delete files['specs/checks.yaml'];
    const result = await load(files);
    expect(result.configErrors.map((e) => e.message)).toEqual(['specs/checks.yaml: cannot read: file not found']);
  });

  it('a duplicate YAML key is a syntax error, not a silent overwrite', async () => {
    const files = validFixture();
    files['framework/router/module.yaml'] = ROUTER_YAML.replace('risk: low', 'risk: low\nrisk: high');
    const result = await load(files);
    expect(result.configErrors[0]?.message).toMatch(
      /framework\/router\/module.yaml:8:1: malformed YAML: Map keys must be unique/,
    );
  });
});
