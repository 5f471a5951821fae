import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createFixturePlane } from '../route/testing/fixture-plane.ts';
import { BundleInputError, composeBundle } from './compose-bundle.ts';
import { formatBundle } from './render-bundle.ts';

const plane = createFixturePlane();
const validate = new Ajv({ strict: true, allErrors: true }).compile(
  JSON.parse(readFileSync(new URL('../../specs/schemas/bundle.schema.json', import.meta.url), 'utf8')) as object,
);

const catchError = (fn: () => unknown): BundleInputError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof BundleInputError) return error;
    throw error;
  }
  throw new Error('expected a BundleInputError');
};

describe('composeBundle from fixture specs', () => {
  it('composes the routing entry, the manifest contract, the neighbours and the gate for a task in its module', () => {
    const b = composeBundle(plane, { task: 'route_matching', module: 'router' });
    expect(b.task).toMatchObject({
      key: 'route_matching',
      startWith: ['framework/router/module.yaml', 'framework/router'],
      avoid: ['framework/x/frontend'],
    });
    expect(b.module).toMatchObject({
      name: 'router',
      path: 'framework/router',
      layer: 'stable',
      tier: 'ga',
      manifest: 'framework/router/module.yaml',
    });
    expect(b.contract).toMatchObject({
      responsibilities: ['Registering routes per method', 'Reverse routing from a route name'],
      nonGoals: [
        'SPA fallback or static asset caching (x/frontend owns that)',
        'Proxying requests to upstream services',
      ],
      stopConditions: ['A change to matching precedence'],
      reviewChecklist: ['Is it tested?'],
    });
    expect(b.neighbours.allowed.modules).toEqual([{ name: 'contract', path: null, tier: null }]);
    expect(b.neighbours.forbidden.modules).toEqual(['store']);
    expect(b.neighbours.forbidden.byRule).toEqual([
      {
        rule: 'stable-no-extension',
        summary: 'Stable roots never import x/*.',
        modules: ['x/data', 'x/data/cache', 'x/frontend', 'x/gateway', 'x/gateway/discovery'],
      },
      { rule: 'library-no-app-code', summary: 'Library code never imports tools.', modules: ['tools'] },
    ]);
    expect(b.neighbours.forbidden.everyImport).toEqual([{ rule: 'default-deny', summary: 'Imports must be allowed.' }]);
    // The task names its gate profile; {module_path} is filled for the module.
    expect(b.gate).toMatchObject({ profile: 'stable_root_change', chosenBy: ['task gate_profile'] });
    expect(b.gate.commands).toContain('npx vitest run --passWithNoTests framework/router');
    expect(b.gate.commands.some((c) => c.includes('{'))).toBe(false);
    expect(b.warnings).toEqual([]);
  });

  it('without a gate_profile on the task, the gate is what a change to the module would get', () => {
    const b = composeBundle(plane, { task: 'cache_adapter' });
    expect(b.module.name).toBe('x/data/cache');
    expect(b.gate).toMatchObject({ profile: 'single_module_behavior', chosenBy: ['extension-tooling-or-app'] });
    expect(b.gate.commands[0]).toBe('npx vitest run --passWithNoTests framework/x/data/cache');
  });

  it('with only --module, picks the task the module owns', () => {
    expect(composeBundle(plane, { module: 'x/gateway' }).task?.key).toBe('gateway_edge');
  });

  it('with only --module and no task for it, still composes the module context', () => {
    const b = composeBundle(plane, { module: 'x/frontend' });
    expect(b.task).toBeNull();
    expect(b.module.name).toBe('x/frontend');
  });

  it('warns when the task belongs to another module', () => {
    expect(composeBundle(plane, { task: 'gateway_edge', module: 'router' }).warnings[0]).toContain(
      'owned by x/gateway, not router',
    );
  });

  it.each([
    ['a task in its module', { task: 'route_matching' }],
    ['a module without a task', { module: 'x/frontend' }],
    ['a derived gate', { task: 'cache_adapter' }],
  ])('matches the bundle JSON Schema: %s', (_title, request) => {
    validate(JSON.parse(formatBundle(composeBundle(plane, request), 'json')));
    expect(validate.errors ?? []).toEqual([]);
  });

  it('renders as YAML with a header, and as JSON', () => {
    const b = composeBundle(plane, { task: 'route_matching' });
    const yaml = formatBundle(b, 'yaml');
    expect(yaml.split('\n')[0]).toBe(
      '# plumego bundle: task route_matching in router — composed from specs/ and framework/router/module.yaml',
    );
    expect(parse(yaml)).toEqual(JSON.parse(formatBundle(b, 'json')));
  });
});

describe('composeBundle: bad input lists the valid choices', () => {
  it('an unknown task lists the task keys', () => {
    const error = catchError(() => composeBundle(plane, { task: 'nope' }));
    expect(error.problem).toBe('unknown-task');
    expect(error.valid).toEqual(['cache_adapter', 'control_plane', 'gateway_edge', 'route_matching']);
  });

  it('an unknown module lists the module names', () => {
    const error = catchError(() => composeBundle(plane, { task: 'route_matching', module: 'routr' }));
    expect(error.problem).toBe('unknown-module');
    expect(error.valid).toContain('router');
  });

  it('neither --task nor --module is refused', () => {
    expect(catchError(() => composeBundle(plane, {})).problem).toBe('missing-input');
  });
});
