import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach } from 'vitest';
import { stringify } from 'yaml';

/** Files of a repository keyed by relative path; objects are written as YAML, strings verbatim. */
export type FixtureFiles = Record<string, string | object>;

/** The one dependency rule every fixture declares; a fresh object each time, since tests edit fixtures in place. */
const defaultDeny = (): object => ({
  id: 'default-deny',
  severity: 'error',
  summary: 'Imports must be declared.',
  rationale: 'Undeclared edges are unreviewed.',
  fix: 'Declare the module in allowed_imports.',
});

const manifest = (name: string, path: string, layer: string, status: string, extra: object = {}): object => ({
  name,
  path,
  layer,
  status,
  ...(status === 'experimental' ? {} : { promoted_in: 'v1.0.0' }),
  owner: '@fixture/team',
  risk: 'low',
  summary: `The ${name} module of the fixture repository.`,
  responsibilities: [`own ${name} behaviour`],
  non_goals: ['everything else'],
  allowed_imports: { modules: [], packages: [] },
  public_entrypoints: [],
  test_commands: [`npx vitest run ${path}`],
  review_checklist: ['tests pass'],
  agent_hints: ['read the manifest first'],
  ...extra,
});

/**
 * A small but complete, valid repository: two stable roots, one family with a subpackage, the
 * facade, a tooling and a reference module, all specs and one card. Tests start from it and break
 * one thing at a time.
 */
export function validFixture(): FixtureFiles {
  return {
    'package.json':
      JSON.stringify({ name: 'fixture', type: 'module', dependencies: { yaml: '2.9.1' }, exports: {} }, null, 2) + '\n',
    '.gitignore': 'node_modules/\ndist/\n',
    'specs/repo.yaml': {
      identity: {
        name: 'fixture',
        package: 'fixture',
        description: 'A fixture repository for the loader tests.',
        library_root: 'framework',
      },
      layers: {
        stable: { description: 'Stable roots of the fixture.', base: 'framework', roots: ['contract', 'router'] },
        extension: { description: 'Extension families of the fixture.', base: 'framework/x' },
        facade: { description: 'The fixture package main entry.', paths: ['framework'] },
        tooling: { description: 'Tools of the fixture repository.', paths: ['tools'] },
        reference: { description: 'Reference services of the fixture.', base: 'reference' },
      },
      tiers: [
        { id: 'ga', label: 'Stable (GA)', rank: 3, unit: 'packages', guidance: 'Production-ready in the fixture.' },
        { id: 'beta', label: 'Beta', rank: 2, unit: 'families', guidance: 'Frozen between minor releases.' },
        {
          id: 'experimental',
          label: 'Experimental',
          rank: 1,
          unit: 'primary families',
          guidance: 'May change without notice.',
        },
      ],
      top_level: {
        directories: ['specs', 'tasks', 'framework', 'tools', 'reference'],
        discouraged_roots: ['utils', 'rest'],
        rules: [
          {
            id: 'library-roots-only',
            rule: 'Library code lives under a stable root or x/.',
            rationale: 'Keeps ownership clear.',
          },
        ],
      },
    },
    'specs/releases.yaml': { releases: [{ version: 'v1.0.0', date: '2026-01-01', summary: 'First stable release.' }] },
    'specs/extension-taxonomy.yaml': {
      families: [
        {
          root: 'x/rest',
          work_about: 'Reusable resource-interface work',
          narrower_when: 'The task is about versions',
          subordinates: [{ name: 'x/rest/versioning', module: true, when: 'API version negotiation' }],
        },
      ],
    },
    'specs/dependency-rules.yaml': {
      rules: [defaultDeny()],
      builtins: { require_node_prefix: true, deny: { stable: ['node:child_process'] } },
      baseline: 'specs/boundary-baseline.yaml',
      exceptions: [],
    },
    'specs/task-routing.yaml': {
      context_policy: { read_first: ['specs/repo.yaml'], max_start_files: 3, rules: ['Read the manifest first.'] },
      routing_rules: [
        {
          id: 'stable_root_work',
          work_type: 'Kernel and transport work',
          start_here: 'Stable Roots',
          target: { layer: 'stable' },
          why: 'The default path.',
        },
      ],
      learning_path: [
        { title: 'Default path', summary: 'router, contract', target: { modules: ['router', 'contract'] } },
      ],
      tasks: {
        http_endpoint: {
          intent: 'Add or change an HTTP route.',
          modules: ['router', 'contract', 'fixture'],
          start_with: ['framework/router'],
          avoid: ['framework/x'],
        },
        resource_api: {
          intent: 'Standardise resource endpoints.',
          modules: ['x/rest', 'x/rest/versioning'],
          start_with: ['framework/x/rest/module.yaml'],
          avoid: [],
        },
        tooling: {
          intent: 'Change the repository tools.',
          modules: ['tools', 'reference/demo'],
          start_with: ['tools'],
          avoid: ['framework'],
        },
      },
    },
    // Gate profiles name no modules, so the repository's own file is a valid fixture as it stands.
    'specs/gate-profiles.yaml': readFileSync(new URL('../../../specs/gate-profiles.yaml', import.meta.url), 'utf8'),
    'specs/checks.yaml': {
      checks: [
        { id: 'specs', summary: 'Specs parse and validate.' },
        { id: 'manifests', summary: 'Manifests validate and agree.' },
        { id: 'layout', summary: 'The layout matches the specs.' },
        { id: 'routing', summary: 'Routing entries are real.' },
        { id: 'tasks', summary: 'Cards match the template.' },
      ],
    },
    'specs/error-codes.yaml': { codes: [] },
    'module.yaml': manifest('fixture', 'framework', 'facade', 'ga', {
      allowed_imports: { modules: ['router'], packages: [] },
    }),
    'framework/index.ts': 'export {};\n',
    'framework/contract/module.yaml': manifest('contract', 'framework/contract', 'stable', 'ga'),
    'framework/contract/index.ts': 'export const contract = 1;\n',
    'framework/router/module.yaml': manifest('router', 'framework/router', 'stable', 'ga', {
      allowed_imports: { modules: ['contract'], packages: [] },
    }),
    'framework/x/rest/module.yaml': manifest('x/rest', 'framework/x/rest', 'extension', 'beta'),
    'framework/x/rest/versioning/module.yaml': manifest(
      'x/rest/versioning',
      'framework/x/rest/versioning',
      'extension',
      'experimental',
      { parent: 'x/rest' },
    ),
    'tools/module.yaml': manifest('tools', 'tools', 'tooling', 'experimental', {
      allowed_imports: { modules: [], packages: [{ name: 'yaml', reason: 'parses the specs' }] },
    }),
    'reference/demo/module.yaml': manifest('reference/demo', 'reference/demo', 'reference', 'experimental'),
    'tasks/milestones/M1.yaml': {
      id: 'M1',
      title: 'First milestone',
      status: 'active',
      goal: 'The fixture repository loads cleanly.',
      exit_criteria: ['plumego check passes'],
    },
    'tasks/cards/active/T-0001.yaml': {
      id: 'T-0001',
      title: 'Wire the router',
      status: 'active',
      milestone: 'M1',
      modules: ['router'],
      summary: 'Wire the router into the fixture.',
      acceptance: ['A test passes.'],
    },
    'tasks/templates/card.yaml': {
      id: 'T-0000',
      title: 'Template title here',
      status: 'active',
      milestone: 'M1',
      modules: ['router'],
      summary: 'One or two sentences on the work.',
      acceptance: ['A verifiable condition.'],
    },
  };
}

/** Writes files into a fresh temporary directory and returns its path and a cleanup function. */
export function writeFixture(files: FixtureFiles): { root: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'plumego-fixture-'));
  for (const [rel, content] of Object.entries(files)) {
    const path = join(root, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, typeof content === 'string' ? content : stringify(content));
  }
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** Reads a fixture file back (for tests that edit text in place). */
export function readFixtureFile(root: string, rel: string): string {
  return readFileSync(join(root, rel), 'utf8');
}

/**
 * For a test file: returns a function that writes a fixture into a fresh temporary directory and gives its
 * path; every directory written during a test is removed after it. Call once, at the top of the file.
 */
export function useFixtureRoots(): (files: FixtureFiles) => string {
  let cleanups: (() => void)[] = [];
  afterEach(() => {
    cleanups.forEach((c) => c());
    cleanups = [];
  });
  return (files) => {
    const { root, cleanup } = writeFixture(files);
    cleanups.push(cleanup);
    return root;
  };
}

/** The smallest repository the minimal profile loads: package.json, repo.yaml with `layers`, and the rules. */
export function minimalFixture(
  layers: object = { stable: { description: 'The src folders.', base: 'src' } },
): FixtureFiles {
  return {
    'package.json': '{\n    "name": "mini",\n    "version": "1.0.0"\n}\n',
    'specs/repo.yaml': { profile: 'minimal', identity: { name: 'mini', package: 'mini', library_root: 'src' }, layers },
    'specs/dependency-rules.yaml': {
      rules: [defaultDeny()],
      builtins: { require_node_prefix: false, deny: {} },
      baseline: 'specs/boundary-baseline.yaml',
      exceptions: [],
    },
  };
}
