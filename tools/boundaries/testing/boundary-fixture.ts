/**
 * Fixture repositories for the boundary gate: the control plane's valid fixture, with this
 * repository's real dependency rules, package "exports" with the `source` condition, and small
 * helpers to change one manifest field per case.
 */
import { readFileSync } from 'node:fs';
import { type ControlPlane, loadControlPlane, type Violation } from '../../control-plane/index.ts';
import { validFixture, writeFixture, type FixtureFiles } from '../../control-plane/testing/fixture-repo.ts';

export type { FixtureFiles };

// The repository's real rules, without its exceptions: those name modules only this repository has.
const REAL_RULES = readFileSync(new URL('../../../specs/dependency-rules.yaml', import.meta.url), 'utf8').replace(
  /^exceptions:[\s\S]*$/m,
  'exceptions: []\n',
);

const EXPORTED = ['contract', 'router', 'x/rest', 'x/rest/versioning'];

/** The base repository: every module has an index.ts, nothing imports anything. */
export function baseFiles(): FixtureFiles {
  const files = validFixture();
  const exports: Record<string, object> = {
    '.': { source: './framework/index.ts', default: './dist/framework/index.js' },
  };
  for (const m of EXPORTED)
    exports[`./${m}`] = { source: `./framework/${m}/index.ts`, default: `./dist/framework/${m}/index.js` };
  return {
    ...files,
    'package.json': `${JSON.stringify({ name: 'fixture', type: 'module', exports, dependencies: { yaml: '2.9.1' }, devDependencies: { vitest: '4.1.12' } }, null, 2)}\n`,
    'specs/dependency-rules.yaml': REAL_RULES,
    'framework/contract/index.ts': 'export const contract = 1;\nexport type C = number;\n',
    'framework/router/index.ts': 'export const router = 1;\nexport type R = number;\n',
    'framework/x/rest/index.ts': 'export const rest = 1;\n',
    'framework/x/rest/versioning/index.ts': 'export const versioning = 1;\n',
    'tools/index.ts': 'export const tools = 1;\n',
    'reference/demo/main.ts': 'export const demo = 1;\n',
  };
}

type Manifest = Record<string, unknown> & {
  allowed_imports: { modules: string[]; packages: { name: string; reason: string }[]; lower_tier?: string[] };
};

/** A copy of the base files with one manifest changed by `edit`. */
export function withManifest(files: FixtureFiles, file: string, edit: (m: Manifest) => void): FixtureFiles {
  const manifest = structuredClone(files[file]) as Manifest;
  edit(manifest);
  return { ...files, [file]: manifest };
}

/** Shorthand: set allowed_imports.modules (and optionally lower_tier) of a manifest. */
export function allow(files: FixtureFiles, file: string, modules: string[], lowerTier?: string[]): FixtureFiles {
  return withManifest(files, file, (m) => {
    m.allowed_imports.modules = modules;
    if (lowerTier) m.allowed_imports.lower_tier = lowerTier;
  });
}

/** Writes the fixture, loads it with the real loader and hands the plane to `use`; always cleans up. */
export async function withFixture<T>(files: FixtureFiles, use: (plane: ControlPlane) => Promise<T>): Promise<T> {
  const { root, cleanup } = writeFixture(files);
  try {
    const load = await loadControlPlane(root);
    if (!load.plane)
      throw new Error(
        `fixture does not load: ${[...load.configErrors.map((e) => e.message), ...load.violations.map((v) => v.message)].join('; ')}`,
      );
    return await use(load.plane);
  } finally {
    cleanup();
  }
}

/** Compact, diff-friendly form of a violation for expectations: `rule file:line from→to (kind)`. */
export function summarize(v: Violation): string {
  return `${v.rule} ${v.file}:${v.line} ${v.from ?? '-'}→${v.to ?? '-'}${v.kind ? ` (${v.kind})` : ''}`;
}
