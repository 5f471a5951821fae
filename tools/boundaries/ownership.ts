import type { Module } from '../control-plane/index.ts';

export type GetOwner = (file: string) => Module | undefined;

/** File → owning module: the module with the longest matching path (facade `framework` is the shortest library path). */
export function createOwnerIndex(modules: readonly Module[]): GetOwner {
  const byLength = [...modules].sort((a, b) => b.path.length - a.path.length || a.name.localeCompare(b.name));
  const memo = new Map<string, Module | undefined>();
  return (file) => {
    if (memo.has(file)) return memo.get(file);
    const owner = byLength.find((m) => m.path === '' || file === m.path || file.startsWith(`${m.path}/`));
    memo.set(file, owner);
    return owner;
  };
}

const TEST_FILE = /\.(test|spec)\.[cm]?tsx?$/;
const TEST_DIR = /(^|\/)(__tests__|__fixtures__|fixtures|__mocks__)\//;

/** Test files and fixtures: they belong to their module but are part of no public surface. */
export function isTestFile(file: string): boolean {
  return TEST_FILE.test(file) || TEST_DIR.test(file);
}

const CONFIG_FILE = /(^|\/)[^/]+\.config\.[cm]?tsx?$/;

/** Test files and tool configuration (vitest.config.ts, …): code that never ships with the module. */
export function isDevOnlyFile(file: string): boolean {
  return isTestFile(file) || CONFIG_FILE.test(file);
}

const TEST_HELPER_DIR = /(^|\/)testing\//;
const END_TO_END_TEST = /\.e2e\.[cm]?tsx?$/;

/**
 * Code only tests run: test files (end-to-end ones too), fixtures, tool configuration and shared test
 * helpers (a module's testing/ folder). Its imports do not join module cycles, and it may use another module's helpers.
 */
export function isTestCode(file: string): boolean {
  return isDevOnlyFile(file) || TEST_HELPER_DIR.test(file) || END_TO_END_TEST.test(file);
}

/** A test helper of `module`: a file in its testing/ folder, which other modules' test code may import. */
export function isTestHelperOf(module: Pick<Module, 'path'>, file: string): boolean {
  return file.startsWith(module.path ? `${module.path}/testing/` : 'testing/');
}
