// What the loader builds besides violations: the typed plane (modules, features, positions,
// packages), the reduced form of an invalid manifest, configuration errors, and how schema errors
// are placed. Plus the meaning-check helpers that are pure functions of their input.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { assertGateProfiles } from './assert/gate-profiles.ts';
import { assertMeaning } from './assert/index.ts';
import { suggest } from './assert/manifests.ts';
import { assertSpecs } from './assert/specs.ts';
import { findDuplicates, violationAt } from './assert/violation-at.ts';
import { loadControlPlane, type LoadResult } from './load.ts';
import { GENERATOR_IDS, type ControlPlane, type GateProfilesSpec } from './model.ts';
import { minimalFixture, validFixture, type FixtureFiles, useFixtureRoots } from './testing/fixture-repo.ts';

const fixtureRoot = useFixtureRoots();
const load = (files: FixtureFiles): Promise<LoadResult> => loadControlPlane(fixtureRoot(files), { cache: false });

const ROUTER = 'framework/router/module.yaml';
const TOOLS = 'tools/module.yaml';
type Doc = Record<string, unknown>;
const withDoc = (files: FixtureFiles, file: string, edit: (d: Doc) => void): FixtureFiles => {
  const v = files[file];
  const d = (typeof v === 'string' ? parse(v) : v) as Doc;
  edit(d);
  files[file] = d;
  return files;
};
const at = (r: LoadResult): string[] => r.violations.map((v) => `${v.rule} ${v.file}:${v.line}:${v.column}`).sort();

describe('the plane of a valid repository', () => {
  it('turns every feature and generator of the full profile on, and tasks when there are cards', async () => {
    const { plane } = await load(validFixture());
    expect([...plane!.features].sort()).toEqual([
      'boundaries',
      'checks-list',
      'error-codes',
      'gate-profiles',
      'generate',
      'releases',
      'routing',
      'tasks',
      'taxonomy',
      'tiers',
      'top-level',
    ]);
    expect([...plane!.generators]).toEqual([...GENERATOR_IDS]);
    expect(plane!.profile).toBe('full');
  });

  it('has no tasks feature without cards or milestones, and only the generators repo.yaml lists', async () => {
    const files = withDoc(validFixture(), 'specs/repo.yaml', (d) => {
      d['generate'] = ['codeowners'];
    });
    for (const f of Object.keys(files)) if (f.startsWith('tasks/')) delete files[f];
    const { plane } = await load(files);
    expect(plane!.features.has('tasks')).toBe(false);
    expect(plane!.features.has('generate')).toBe(true);
    expect([...plane!.generators]).toEqual(['codeowners']);
    expect(plane!.cards).toEqual([]);
    expect(plane!.milestones).toEqual([]);
  });

  it('has no generate feature when repo.yaml lists no generator', async () => {
    const files = withDoc(validFixture(), 'specs/repo.yaml', (d) => {
      d['generate'] = [];
    });
    const { plane } = await load(files);
    expect(plane!.features.has('generate')).toBe(false);
    expect(plane!.generators.size).toBe(0);
  });

  it('answers positions for any file it read, and line 0 for one it did not', async () => {
    const { plane } = await load(validFixture());
    expect(plane!.locate(ROUTER)).toEqual({ file: ROUTER, line: 1, column: 1 });
    expect(plane!.locate('specs/nothing.yaml', ['a'])).toEqual({ file: 'specs/nothing.yaml', line: 0, column: 0 });
    expect(plane!.pathExists('framework/contract/index.ts')).toBe(true);
    expect(plane!.pathExists('framework/contract/gone.ts')).toBe(false);
  });

  it("declares the root package.json's dependencies of every kind, plus a workspace's own for its module", async () => {
    const files = validFixture();
    files['package.json'] = JSON.stringify({
      name: 'fixture',
      type: 'module',
      workspaces: ['tools'],
      dependencies: { yaml: '2.9.1' },
      devDependencies: { vitest: '4.0.0' },
      peerDependencies: { react: '19.0.0' },
      optionalDependencies: { fsevents: '2.0.0' },
    });
    files['tools/package.json'] = JSON.stringify({ name: '@fixture/tools', dependencies: { 'left-pad': '1.0.0' } });
    const { plane } = await load(files);
    const root = ['fsevents', 'react', 'vitest', 'yaml'];
    const tools = plane!.moduleByName.get('tools')!;
    const router = plane!.moduleByName.get('router')!;
    expect([...plane!.declaredPackages(router)].sort()).toEqual(root);
    expect([...plane!.declaredPackages(tools)].sort()).toEqual(['fsevents', 'left-pad', 'react', 'vitest', 'yaml']);
    // Asked again, the same answer (one set per workspace).
    expect(plane!.declaredPackages(tools)).toBe(plane!.declaredPackages(tools));
    expect([...plane!.workspaces.keys()]).toEqual(['tools']);
  });

  it('keeps cards with their folder, the card template, and milestones with the milestone template', async () => {
    const files = validFixture();
    files['tasks/templates/milestone.yaml'] = { ...(files['tasks/milestones/M1.yaml'] as Doc), id: 'M0' };
    const { plane } = await load(files);
    expect(plane!.cards.map((c) => [c.id, c.folder, c.file])).toEqual([
      ['T-0001', 'active', 'tasks/cards/active/T-0001.yaml'],
      ['T-0000', 'template', 'tasks/templates/card.yaml'],
    ]);
    expect(plane!.milestones.map((m) => [m.id, m.file])).toEqual([
      ['M1', 'tasks/milestones/M1.yaml'],
      ['M0', 'tasks/templates/milestone.yaml'],
    ]);
  });

  it('leaves a card or milestone that fails its schema out of the plane', async () => {
    const files = validFixture();
    files['tasks/cards/active/T-0002.yaml'] = { ...(files['tasks/cards/active/T-0001.yaml'] as Doc), id: 'T-0002' };
    delete (files['tasks/cards/active/T-0002.yaml'] as Doc)['title'];
    files['tasks/milestones/M2.yaml'] = { id: 'M2' };
    const result = await load(files);
    expect(result.plane!.cards.map((c) => c.id)).toEqual(['T-0001', 'T-0000']);
    expect(result.plane!.milestones.map((m) => m.id)).toEqual(['M1']);
    expect(new Set(result.violations.map((v) => `${v.check} ${v.rule} ${v.file}`))).toEqual(
      new Set([
        'tasks schema/required tasks/cards/active/T-0002.yaml',
        'tasks schema/required tasks/milestones/M2.yaml',
      ]),
    );
  });
});

describe('modules as the tools see them', () => {
  it('takes entry, implementation, family and import specifier from the manifest and the files', async () => {
    const files = validFixture();
    // A library module is implemented by its entry file only; other code does not count.
    files['framework/router/router.ts'] = 'export {};\n';
    // A tooling or reference module is implemented by any source file, at any depth, outside
    // dependency, build and dot folders.
    files['tools/lib/deep/run.astro'] = '---\n---\n';
    files['reference/demo/node_modules/x/index.ts'] = 'export {};\n';
    files['reference/demo/dist/index.ts'] = 'export {};\n';
    files['reference/demo/.cache/index.ts'] = 'export {};\n';
    files['reference/demo/notes.md'] = '# notes\n';
    withDoc(files, 'framework/x/rest/module.yaml', (d) => {
      d['entry'] = 'main.ts';
    });
    files['framework/x/rest/main.ts'] = 'export {};\n';
    const { plane } = await load(files);
    const get = (name: string) => plane!.moduleByName.get(name)!;
    expect(get('router')).toMatchObject({ implemented: false, entry: 'framework/router/index.ts' });
    expect(get('tools')).toMatchObject({ implemented: true, path: 'tools', layer: 'tooling', tier: 'experimental' });
    expect(get('tools')).not.toHaveProperty('importSpecifier');
    expect(get('tools')).not.toHaveProperty('family');
    expect(get('reference/demo').implemented).toBe(false);
    expect(get('x/rest')).toMatchObject({
      implemented: true,
      entry: 'framework/x/rest/main.ts',
      family: 'x/rest',
      importSpecifier: 'fixture/x/rest',
      manifestFile: 'framework/x/rest/module.yaml',
    });
    expect(get('contract')).toMatchObject({ implemented: true, importSpecifier: 'fixture/contract' });
    expect(get('contract')).not.toHaveProperty('family');
    expect(get('fixture')).toMatchObject({ path: 'framework', manifestFile: 'module.yaml' });
  });

  it('sorts modules by name and keeps the first of two with one name in the lookup', async () => {
    const files = validFixture();
    files['framework/x/rest/versioning/module.yaml'] = { ...(files['framework/x/rest/module.yaml'] as Doc) };
    const { plane } = await load(files);
    expect(plane!.modules.map((m) => m.name)).toEqual([
      'contract',
      'fixture',
      'reference/demo',
      'router',
      'tools',
      'x/rest',
      'x/rest',
    ]);
    expect(plane!.moduleByName.get('x/rest')!.manifestFile).toBe('framework/x/rest/module.yaml');
  });

  it('keeps a manifest that fails its schema, reduced to values of the right types and marked invalid', async () => {
    const files = validFixture();
    files[ROUTER] = {
      name: 'router',
      path: 'framework/router',
      layer: 'sideways',
      status: 'golden',
      risk: 'extreme',
      owner: 7,
      summary: ['not', 'text'],
      responsibilities: ['match routes', 3, null],
      non_goals: 'all of them',
      allowed_imports: {
        modules: ['contract', 9],
        packages: [{ name: 'yaml', reason: 'parses specs' }, { name: 'left-pad' }, 'x', null],
        lower_tier: ['contract', false],
      },
      public_entrypoints: [],
      test_commands: [],
      review_checklist: [],
      agent_hints: [],
      promoted_in: 'v1.0.0',
      primer_question: 42,
      forbidden_imports: ['x/rest', 1],
      landing_zones: 'framework/router',
      task_affinity: ['http_endpoint'],
    };
    const result = await load(files);
    expect(result.configErrors).toEqual([]);
    // Only schema violations: no meaning check reads an invalid manifest's values.
    expect(result.violations.length).toBeGreaterThan(0);
    expect(result.violations.filter((v) => !v.rule.startsWith('schema/'))).toEqual([]);
    const router = result.plane!.moduleByName.get('router')!;
    expect(router.invalid).toBe(true);
    expect(router.layer).toBe('tooling');
    expect(router.manifest).toEqual({
      name: 'router',
      path: 'framework/router',
      layer: 'tooling',
      status: 'experimental',
      owner: '',
      risk: 'low',
      summary: '',
      responsibilities: ['match routes'],
      non_goals: [],
      public_entrypoints: [],
      test_commands: [],
      review_checklist: [],
      agent_hints: [],
      allowed_imports: {
        modules: ['contract'],
        packages: [{ name: 'yaml', reason: 'parses specs' }],
        lower_tier: ['contract'],
      },
      promoted_in: 'v1.0.0',
      forbidden_imports: ['x/rest'],
      task_affinity: ['http_endpoint'],
    });
    expect(result.plane!.moduleByName.get('contract')).not.toHaveProperty('invalid');
  });

  it('keeps the valid values of an invalid manifest and fills missing lists with nothing', async () => {
    const files = validFixture();
    files[ROUTER] = {
      name: 'router',
      layer: 'stable',
      status: 'ga',
      risk: 'high',
      owner: '@fixture/team',
      summary: 'The router.',
      parent: 'nothing',
      entry: 'main.ts',
      allowed_imports: 'everything',
      stop_conditions: ['stop'],
      landing_zones: ['framework/router'],
      doc_paths: ['docs'],
    };
    const { plane, violations } = await load(files);
    expect(violations.some((v) => v.file === ROUTER && v.rule === 'schema/required')).toBe(true);
    expect(plane!.moduleByName.get('router')!.manifest).toEqual({
      name: 'router',
      path: '',
      layer: 'stable',
      status: 'ga',
      owner: '@fixture/team',
      risk: 'high',
      summary: 'The router.',
      responsibilities: [],
      non_goals: [],
      public_entrypoints: [],
      test_commands: [],
      review_checklist: [],
      agent_hints: [],
      allowed_imports: { modules: [], packages: [] },
      parent: 'nothing',
      entry: 'main.ts',
      stop_conditions: ['stop'],
      landing_zones: ['framework/router'],
      doc_paths: ['docs'],
    });
  });

  it('leaves out a manifest without a name or that is not a mapping', async () => {
    for (const broken of [{ path: 'framework/router', layer: 'stable' }, ['router'], 'router', { name: 5 }]) {
      const files = validFixture();
      files[ROUTER] = typeof broken === 'string' ? `${broken}\n` : broken;
      const { plane, violations } = await load(files);
      expect(plane!.moduleByName.has('router'), JSON.stringify(broken)).toBe(false);
      expect(violations.some((v) => v.file === ROUTER && v.rule.startsWith('schema/'))).toBe(true);
    }
  });
});

describe('configuration errors', () => {
  it('a package.json that is not JSON, or missing, is a configuration error and no plane', async () => {
    for (const text of ['{ "name": ', undefined]) {
      const files = validFixture();
      if (text === undefined) delete files['package.json'];
      else files['package.json'] = text;
      const result = await load(files);
      expect(result.plane).toBeUndefined();
      expect(result.configErrors.map((e) => [e.code, e.file])).toEqual([['PLUMEGO_ERR_PACKAGE_JSON', 'package.json']]);
      expect(result.configErrors[0]!.message.includes('file not found')).toBe(text === undefined);
    }
  });

  it('a workspace package.json that cannot be read is a configuration error', async () => {
    const files = validFixture();
    files['package.json'] = JSON.stringify({ name: 'fixture', workspaces: ['tools', 'reference/demo'] });
    files['tools/package.json'] = '{ broken';
    const result = await load(files);
    expect(result.configErrors.map((e) => [e.code, e.file])).toEqual([
      ['PLUMEGO_ERR_PACKAGE_JSON', 'reference/demo/package.json'],
      ['PLUMEGO_ERR_PACKAGE_JSON', 'tools/package.json'],
    ]);
  });

  it('a spec that fails its schema yields no plane; the root manifest and the cards are still checked', async () => {
    const files = withDoc(validFixture(), 'specs/checks.yaml', (d) => {
      d['checks'] = 'all';
    });
    // Without a valid repo.yaml there are no module folders to look in, so only the root manifest is read.
    files['module.yaml'] = { ...(files['module.yaml'] as Doc), risk: 'extreme' };
    files[ROUTER] = { ...(files[ROUTER] as Doc), risk: 'extreme' };
    delete (files['tasks/cards/active/T-0001.yaml'] as Doc)['title'];
    const result = await load(files);
    expect(result.plane).toBeUndefined();
    expect(result.notImplemented).toEqual([]);
    expect(at(result)).toEqual([
      'schema/enum module.yaml:7:7',
      'schema/required tasks/cards/active/T-0001.yaml:1:1',
      'schema/type specs/checks.yaml:1:9',
    ]);
  });
});

describe('schema violations', () => {
  it('in a manifest are placed at the value, or at the key for an unknown key', async () => {
    const files = validFixture();
    withDoc(files, TOOLS, (d) => {
      d['promoted_in'] = 'v1';
      d['summary'] = 5;
      d['extra'] = true;
      (d['allowed_imports'] as Doc)['more'] = [];
      (d['allowed_imports'] as { packages: object[] }).packages.push({ name: 'left-pad', reason: 'pad' });
    });
    const result = await load(files);
    expect(
      result.violations.map((v) => `${v.check} ${v.rule} ${v.severity} ${v.file}:${v.line}:${v.column}`).sort(),
    ).toEqual([
      'manifests schema/additionalProperties error tools/module.yaml:19:3',
      'manifests schema/additionalProperties error tools/module.yaml:28:1',
      'manifests schema/minLength error tools/module.yaml:18:15',
      'manifests schema/pattern error tools/module.yaml:27:14',
      'manifests schema/type error tools/module.yaml:7:10',
    ]);
  });

  it('in specs and cards are placed by their path, keys with a slash included; conditional parts are not repeated', async () => {
    const files = validFixture();
    withDoc(files, 'specs/releases.yaml', (d) => {
      d['releases'] = [];
    });
    withDoc(files, 'specs/task-routing.yaml', (d) => {
      (d['tasks'] as Doc)['one/two'] = { intent: 5, modules: ['tools'], start_with: [], avoid: [] };
    });
    files['tasks/cards/blocked/T-0002.yaml'] = {
      ...(files['tasks/cards/active/T-0001.yaml'] as Doc),
      id: 'T-0002',
      status: 'blocked',
    };
    const result = await load(files);
    expect(
      result.violations.map((v) => `${v.check} ${v.rule} ${v.severity} ${v.file}:${v.line}:${v.column}`).sort(),
    ).toEqual([
      'specs schema/minItems error specs/releases.yaml:1:11',
      'specs schema/minItems error specs/task-routing.yaml:53:17',
      'specs schema/pattern error specs/task-routing.yaml:22:3',
      'specs schema/propertyNames error specs/task-routing.yaml:22:3',
      // Found under the key 'one/two' (escaped as one~1two in the error's path).
      'specs schema/type error specs/task-routing.yaml:50:13',
      // The blocked card's missing blocked_by, once: the failed `if` it comes from is not reported.
      'tasks schema/required error tasks/cards/blocked/T-0002.yaml:1:1',
    ]);
  });
});

describe('meaning-check helpers', () => {
  const gate = (over: Partial<GateProfilesSpec>): GateProfilesSpec => ({
    profiles: [
      { id: 'quick', strength: 1, summary: 's', commands: [] },
      { id: 'full', strength: 2, summary: 's', commands: [] },
    ],
    selection: [],
    ...over,
  });

  it('gate profiles: rules name declared areas and profiles, the fallback a profile, strengths differ', () => {
    expect(assertGateProfiles(gate({ areas: [{ id: 'docs', paths: ['docs'] }], fallback: 'quick' }))).toEqual([]);
    const findings = assertGateProfiles(
      gate({
        selection: [
          { id: 'a', profile: 'quick', when: { areas: ['docs'] } },
          { id: 'b', profile: 'nope', when: { layers: ['stable'] } },
        ],
        fallback: 'slow',
        profiles: [
          { id: 'quick', strength: 1, summary: 's', commands: [] },
          { id: 'full', strength: 2, summary: 's', commands: [] },
          { id: 'also', strength: 1, summary: 's', commands: [] },
        ],
      }),
    );
    expect(findings.map((f) => [f.rule, f.path])).toEqual([
      ['references-exist', ['selection', 0, 'when', 'areas', 0]],
      ['references-exist', ['selection', 1, 'profile']],
      ['references-exist', ['fallback']],
      ['unique-ids', ['profiles', 2, 'strength']],
    ]);
    expect(findings[0]!.message).toContain('(known: none)');
    expect(findings[3]!.message).toContain("'quick' and 'also'");
  });

  it('suggest: names sharing a part with the value, else the first five and a mark for more', () => {
    const known = ['router', 'contract', 'x/rest', 'x/rest/versioning', 'core', 'log', 'metrics'];
    expect(suggest('rest', known)).toBe('known: x/rest, x/rest/versioning');
    expect(suggest('x/rest/versioning/v2', known)).toBe('known: x/rest, x/rest/versioning');
    expect(suggest('y/versioning', known)).toBe('known: x/rest/versioning');
    expect(suggest('zzz', known)).toBe('known: router, contract, x/rest, x/rest/versioning, core, …');
    expect(suggest('zzz', known.slice(0, 5))).toBe('known: router, contract, x/rest, x/rest/versioning, core');
  });

  it('findDuplicates: each repeated value once, in first-seen order', () => {
    expect(findDuplicates(['a', 'b', 'a', 'a', 'c', 'b'])).toEqual(['a', 'b']);
    expect(findDuplicates(['a', 'b'])).toEqual([]);
  });

  it('an exception expires the day after its date', async () => {
    const files = withDoc(validFixture(), 'specs/dependency-rules.yaml', (d) => {
      d['exceptions'] = [
        {
          rule: 'default-deny',
          from: 'router',
          to: 'contract',
          reason: 'legacy',
          owner: '@fixture/team',
          expires: '2026-03-01',
        },
        { rule: 'default-deny', from: 'tools', to: 'router', reason: 'legacy', owner: '@fixture/team' },
      ];
    });
    const { plane } = await load(files);
    expect(assertSpecs(plane!, '2026-03-01')).toEqual([]);
    expect(assertSpecs(plane!, '2026-03-02').map((f) => [f.rule, f.path])).toEqual([
      ['exception-expired', ['exceptions', 0, 'expires']],
    ]);
  });

  it('violationAt: the finding placed, an error unless it says otherwise, its own rationale kept', async () => {
    const { plane } = await load(validFixture());
    const finding = { rule: 'r', file: ROUTER, path: ['status'], message: 'm', fix: 'f' };
    expect(violationAt(plane!, 'manifests', finding)).toEqual({
      check: 'manifests',
      rule: 'r',
      severity: 'error',
      file: ROUTER,
      line: 4,
      column: 9,
      message: 'm',
      fix: 'f',
    });
    const whole = { rule: 'r', file: ROUTER, message: 'm', fix: 'f', severity: 'warn' as const, rationale: 'why' };
    expect(violationAt(plane!, 'c', whole)).toMatchObject({ severity: 'warn', line: 1, column: 1, rationale: 'why' });
  });

  it('assertMeaning: every finding carries its check and a rationale; routing checks only with the feature', async () => {
    const files = validFixture();
    (files['specs/task-routing.yaml'] as { tasks: Record<string, { modules: string[] }> }).tasks['tooling']!.modules = [
      'tools',
    ];
    const { plane } = await load(files);
    const manifests = plane!.modules.map((m) => m.manifestFile);
    const all = await assertMeaning(plane!, manifests, ['framework', 'reference', 'tools']);
    expect(all.map((v) => [v.check, v.rule, v.file])).toEqual([
      ['routing', 'module-reachable', 'reference/demo/module.yaml'],
    ]);
    expect(all[0]!.rationale).toBeTruthy();
    const features = new Set(plane!.features);
    features.delete('routing');
    expect(await assertMeaning({ ...plane!, features } as ControlPlane, manifests, [])).toEqual([]);
  });
});

describe('layout beyond the fixture defaults', () => {
  const minimal = minimalFixture;
  const manifest = (name: string, path: string, layer: string): object => ({
    name,
    path,
    layer,
    allowed_imports: { modules: [], packages: [] },
  });

  it('minimal profile: every declared stable root and layer path has its manifest', async () => {
    const files = minimal({
      stable: { description: 'The code folders.', base: 'src', roots: ['a', 'z'] },
      tooling: { description: 'The tool folders.', paths: ['scripts', 'tools2'] },
      reference: { description: 'The service folders.', paths: ['svc'] },
      extension: { description: 'The extension folders.', paths: ['ext'] },
    });
    files['src/a/module.yaml'] = manifest('a', 'src/a', 'stable');
    files['scripts/module.yaml'] = manifest('scripts', 'scripts', 'tooling');
    const result = await load(files);
    expect(result.configErrors).toEqual([]);
    expect(at(result)).toEqual([
      'manifest-per-module specs/repo.yaml:12:9',
      'manifest-per-module specs/repo.yaml:17:9',
      'manifest-per-module specs/repo.yaml:21:9',
      'manifest-per-module specs/repo.yaml:25:9',
    ]);
    const messages = result.violations.map((v) => v.message).join('\n');
    for (const missing of [
      "stable root 'z'",
      "tooling path 'tools2/'",
      "reference path 'svc/'",
      "extension path 'ext/'",
    ])
      expect(messages).toContain(missing);
  });

  it('minimal profile: tiers and releases are checked once specs/releases.yaml exists', async () => {
    const files = minimal({ stable: { description: 'The code folders.', base: 'src' } });
    files['src/a/module.yaml'] = { ...manifest('a', 'src/a', 'stable'), status: 'beta', promoted_in: 'v9.0.0' };
    expect(at(await load(files))).toEqual([]);
    files['specs/releases.yaml'] = { releases: [{ version: 'v1.0.0', date: '2026-01-01', summary: 'First.' }] };
    expect(at(await load(files))).toEqual([
      'promoted-in-release src/a/module.yaml:8:14',
      'stable-is-ga src/a/module.yaml:7:9',
    ]);
  });

  it('reference services are looked for under the reference base repo.yaml names', async () => {
    const files = withDoc(validFixture(), 'specs/repo.yaml', (d) => {
      ((d['layers'] as Doc)['reference'] as Doc)['base'] = 'services';
      (d['top_level'] as { directories: string[] }).directories.push('services');
    });
    files['services/billing/main.ts'] = 'export {};\n';
    const result = await load(files);
    const found = result.violations.filter((v) => v.rule === 'manifest-per-module');
    expect(found.map((v) => `${v.file}:${v.line}:${v.column}`)).toEqual(['specs/repo.yaml:25:5']);
    expect(found[0]!.message).toContain("'services/billing/'");
  });

  it('a manifest outside the module folders is reported at library_root; dependency, build and dot folders are not searched', async () => {
    const files = validFixture();
    (files['specs/repo.yaml'] as { top_level: { directories: string[] } }).top_level.directories.push('misc');
    files['misc/thing/module.yaml'] = { name: 'misc/thing' };
    for (const dir of ['.hidden', 'node_modules', 'dist', 'fixtures'])
      files[`${dir}/pkg/module.yaml`] = { name: `${dir}/pkg` };
    const result = await load(files);
    expect(
      result.violations.filter((v) => v.rule === 'manifest-not-loaded').map((v) => `${v.file}:${v.line}:${v.column}`),
    ).toEqual(['specs/repo.yaml:5:17']);
    expect(result.violations.find((v) => v.rule === 'manifest-not-loaded')?.message).toContain(
      'misc/thing/module.yaml',
    );
  });
});
