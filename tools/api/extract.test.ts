import { afterAll, describe, expect, it } from 'vitest';
import { writeFixture } from '../control-plane/testing/fixture-repo.ts';
import { extractModuleApi } from './extract.ts';
import type { ModuleApi } from './model.ts';
import { createApiProject } from './project.ts';

const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

/** Extracts `framework/m/index.ts` from a temporary repository holding `files`. */
function extract(files: Record<string, string>, print = true): ModuleApi {
  const { root, cleanup } = writeFixture(files);
  cleanups.push(cleanup);
  const api = createApiProject({
    root,
    entries: ['framework/m/index.ts'],
    specifiers: new Map([['fixture/dep', 'framework/dep/index.ts']]),
  });
  return extractModuleApi(
    api,
    { name: 'm', entry: 'framework/m/index.ts', owns: (f) => f.startsWith('framework/m/') },
    { print },
  );
}

const lines = (api: ModuleApi, name: string): readonly string[] | undefined =>
  api.entries.find((e) => e.name === name)?.lines;

const SURFACE = {
  'framework/m/index.ts': [
    "export { route, type RouteOptions } from './route.ts';",
    "export { Router as AppRouter } from './router.ts';",
    "export * from './consts.ts';",
    "export * as util from './util.ts';",
    "export type { Shape } from './shape.ts';",
    "export { Color } from './shape.ts';",
    "export { Dep } from 'fixture/dep';",
  ].join('\n'),
  'framework/m/route.ts': [
    '/** Docs are not part of the signature. */',
    'export function route(path: string): string;',
    'export function route(path: string, name: string): string;',
    'export function route(path: string, name?: string): string { return name ?? path; }',
    'export interface RouteOptions { name?: string; readonly strict: boolean; match(path: string): boolean }',
  ].join('\n'),
  'framework/m/router.ts': [
    'export class Router<T = unknown> {',
    '  #secret = 1;',
    '  private hidden = 2;',
    '  protected base = "/";',
    '  static readonly VERSION = 3;',
    '  readonly code = "ROUTER_CODE";',
    '  constructor(readonly prefix: string, private readonly store: Map<string, T>) {}',
    '  get size(): number { return this.store.size; }',
    '  add(path: string, value: T) { this.store.set(path, value); return this; }',
    '}',
  ].join('\n'),
  'framework/m/consts.ts':
    'export const LIMIT = 10 as const;\nexport let counter = 0;\nexport const frozen = Object.freeze({ a: 1 });\n',
  'framework/m/util.ts': 'export function helper(): void {}\nexport const VALUE = "v";\n',
  'framework/m/shape.ts':
    "export type Shape = { kind: 'circle'; r: number } | { kind: 'square'; side: number };\nexport enum Color { Red = 'red', Blue = 'blue' }\n",
  'framework/dep/index.ts': 'export interface Dep { id: string }\n',
};

describe('extractModuleApi: names', () => {
  it('lists values and types, re-exports, export * and namespace exports, sorted', () => {
    const api = extract(SURFACE, false);
    expect(api.names).toEqual([
      'AppRouter',
      'Color',
      'Dep',
      'LIMIT',
      'RouteOptions',
      'Shape',
      'counter',
      'frozen',
      'route',
      'util',
    ]);
    expect(api.entries).toEqual([]);
    expect(api.problems).toEqual([]);
  });

  it('knows where the entry exports each name and where it is declared', () => {
    const api = extract(SURFACE, false);
    expect(api.exportLines['AppRouter']).toBe(2);
    expect(api.exportLines['LIMIT']).toBe(0); // arrives through export *
    expect(api.origins['AppRouter']).toBe('framework/m/router.ts');
    expect(api.origins['Dep']).toBe('framework/dep/index.ts');
  });
});

describe('extractModuleApi: signatures', () => {
  const api = extract(SURFACE);

  it('prints every overload of a function, without docs', () => {
    expect(lines(api, 'route')).toEqual([
      'function route(path: string): string',
      'function route(path: string, name: string): string',
    ]);
  });

  it('prints a class under its exported name, hiding private and #private members', () => {
    expect(lines(api, 'AppRouter')).toEqual([
      'class AppRouter<T = unknown>',
      '  add(path: string, value: T): this',
      '  constructor(prefix: string, store: Map<string, T>)',
      '  get size(): number',
      '  protected base: string',
      "  readonly code: 'ROUTER_CODE'",
      '  readonly prefix: string',
      '  static readonly VERSION: 3',
    ]);
  });

  it('includes public members inherited from a repository base class, not from lib classes', () => {
    const api = extract({
      'framework/m/index.ts': "export { Child, Failure, Plain } from './child.ts';",
      'framework/m/child.ts': [
        'class Base { constructor(readonly id: string) {} get(path: string): void {} protected hook(): void {} private secret(): void {} }',
        'export class Child extends Base { constructor() { super("c"); } override get(path: string): void {} extra(): number { return 1; } }',
        "export class Failure extends Error { readonly code = 'M_FAILED'; }",
        'export class Plain extends Base {}',
      ].join('\n'),
    });
    expect(lines(api, 'Child')).toEqual([
      'class Child extends Base',
      '  constructor()',
      '  extra(): number',
      '  get(path: string): void',
      '  protected hook(): void',
      '  readonly id: string',
    ]);
    expect(lines(api, 'Failure')).toEqual(['class Failure extends Error', "  readonly code: 'M_FAILED'"]);
    expect(lines(api, 'Plain')).toEqual([
      'class Plain extends Base',
      '  constructor(id: string)',
      '  get(path: string): void',
      '  protected hook(): void',
      '  readonly id: string',
    ]);
  });

  it('prints interfaces member by member and type aliases as written', () => {
    expect(lines(api, 'RouteOptions')).toEqual([
      'interface RouteOptions',
      '  match(path: string): boolean',
      '  name?: string',
      '  readonly strict: boolean',
    ]);
    expect(lines(api, 'Shape')).toEqual([
      "type Shape = { kind: 'circle'; r: number; } | { kind: 'square'; side: number; }",
    ]);
  });

  it('prints inferred variable types with the lib loaded', () => {
    expect(lines(api, 'LIMIT')).toEqual(['const LIMIT: 10']);
    expect(lines(api, 'counter')).toEqual(['let counter: number']);
    expect(lines(api, 'frozen')).toEqual(['const frozen: Readonly<{ a: 1; }>']);
  });

  it('prints enums with their values and namespaces member by member', () => {
    expect(lines(api, 'Color')).toEqual(['enum Color', '  Blue = "blue"', '  Red = "red"']);
    expect(lines(api, 'util')).toEqual(['namespace util']);
    expect(lines(api, 'util.helper')).toEqual(['function util.helper(): void']);
    expect(api.entries.find((e) => e.name === 'util.VALUE')?.kinds).toEqual(['const']);
  });

  it('records where each entry is declared, for violations', () => {
    expect(api.entries.find((e) => e.name === 'route')).toMatchObject({ file: 'framework/m/route.ts', line: 2 });
  });

  it('prints the same text from any checkout directory', () => {
    const again = extract(SURFACE);
    expect(again.entries.map((e) => e.lines)).toEqual(api.entries.map((e) => e.lines));
    expect(JSON.stringify(api.entries.map((e) => e.lines))).not.toContain('/tmp');
  });
});

describe('extractModuleApi: bad input', () => {
  it('reports a syntax error in a source file with its position', () => {
    const api = extract({
      'framework/m/index.ts': "export { a } from './a.ts';\n",
      'framework/m/a.ts': 'export const a = (;\n',
    });
    expect(api.problems).toEqual([
      expect.objectContaining({ rule: 'syntax-error', file: 'framework/m/a.ts', line: 1, column: 19 }),
    ]);
    expect(api.problems[0]!.message).toMatch(/^framework\/m\/a\.ts:1:19: syntax error: Expression expected/);
  });

  it('ignores syntax errors in files of other modules', () => {
    const api = extract({
      'framework/m/index.ts': "export type { Dep } from 'fixture/dep';\n",
      'framework/dep/index.ts': 'export interface Dep { id: string \n',
    });
    expect(api.problems).toEqual([]);
  });

  it('reports an export whose inferred type cannot be printed', () => {
    const api = extract({
      'framework/m/index.ts':
        "import { make } from 'some-package';\nexport const made = make();\nexport function run() { return make(); }\n",
    });
    expect(api.problems.map((p) => [p.rule, p.name, p.line])).toEqual([
      ['unprintable-type', 'made', 2],
      ['unprintable-type', 'run', 3],
    ]);
    expect(api.problems[0]!.message).toMatch(/cannot print the inferred type of made.*annotate the export/);
  });

  it('prints a written annotation that names an unresolved package type as written', () => {
    const api = extract({
      'framework/m/index.ts':
        "import type { Thing } from 'some-package';\nexport declare const thing: Thing;\nexport function use(t: Thing): Thing { return t; }\n",
    });
    expect(api.problems).toEqual([]);
    expect(lines(api, 'thing')).toEqual(['const thing: Thing']);
    expect(lines(api, 'use')).toEqual(['function use(t: Thing): Thing']);
  });

  it('reports a re-export that resolves to no declaration', () => {
    const api = extract({ 'framework/m/index.ts': "export { Missing } from 'some-package';\nexport const ok = 1;\n" });
    expect(api.names).toEqual(['Missing', 'ok']);
    expect(api.problems).toEqual([
      expect.objectContaining({ rule: 'unresolved-export', name: 'Missing', file: 'framework/m/index.ts', line: 1 }),
    ]);
  });
});
