/**
 * The fixture corpus for `plumego init`: small repositories shaped like real layouts. Each names a
 * file to break and the import to add, and where the gate must then report it.
 */
import { mkdirSync, symlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { FixtureFiles } from '../../control-plane/testing/fixture-repo.ts';

export interface LayoutFixture {
  readonly title: string;
  readonly files: FixtureFiles;
  /** node_modules links a package manager would create: link → repository-relative target. */
  readonly links?: Readonly<Record<string, string>>;
  /** Modules init must propose (names, sorted). */
  readonly modules: readonly string[];
  /** Baseline entries init must record (`rule file → to`). */
  readonly baseline: readonly string[];
  /** A violation to inject: the file, the line to append and the rule + line the gate must report. */
  readonly inject: { readonly file: string; readonly line: string; readonly rule: string; readonly at: number };
}

const pkg = (name: string, extra: object = {}): string =>
  `${JSON.stringify({ name, version: '1.0.0', ...extra }, null, 4)}\n`;

export const LAYOUTS: readonly LayoutFixture[] = [
  {
    title: 'a pnpm workspace monorepo (packages/* and apps/*)',
    files: {
      'package.json': pkg('fx-mono', { private: true, devDependencies: { typescript: '5.9.3' } }),
      'pnpm-workspace.yaml': 'packages:\n  - "packages/*"\n  - "apps/*"\n',
      'packages/core/package.json': pkg('@fx/core', {
        main: './dist/index.js',
        dependencies: { '@fx/utils': 'workspace:*', zod: '3.23.8' },
      }),
      'packages/core/src/index.ts':
        "import { pad } from '@fx/utils';\nimport { z } from 'zod';\nexport const core = pad('x');\nexport const schema = z;\n",
      'packages/utils/package.json': pkg('@fx/utils', { main: './dist/index.js' }),
      'packages/utils/src/index.ts': 'export const pad = (s: string): string => ` ${s}`;\n',
      'apps/web/package.json': pkg('web', { dependencies: { '@fx/core': 'workspace:*' } }),
      'apps/web/src/main.ts': "import { core } from '@fx/core';\nexport const page = core;\n",
    },
    links: { 'node_modules/@fx/core': 'packages/core', 'node_modules/@fx/utils': 'packages/utils' },
    modules: ['apps/web', 'core', 'utils'],
    baseline: [],
    inject: {
      file: 'packages/utils/src/index.ts',
      line: "import { page } from '../../../apps/web/src/main.ts';\nexport const again = page;",
      rule: 'library-no-app-code',
      at: 2,
    },
  },
  {
    title: 'a single package with src/* folders',
    files: {
      'package.json': pkg('@acme/Single-Pkg', { type: 'module', dependencies: { ms: '2.1.3' } }),
      'src/index.ts': "export { route } from './router/index.ts';\n",
      'src/router/index.ts': "import { clean } from '../utils/clean.ts';\nexport const route = clean('/');\n",
      'src/middleware/logger.ts':
        "import ms from 'ms';\nimport type { Ctx } from '../router/types.ts';\nexport const log = (c: Ctx): number => ms('1s') + c.n;\n",
      'src/router/types.ts': 'export interface Ctx { n: number }\n',
      'src/utils/clean.ts': 'export const clean = (s: string): string => s.trim();\n',
      'src/utils/clean.test.ts': "import { clean } from './clean.ts';\nexport const t = clean(' ');\n",
      'src/Legacy_Stuff/old.ts': 'export const old = 1;\n',
    },
    modules: ['middleware', 'router', 'single-pkg', 'utils'],
    // Deep imports of another folder's files (none has an index.ts to go through).
    baseline: ['public-entry-only src/middleware/logger.ts → router', 'public-entry-only src/router/index.ts → utils'],
    inject: {
      file: 'src/utils/clean.ts',
      line: "import { log } from '../middleware/logger.ts';\nexport const l = log;",
      rule: 'default-deny',
      at: 2,
    },
  },
  {
    title: 'a repository with tsconfig paths',
    files: {
      'package.json': pkg('paths-repo'),
      'tsconfig.json':
        '{\n  // comments are allowed in tsconfig\n  "compilerOptions": { "baseUrl": ".", "paths": { "@app/*": ["src/*"] }, "allowImportingTsExtensions": true, "noEmit": true }\n}\n',
      'src/api/index.ts': "import { db } from '@app/db/index.ts';\nexport const api = db;\n",
      'src/db/index.ts': 'export const db = 1;\n',
      'src/ui/index.ts': 'export const ui = 1;\n',
    },
    modules: ['api', 'db', 'paths-repo', 'ui'],
    baseline: [],
    inject: {
      file: 'src/ui/index.ts',
      line: "import { api } from '@app/api/index.ts';\nexport const x = api;",
      rule: 'default-deny',
      at: 2,
    },
  },
  {
    title: 'a workspace whose packages map tsconfig paths of their own',
    files: {
      'package.json': pkg('own-paths', { private: true, workspaces: ['examples/*'] }),
      'tsconfig.json': '{ "compilerOptions": { "allowImportingTsExtensions": true, "noEmit": true } }\n',
      // The same alias means a different folder in each package: only a per-package mapping resolves both.
      'examples/one/package.json': pkg('one'),
      'examples/one/tsconfig.json':
        '{\n  "extends": "../../tsconfig.json",\n  "compilerOptions": { "paths": { "~/*": ["./src/*"] } }\n}\n',
      'examples/one/src/main.ts': "import { util } from '~/lib/util.ts';\nexport const one = util;\n",
      'examples/one/src/lib/util.ts': 'export const util = 1;\n',
      'examples/two/package.json': pkg('two'),
      'examples/two/tsconfig.json': '{ "compilerOptions": { "baseUrl": ".", "paths": { "~/*": ["app/*"] } } }\n',
      'examples/two/app/main.ts': "import { helper } from '~/helper.ts';\nexport const two = helper;\n",
      'examples/two/app/helper.ts': 'export const helper = 2;\n',
    },
    modules: ['one', 'two'],
    baseline: [],
    inject: {
      file: 'examples/two/app/helper.ts',
      line: "import { one } from '../../one/src/main.ts';\nexport const o = one;",
      rule: 'default-deny',
      at: 2,
    },
  },
  {
    title: 'a workspace with an existing cycle and a layer break',
    files: {
      'package.json': pkg('tangled', { workspaces: ['packages/*', 'apps/*'], author: '@acme/platform' }),
      'packages/a/package.json': pkg('@t/a', { types: './src/index.ts' }),
      'packages/a/src/index.ts': "import { b } from '../../b/src/index.ts';\nexport const a = (): number => b() + 1;\n",
      'packages/b/package.json': pkg('@t/b', { types: './src/index.ts' }),
      'packages/b/src/index.ts':
        "import { a } from '../../a/src/index.ts';\nimport { admin } from '../../../apps/admin/src/main.ts';\nexport const b = (): number => (a.length + admin);\n",
      'packages/c/package.json': pkg('@t/c', { types: './src/index.ts' }),
      'packages/c/src/index.ts': 'export const c = 3;\n',
      'apps/admin/package.json': pkg('admin'),
      'apps/admin/src/main.ts': 'export const admin = 1;\n',
    },
    modules: ['a', 'apps/admin', 'b', 'c'],
    baseline: [
      'library-no-app-code packages/b/src/index.ts → apps/admin',
      'no-module-cycles packages/a/src/index.ts → b',
      'no-module-cycles packages/b/src/index.ts → a',
    ],
    // A new edge into the existing tangle: c → a while a ⇄ b stays frozen.
    inject: {
      file: 'packages/a/src/index.ts',
      line: "import { c } from '../../c/src/index.ts';\nexport const ac = c;",
      rule: 'default-deny',
      at: 3,
    },
  },
];

/** Creates the package manager's node_modules links inside a written fixture. */
export function linkPackages(root: string, links: Readonly<Record<string, string>> = {}): void {
  for (const [link, target] of Object.entries(links)) {
    const path = join(root, link);
    mkdirSync(dirname(path), { recursive: true });
    symlinkSync(relative(dirname(path), join(root, target)), path, 'dir');
  }
}
