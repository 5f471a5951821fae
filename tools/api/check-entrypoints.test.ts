import { afterEach, describe, expect, it } from 'vitest';
import type { Violation } from '../control-plane/index.ts';
import { analyzeApis } from './analyze.ts';
import { findEntrypointViolations } from './check-entrypoints.ts';
import { loadApiFixture, manifestWith, type LoadedFixture } from './testing/api-fixture.ts';

let fixture: LoadedFixture | undefined;
afterEach(() => fixture?.cleanup());

async function check(files: Record<string, string | object | null>): Promise<Violation[]> {
  fixture = await loadApiFixture(files);
  return findEntrypointViolations(fixture.plane, analyzeApis(fixture.plane));
}

const brief = (v: Violation): string => `${v.rule} ${v.file}:${v.line}`;

describe('entrypoints check', () => {
  it('passes when every index.ts exports exactly its public_entrypoints', async () => {
    expect(await check({})).toEqual([]);
  });

  it('accepts a module with no index.ts while its manifest promises nothing (declared, not implemented)', async () => {
    // The fixture's router has a manifest and no code.
    expect(await check({})).toEqual([]);
    expect(fixture!.plane.moduleByName.get('router')!.implemented).toBe(false);
  });

  it('reports a module with no index.ts whose manifest lists entrypoints', async () => {
    const v = await check({
      'framework/router/module.yaml': manifestWith('framework/router/module.yaml', {
        allowed_imports: { modules: ['contract'], packages: [] },
        public_entrypoints: ['createRouter'],
      }),
    });
    expect(v.map(brief)).toEqual(['entry-missing framework/router/module.yaml:18']);
    expect(v[0]!.message).toBe(
      "module 'router' declares 1 public entrypoint(s) but framework/router/index.ts does not exist",
    );
  });

  it('reports a mismatch in both directions, each at its own location', async () => {
    const v = await check({
      'framework/contract/index.ts': 'export const contract = 1;\nexport type Extra = string;\n',
      'framework/contract/module.yaml': manifestWith('framework/contract/module.yaml', {
        public_entrypoints: ['contract', 'gone'],
      }),
    });
    expect(v.map(brief)).toEqual([
      'undeclared-export framework/contract/index.ts:2',
      'missing-export framework/contract/module.yaml:18',
    ]);
    expect(v[0]!.message).toBe(
      "framework/contract/index.ts exports 'Extra', which framework/contract/module.yaml does not list in public_entrypoints",
    );
    expect(v[1]!.fix).toMatch(/Export 'gone' from framework\/contract\/index.ts, or remove it/);
  });

  it('counts names that arrive through export * and namespace exports', async () => {
    const v = await check({
      'framework/contract/index.ts': "export * from './a.ts';\nexport * as helpers from './b.ts';\n",
      'framework/contract/a.ts': 'export const contract = 1;\n',
      'framework/contract/b.ts': 'export const help = 1;\n',
      'framework/contract/module.yaml': manifestWith('framework/contract/module.yaml', {
        public_entrypoints: ['contract', 'helpers'],
      }),
    });
    expect(v).toEqual([]);
  });

  it('reports a syntax error and does not compare that module', async () => {
    const v = await check({
      'framework/contract/index.ts': "export { contract } from './impl.ts';\nexport const extra = 2;\n",
      'framework/contract/impl.ts': 'export const contract = {;\n',
    });
    expect(v.map(brief)).toEqual(['syntax-error framework/contract/impl.ts:1']);
    expect(v[0]!.message).toMatch(/^framework\/contract\/impl\.ts:1:\d+: syntax error: .*not compared until it parses/);
  });
});

describe('entrypoints check: the root facade', () => {
  const facade = (exports: string[], extra: Record<string, unknown> = {}): object =>
    manifestWith('module.yaml', {
      allowed_imports: { modules: ['router'], packages: [] },
      public_entrypoints: exports,
      ...extra,
    });
  const router = {
    'framework/router/index.ts': "export { createRouter, param } from './router.ts';\n",
    'framework/router/router.ts':
      'export function createRouter(): void {}\nexport function param(): string { return ""; }\n',
    'framework/router/module.yaml': manifestWith('framework/router/module.yaml', {
      allowed_imports: { modules: ['contract'], packages: [] },
      public_entrypoints: ['createRouter', 'param'],
    }),
  };

  it('passes when the facade re-exports allowed names from an allowed module', async () => {
    expect(
      await check({
        ...router,
        'module.yaml': facade(['param']),
        'framework/index.ts': "export { param } from 'fixture/router';\n",
      }),
    ).toEqual([]);
  });

  it('reports a facade export the root module.yaml does not allow', async () => {
    const v = await check({
      ...router,
      'module.yaml': facade(['param']),
      'framework/index.ts': "export { param, createRouter } from 'fixture/router';\n",
    });
    expect(v.map(brief)).toEqual(['facade-surface framework/index.ts:1']);
    expect(v[0]!.message).toBe("the root facade exports 'createRouter', which module.yaml does not allow");
  });

  it('reports a facade export from a module outside its allowed imports, and one it declares itself', async () => {
    const v = await check({
      ...router,
      'module.yaml': facade(['contract', 'own']),
      'framework/index.ts': "export { contract } from 'fixture/contract';\nexport const own = 1;\n",
    });
    expect(v.map((x) => `${x.rule}: ${x.message}`)).toEqual([
      "facade-source: the facade re-exports 'contract' from 'contract', which is not in its allowed_imports.modules",
      "facade-source: the facade declares 'own' itself (in framework/index.ts); it may only re-export",
    ]);
  });
});
