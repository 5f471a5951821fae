// The meaning checks (assert/), one rule at a time: each case breaks one thing in the valid fixture
// and pins every violation of the rules it names by position (file:line:column) and severity, so a
// check that fires for the wrong item, at the wrong place, twice or not at all fails. Near misses
// beside each case (a value just inside the rule) must stay silent.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadControlPlane, type LoadResult } from './load.ts';
import { validFixture, type FixtureFiles, useFixtureRoots } from './testing/fixture-repo.ts';

const fixtureRoot = useFixtureRoots();
const load = (files: FixtureFiles): Promise<LoadResult> => loadControlPlane(fixtureRoot(files), { cache: false });

// Fixture documents are edited freely, any key at any depth.
type Doc = Record<string, any>;

/** The fixture with `edit` applied; YAML text entries (gate profiles) are parsed into objects first. */
function fixture(edit: (f: FixtureFiles, doc: (file: string) => Doc) => void): FixtureFiles {
  const files = validFixture();
  const doc = (file: string): Doc => {
    const v = files[file];
    if (typeof v === 'string') files[file] = parse(v) as Doc;
    return files[file] as Doc;
  };
  edit(files, doc);
  return files;
}

/** Every violation of the given rules as "rule file:line:column" (with " warn" for warnings), sorted. */
function brief(result: LoadResult, ...rules: string[]): string[] {
  expect(result.configErrors).toEqual([]);
  return result.violations
    .filter((v) => rules.includes(v.rule))
    .map((v) => `${v.rule} ${v.file}:${v.line}:${v.column}${v.severity === 'warn' ? ' warn' : ''}`)
    .sort();
}

interface Case {
  readonly title: string;
  readonly edit: (f: FixtureFiles, doc: (file: string) => Doc) => void;
  readonly rules: readonly string[];
  readonly expected: readonly string[];
  /** Each message must name these (the offending value), in the order of `expected`. */
  readonly names?: readonly string[];
}

const ROUTER = 'framework/router/module.yaml';
const TOOLS = 'tools/module.yaml';
const REST = 'framework/x/rest/module.yaml';
const VERSIONING = 'framework/x/rest/versioning/module.yaml';
const manifest = (name: string, path: string, layer: string, status = 'experimental'): Doc => ({
  ...(validFixture()['reference/demo/module.yaml'] as Doc),
  name,
  path,
  layer,
  status,
});

const manifestCases: Case[] = [
  {
    title: 'a missing root manifest is reported at the facade layer of repo.yaml',
    edit: (f) => {
      delete f['module.yaml'];
    },
    rules: ['facade-manifest'],
    expected: ['facade-manifest specs/repo.yaml:17:5'],
  },
  {
    title: 'only the root manifest may have layer facade',
    edit: (_f, doc) => {
      doc(TOOLS)['layer'] = 'facade';
    },
    rules: ['layer-matches-repo'],
    expected: ['layer-matches-repo tools/module.yaml:3:8'],
  },
  {
    title: 'the facade is named after the package',
    edit: (_f, doc) => {
      doc('module.yaml')['name'] = 'fixtures';
    },
    rules: ['name-matches-path'],
    expected: ['name-matches-path module.yaml:1:7'],
    names: ['fixtures'],
  },
  {
    title: "a manifest's path is its folder, and the facade's path the first facade path",
    edit: (_f, doc) => {
      doc(ROUTER)['path'] = 'framework/routes';
      doc('module.yaml')['path'] = 'lib';
    },
    rules: ['name-matches-path'],
    expected: ['name-matches-path framework/router/module.yaml:2:7', 'name-matches-path module.yaml:2:7'],
  },
  {
    title: 'the facade sits at the first facade path, or at the library root when repo.yaml names none',
    edit: (_f, doc) => {
      doc('specs/repo.yaml')['layers']['facade'] = { description: 'The fixture package main entry.' };
      doc('module.yaml')['path'] = 'framework/main';
    },
    rules: ['name-matches-path'],
    expected: ['name-matches-path module.yaml:2:7'],
    names: ["'framework/main'"],
  },
  {
    title: 'a facade path other than the library root',
    edit: (f, doc) => {
      doc('specs/repo.yaml')['layers']['facade']['paths'] = ['pkg'];
      doc('specs/repo.yaml')['top_level']['directories'].push('pkg');
      doc('module.yaml')['path'] = 'pkg';
      f['pkg/index.ts'] = 'export {};\n';
    },
    rules: ['name-matches-path'],
    expected: [],
  },
  {
    title: 'a duplicate module is reported once, at the later manifest, on its name',
    edit: (f) => {
      f['framework/x/rest/versioning/module.yaml'] = { ...(f[REST] as Doc) };
    },
    rules: ['duplicate-module'],
    expected: ['duplicate-module framework/x/rest/versioning/module.yaml:1:7'],
  },
  {
    title: 'a manifest of a subordinate the taxonomy keeps inside its family (module: false)',
    edit: (f, doc) => {
      doc('specs/extension-taxonomy.yaml')['families'][0]['subordinates'].push({
        name: 'x/rest/links',
        module: false,
        when: 'links',
      });
      f['framework/x/rest/links/module.yaml'] = {
        ...manifest('x/rest/links', 'framework/x/rest/links', 'extension'),
        parent: 'x/rest',
      };
    },
    rules: ['family-declared'],
    expected: ['family-declared framework/x/rest/links/module.yaml:1:7'],
  },
  {
    title: 'a name that is not its folder is one finding, on the name; path is judged against the folder',
    edit: (_f, doc) => {
      doc(ROUTER)['name'] = 'routing';
    },
    rules: ['name-matches-path'],
    expected: ['name-matches-path framework/router/module.yaml:1:7'],
  },
  {
    title: 'layer stable outside the stable roots',
    edit: (_f, doc) => {
      doc(REST)['layer'] = 'stable';
      doc(REST)['status'] = 'ga';
    },
    rules: ['layer-matches-repo', 'stable-is-ga'],
    expected: ['layer-matches-repo framework/x/rest/module.yaml:3:8'],
  },
  {
    title: 'an extension module outside x/',
    edit: (f) => {
      f['framework/extras/module.yaml'] = manifest('extras', 'framework/extras', 'extension');
    },
    rules: ['layer-matches-repo'],
    expected: ['layer-matches-repo framework/extras/module.yaml:3:8'],
  },
  {
    title: 'an extension module of an undeclared family',
    edit: (f) => {
      f['framework/x/cache/module.yaml'] = manifest('x/cache', 'framework/x/cache', 'extension');
    },
    rules: ['family-declared'],
    expected: ['family-declared framework/x/cache/module.yaml:1:7'],
  },
  {
    title: 'a subpackage must name its family as parent, and a family root names none',
    edit: (_f, doc) => {
      doc(VERSIONING)['parent'] = 'x/other';
      doc(REST)['parent'] = 'x/rest';
    },
    rules: ['family-declared'],
    expected: [
      'family-declared framework/x/rest/module.yaml:23:9',
      'family-declared framework/x/rest/versioning/module.yaml:22:9',
    ],
  },
  {
    title: 'a subpackage without a parent',
    edit: (_f, doc) => {
      delete doc(VERSIONING)['parent'];
    },
    rules: ['family-declared'],
    expected: ['family-declared framework/x/rest/versioning/module.yaml:1:1'],
  },
  {
    title: 'a tooling module is a tooling path or a direct subfolder of one',
    edit: (f) => {
      f['tools/sub/module.yaml'] = manifest('tools/sub', 'tools/sub', 'tooling');
      f['tools/sub/deeper/module.yaml'] = manifest('tools/sub/deeper', 'tools/sub/deeper', 'tooling');
      f['reference/demo/module.yaml'] = manifest('reference/demo', 'reference/demo', 'tooling');
    },
    rules: ['layer-matches-repo'],
    expected: [
      'layer-matches-repo reference/demo/module.yaml:3:8',
      'layer-matches-repo tools/sub/deeper/module.yaml:3:8',
    ],
  },
  {
    title: 'a reference service is a direct child of the reference base',
    edit: (f) => {
      f['reference/demo/inner/module.yaml'] = manifest('reference/demo/inner', 'reference/demo/inner', 'reference');
    },
    rules: ['layer-matches-repo'],
    expected: ['layer-matches-repo reference/demo/inner/module.yaml:3:8'],
  },
  {
    title: 'promoted_in is required above experimental for library layers and refused at experimental',
    edit: (_f, doc) => {
      delete doc(ROUTER)['promoted_in'];
      delete doc(REST)['promoted_in'];
      doc(VERSIONING)['promoted_in'] = 'v1.0.0';
      // A tooling module may be beta without a release.
      doc(TOOLS)['status'] = 'beta';
    },
    rules: ['promoted-in-required', 'promoted-in-release'],
    expected: [
      'promoted-in-required framework/router/module.yaml:4:9',
      'promoted-in-required framework/x/rest/module.yaml:4:9',
      'promoted-in-required framework/x/rest/versioning/module.yaml:23:14',
    ],
  },
  {
    title: 'a module listing itself, and forbidden imports that are unknown or also allowed',
    edit: (_f, doc) => {
      doc(ROUTER)['allowed_imports'] = { modules: ['router', 'contract'], packages: [] };
      doc(ROUTER)['forbidden_imports'] = ['nope', 'contract', 'x/rest'];
    },
    rules: ['allowed-imports-exist'],
    expected: [
      'allowed-imports-exist framework/router/module.yaml:15:7',
      'allowed-imports-exist framework/router/module.yaml:26:5',
      'allowed-imports-exist framework/router/module.yaml:27:5',
    ],
    names: ["'router' lists itself", "unknown module 'nope'", "'contract' is both"],
  },
  {
    title: 'lower_tier must be allowed too and is a warning when the target is not below',
    edit: (_f, doc) => {
      doc(ROUTER)['allowed_imports'] = { modules: ['contract'], packages: [], lower_tier: ['contract', 'x/rest'] };
      doc('module.yaml')['allowed_imports'] = { modules: ['router', 'x/rest'], packages: [], lower_tier: ['x/rest'] };
    },
    rules: ['lower-tier-opt-in'],
    expected: [
      'lower-tier-opt-in framework/router/module.yaml:18:7 warn',
      'lower-tier-opt-in framework/router/module.yaml:19:7',
    ],
  },
  {
    title: 'a package listed twice',
    edit: (_f, doc) => {
      doc(TOOLS)['allowed_imports'].packages.push({ name: 'yaml', reason: 'twice' });
    },
    rules: ['allowed-packages-declared'],
    expected: ['allowed-packages-declared tools/module.yaml:15:5'],
  },
  {
    title: "a workspace module may use its own package.json's dependencies, other modules may not",
    edit: (f, doc) => {
      f['package.json'] = JSON.stringify({ ...JSON.parse(f['package.json'] as string), workspaces: ['tools'] });
      f['tools/package.json'] = JSON.stringify({ name: '@fixture/tools', devDependencies: { 'left-pad': '1.0.0' } });
      doc(TOOLS)['allowed_imports'].packages.push({ name: 'left-pad', reason: 'pads strings' });
      doc(ROUTER)['allowed_imports'] = {
        modules: ['contract'],
        packages: [{ name: 'left-pad', reason: 'pads strings' }],
      };
    },
    rules: ['allowed-packages-declared'],
    expected: ['allowed-packages-declared framework/router/module.yaml:17:13'],
  },
  {
    title: 'task_affinity names a routing task',
    edit: (_f, doc) => {
      doc(ROUTER)['task_affinity'] = ['http_endpoint', 'nope'];
    },
    rules: ['task-affinity-exists'],
    expected: ['task-affinity-exists framework/router/module.yaml:26:5'],
  },
  {
    title: 'landing zones and doc paths exist',
    edit: (_f, doc) => {
      doc(ROUTER)['landing_zones'] = ['framework/router', 'framework/router/gone'];
      doc(ROUTER)['doc_paths'] = ['docs/router.md'];
    },
    rules: ['paths-exist'],
    expected: ['paths-exist framework/router/module.yaml:26:5', 'paths-exist framework/router/module.yaml:28:5'],
  },
];

const specCases: Case[] = [
  {
    title: 'duplicate ids in every spec',
    edit: (_f, doc) => {
      const repo = doc('specs/repo.yaml');
      repo['tiers'][1] = { ...repo['tiers'][1], id: 'ga', rank: 3 };
      const releases = doc('specs/releases.yaml')['releases'];
      releases.push({ ...releases[0] });
      const checks = doc('specs/checks.yaml')['checks'];
      checks.push({ ...checks[0] });
      const rules = doc('specs/dependency-rules.yaml')['rules'];
      rules.push({ ...rules[0] });
      const profiles = doc('specs/gate-profiles.yaml')['profiles'];
      profiles.push({ ...profiles[0], strength: 999 });
      doc('specs/error-codes.yaml')['codes'] = [0, 1].map(() => ({
        code: 'FIXTURE_ERR_ONE',
        status: 400,
        category: 'client_error',
        module: 'router',
        description: 'One error.',
      }));
      const families = doc('specs/extension-taxonomy.yaml')['families'];
      families.push({ ...families[0] });
      const routing = doc('specs/task-routing.yaml')['routing_rules'];
      routing.push({ ...routing[0] });
    },
    rules: ['unique-ids'],
    names: [
      "tier 'ga'",
      "tier rank '3'",
      'v1.0.0',
      "check 'specs'",
      "rule 'default-deny'",
      'FIXTURE_ERR_ONE',
      "'x/rest'",
    ],
    expected: [
      'unique-ids specs/checks.yaml:2:3',
      'unique-ids specs/dependency-rules.yaml:2:3',
      'unique-ids specs/error-codes.yaml:2:3',
      'unique-ids specs/extension-taxonomy.yaml:2:3',
      'unique-ids specs/gate-profiles.yaml:26:3',
      'unique-ids specs/releases.yaml:2:3',
      'unique-ids specs/repo.yaml:28:3',
      'unique-ids specs/repo.yaml:28:3',
      'unique-ids specs/task-routing.yaml:8:3',
    ],
  },
  {
    title: 'a tier missing from repo.yaml',
    edit: (_f, doc) => {
      doc('specs/repo.yaml')['tiers'].splice(1, 1);
    },
    rules: ['tiers-complete'],
    expected: ['tiers-complete specs/repo.yaml:28:3'],
    names: ["'beta'"],
  },
  {
    title: 'references from the dependency rules, error codes and routing targets',
    edit: (_f, doc) => {
      doc('specs/dependency-rules.yaml')['rules'][0]['to_modules'] = ['router', 'nope'];
      doc('specs/error-codes.yaml')['codes'] = [
        { code: 'FIXTURE_ERR_ONE', status: 400, category: 'client_error', module: 'gone', description: 'One error.' },
      ];
      const routing = doc('specs/task-routing.yaml');
      routing['routing_rules'][0]['target'] = { modules: ['router', 'ghost'], paths: ['framework', 'nowhere'] };
      routing['learning_path'][0]['target'] = { modules: ['phantom'] };
    },
    rules: ['references-exist', 'paths-exist'],
    expected: [
      'paths-exist specs/task-routing.yaml:17:11',
      'references-exist specs/dependency-rules.yaml:9:9',
      'references-exist specs/error-codes.yaml:5:13',
      'references-exist specs/task-routing.yaml:14:11',
      'references-exist specs/task-routing.yaml:24:11',
    ],
  },
  {
    title: 'exceptions name a known rule and known modules, except the target of a package or builtin rule',
    edit: (_f, doc) => {
      const base = { reason: 'legacy', owner: '@fixture/team', expires: '2999-01-01' };
      const rules = doc('specs/dependency-rules.yaml')['rules'];
      for (const id of ['npm-allowlist', 'builtin-policy', 'npm-undeclared']) rules.push({ ...rules[0], id });
      doc('specs/dependency-rules.yaml')['exceptions'] = [
        { ...base, rule: 'no-such-rule', from: 'router', to: 'contract' },
        { ...base, rule: 'default-deny', from: 'nobody', to: 'nothing' },
        { ...base, rule: 'default-deny', from: 'router', to: 'node:fs' },
        { ...base, rule: 'npm-allowlist', from: 'router', to: 'left-pad' },
        { ...base, rule: 'builtin-policy', from: 'router', to: 'fs' },
        { ...base, rule: 'npm-undeclared', from: 'router', to: 'chalk' },
      ];
    },
    rules: ['references-exist', 'exception-expired'],
    expected: [
      'references-exist specs/dependency-rules.yaml:32:11',
      'references-exist specs/dependency-rules.yaml:39:11',
      'references-exist specs/dependency-rules.yaml:40:9',
    ],
  },
];

const routingCases: Case[] = [
  {
    title: 'read_first and avoid entries exist',
    edit: (_f, doc) => {
      const routing = doc('specs/task-routing.yaml');
      routing['context_policy']['read_first'].push('specs/gone.yaml');
      routing['tasks']['tooling']['avoid'].push('framework/gone');
    },
    rules: ['paths-exist'],
    expected: ['paths-exist specs/task-routing.yaml:4:7', 'paths-exist specs/task-routing.yaml:50:9'],
  },
  {
    title: 'start_with longer than the context policy allows, and exactly as long',
    edit: (_f, doc) => {
      const tasks = doc('specs/task-routing.yaml')['tasks'];
      tasks['http_endpoint']['start_with'] = ['framework/router', 'framework/contract', 'framework', 'tools'];
      tasks['tooling']['start_with'] = ['tools', 'framework', 'specs'];
    },
    rules: ['context-limit'],
    expected: ['context-limit specs/task-routing.yaml:29:7'],
  },
  {
    title: 'a task naming an unknown gate profile',
    edit: (_f, doc) => {
      const tasks = doc('specs/task-routing.yaml')['tasks'];
      tasks['tooling']['gate_profile'] = 'nope';
      tasks['http_endpoint']['gate_profile'] = doc('specs/gate-profiles.yaml')['profiles'][0]['id'];
    },
    rules: ['references-exist'],
    expected: ['references-exist specs/task-routing.yaml:50:19'],
  },
];

const taskCases: Case[] = [
  {
    title: 'a card whose id is not its file name, with an unknown milestone, module and task',
    edit: (f) => {
      const card = f['tasks/cards/active/T-0001.yaml'] as Doc;
      f['tasks/cards/active/T-0001.yaml'] = {
        ...card,
        id: 'T-0009',
        milestone: 'M9',
        modules: ['router', 'ghost'],
        task: 'nope',
      };
    },
    rules: ['card-id-file', 'references-exist'],
    expected: [
      'card-id-file tasks/cards/active/T-0001.yaml:1:5',
      'references-exist tasks/cards/active/T-0001.yaml:11:7',
      'references-exist tasks/cards/active/T-0001.yaml:4:12',
      'references-exist tasks/cards/active/T-0001.yaml:7:5',
    ],
  },
  {
    title: 'a card of the template is exempt from folder, file name and milestone, not from modules',
    edit: (f) => {
      f['tasks/templates/card.yaml'] = {
        ...(f['tasks/templates/card.yaml'] as Doc),
        milestone: 'M9',
        modules: ['ghost'],
        task: 'http_endpoint',
      };
    },
    rules: ['card-id-file', 'references-exist', 'card-status-folder'],
    expected: ['references-exist tasks/templates/card.yaml:6:5'],
  },
  {
    title: 'two cards with one id, reported at the second; the template id may repeat',
    edit: (f) => {
      f['tasks/cards/done/T-0001.yaml'] = { ...(f['tasks/cards/active/T-0001.yaml'] as Doc), status: 'done' };
      f['tasks/cards/done/T-0000.yaml'] = {
        ...(f['tasks/cards/active/T-0001.yaml'] as Doc),
        id: 'T-0000',
        status: 'done',
      };
    },
    rules: ['unique-ids'],
    expected: ['unique-ids tasks/cards/done/T-0001.yaml:1:5'],
  },
  {
    title: 'a milestone whose id is not its file name; the milestone template is exempt',
    edit: (f) => {
      f['tasks/milestones/M2.yml'] = { ...(f['tasks/milestones/M1.yaml'] as Doc), id: 'M3' };
      f['tasks/templates/milestone.yaml'] = { ...(f['tasks/milestones/M1.yaml'] as Doc), id: 'M0' };
    },
    rules: ['card-id-file'],
    expected: ['card-id-file tasks/milestones/M2.yml:1:5'],
  },
];

const layoutCases: Case[] = [
  {
    title: 'library roots: discouraged, undeclared, and stable roots or families without a manifest',
    edit: (f, doc) => {
      f['framework/utils/index.ts'] = 'export {};\n';
      f['framework/helpers/index.ts'] = 'export {};\n';
      f['framework/x/cache/index.ts'] = 'export {};\n';
      delete f['framework/contract/module.yaml'];
      doc(ROUTER)['allowed_imports'] = { modules: [], packages: [] };
    },
    rules: ['no-discouraged-roots', 'library-roots-only', 'manifest-per-module', 'every-extension-declared'],
    expected: [
      'every-extension-declared specs/extension-taxonomy.yaml:2:3',
      'library-roots-only specs/repo.yaml:11:7',
      'manifest-per-module specs/repo.yaml:11:9',
      'no-discouraged-roots specs/repo.yaml:51:5',
    ],
    names: ["'framework/x/cache/'", "'framework/helpers/'", "'framework/utils/'", "stable root 'contract'"],
  },
  {
    title: 'an extension base other than <library root>/x is where families are looked for',
    edit: (f, doc) => {
      doc('specs/repo.yaml')['layers']['extension']['base'] = 'framework/ext';
      f['framework/ext/cache/index.ts'] = 'export {};\n';
    },
    rules: ['library-roots-only', 'every-extension-declared'],
    expected: ['every-extension-declared specs/extension-taxonomy.yaml:2:3', 'library-roots-only specs/repo.yaml:11:7'],
    names: ["'framework/ext/cache/'", "'framework/x/'"],
  },
  {
    title: 'a reference service and a tooling path without a manifest',
    edit: (f, doc) => {
      f['reference/other/main.ts'] = 'export {};\n';
      const repo = doc('specs/repo.yaml');
      repo['layers']['tooling']['paths'].push('scripts');
      repo['top_level']['directories'].push('scripts');
      f['scripts/run.ts'] = 'export {};\n';
    },
    rules: ['manifest-per-module'],
    expected: ['manifest-per-module specs/repo.yaml:24:9', 'manifest-per-module specs/repo.yaml:26:5'],
  },
  {
    title: 'taxonomy families and subpackages without manifests, and a subordinate of another family',
    edit: (_f, doc) => {
      const families = doc('specs/extension-taxonomy.yaml')['families'];
      families[0]['subordinates'].push(
        { name: 'x/rest/paging', module: true, when: 'paging' },
        { name: 'x/rest/links', module: false, when: 'links' },
        { name: 'x/other/thing', module: false, when: 'other' },
      );
      families.push({ ...families[0], root: 'x/cache', subordinates: [] });
    },
    rules: ['manifest-per-module', 'every-extension-declared'],
    expected: [
      'every-extension-declared specs/extension-taxonomy.yaml:15:15',
      'manifest-per-module specs/extension-taxonomy.yaml:18:11',
      'manifest-per-module specs/extension-taxonomy.yaml:9:15',
    ],
  },
  {
    title: 'top-level folders the .gitignore names, dot folders and node_modules are not layout',
    edit: (f) => {
      // node_modules is skipped whether or not the .gitignore names it.
      // A comment is not a name, and a line with a slash inside (bui/ld) names no top-level folder.
      f['.gitignore'] = '# build\n#notes\n/out/\nlogs/*\n  coverage  \nbui/ld\n\n';
      for (const dir of ['out', 'coverage', '.cache', 'node_modules', 'logs', 'build', '#notes'])
        f[`${dir}/file.ts`] = 'export {};\n';
    },
    rules: ['declared-top-level'],
    expected: [
      'declared-top-level specs/repo.yaml:45:5',
      'declared-top-level specs/repo.yaml:45:5',
      'declared-top-level specs/repo.yaml:45:5',
    ],
    names: ["'logs/'", "'build/'", "'#notes/'"],
  },
  {
    title: "an invalid manifest's folder is not searched for package.json files",
    edit: (f, doc) => {
      doc(TOOLS)['risk'] = 'extreme';
      f['tools/pkg/package.json'] = '{}\n';
    },
    rules: ['nested-package-json'],
    expected: [],
  },
  {
    title: 'a module folder may hold fixtures and dependencies with their own package.json',
    edit: (f) => {
      f['framework/router/node_modules/dep/package.json'] = '{}\n';
      f['framework/router/.hidden/package.json'] = '{}\n';
      f['framework/router/fixtures/app/package.json'] = '{}\n';
      f['framework/x/rest/versioning/package.json'] = '{}\n';
    },
    rules: ['nested-package-json'],
    expected: ['nested-package-json framework/x/rest/versioning/package.json:0:0'],
  },
];

describe.each([
  ['manifests', manifestCases],
  ['specs', specCases],
  ['routing', routingCases],
  ['tasks', taskCases],
  ['layout', layoutCases],
])('meaning: %s', (_group, cases) => {
  it.each(cases)('$title', async ({ edit, rules, expected, names }) => {
    const result = await load(fixture(edit));
    const got = brief(result, ...rules);
    expect(got).toEqual(expected);
    const messages = result.violations.filter((v) => rules.includes(v.rule)).map((v) => v.message);
    for (const name of names ?? [])
      expect(
        messages.some((m) => m.includes(name)),
        name,
      ).toBe(true);
  });
});
