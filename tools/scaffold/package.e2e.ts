import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validFixture, writeFixture } from '../control-plane/testing/fixture-repo.ts';
import { TEMPLATES } from './catalog.ts';

// A new user's path, end to end: `npm pack` (prepack builds), `npm install` of the tarball in an
// empty project outside this repository, then plain Node, the consumer's tsc, the installed CLI and
// `plumego new` with each template. One tarball and one install serve every case; the generated
// projects sit in subfolders of the install, so they resolve plumego and their dev tools from it.

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const repoPkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const pin = (name: string): string => `${name}@${repoPkg.devDependencies[name] ?? repoPkg.dependencies[name]}`;

interface Run {
  code: number;
  out: string;
  err: string;
  ms: number;
}

function run(cmd: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      {
        cwd,
        env: { ...process.env, CI: '', NO_COLOR: '1', FORCE_COLOR: '0', npm_config_yes: 'true', ...env },
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, out, err) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, out, err, ms: Date.now() - started });
      },
    );
  });
}

const ok = (r: Run): Run => {
  if (r.code !== 0) throw new Error(`exit ${r.code}\n${r.out}\n${r.err}`);
  return r;
};

let tmp: string;
let work: string;
let tarball: string;
let packed: { size: number; unpackedSize: number; entryCount: number; files: { path: string }[] };

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'plumego-package-'));
  // PLUMEGO_PACKAGE_DIR: a folder holding an already packed tarball (CI packs once); npm pack --dry-run still lists it.
  const reuse = process.env['PLUMEGO_PACKAGE_DIR'];
  const pack = ok(
    await run(
      'npm',
      ['pack', '--json', ...(reuse ? ['--dry-run', '--ignore-scripts'] : ['--pack-destination', tmp])],
      REPO,
    ),
  );
  const listing = (JSON.parse(pack.out.slice(pack.out.indexOf('['))) as (typeof packed & { filename: string })[])[0]!;
  packed = listing;
  tarball = join(reuse ?? tmp, listing.filename);
  console.log(
    `plumego tarball: ${(packed.size / 1024).toFixed(0)} KiB packed, ${(packed.unpackedSize / 1024).toFixed(0)} KiB unpacked, ${packed.entryCount} files (npm pack ${(pack.ms / 1000).toFixed(1)} s)`,
  );
  work = join(tmp, 'work');
  mkdirSync(work);
  writeFileSync(
    join(work, 'package.json'),
    `${JSON.stringify({ name: 'plumego-consumer', private: true, type: 'module' }, null, 2)}\n`,
  );
  const install = ok(
    await run(
      'npm',
      [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        tarball,
        pin('typescript'),
        pin('@types/node'),
        pin('vitest'),
        pin('tsx'),
        pin('eslint'),
        pin('typescript-eslint'),
      ],
      work,
    ),
  );
  console.log(`npm install of the tarball and the dev tools: ${(install.ms / 1000).toFixed(1)} s`);
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('the packed tarball', () => {
  it('holds built JS, declarations and maps but no tests, fixtures, benches or task cards', () => {
    const paths = packed.files.map((f) => f.path);
    expect(paths).toContain('dist/framework/core/index.js');
    expect(paths).toContain('dist/framework/core/index.d.ts');
    expect(paths).toContain('dist/framework/core/index.js.map');
    expect(paths).toContain('dist/tools/cli/main.js');
    // The docs-site sources ship for `plumego site`; this repository's own data, prose, guides and site tests do not.
    const unwanted = paths.filter(
      (p) =>
        /(\.test\.|\.test-support\.|(^|\/)(__tests__|testing|fixtures|golden)\/|^bench\/|^tasks\/|^reference\/|^docs-site\/(tests|dist|src\/prose|src\/content\/docs\/guides)\/|^docs-site\/src\/data\/[^/]+\.json$|^specs\/[^/]+\.yaml$)/.test(
          p,
        ) && !p.startsWith('dist/tools/scaffold/templates/'),
    );
    expect(paths).toContain('docs-site/astro.config.mjs');
    expect(unwanted).toEqual([]);
  });

  it('imports every exported subpath with plain node (no tsx, no conditions)', async () => {
    const pkg = JSON.parse(readFileSync(join(work, 'node_modules/plumego/package.json'), 'utf8')) as {
      exports: Record<string, unknown>;
    };
    const specifiers = Object.keys(pkg.exports).map((sub) => (sub === '.' ? 'plumego' : `plumego${sub.slice(1)}`));
    expect(specifiers.length).toBeGreaterThan(10);
    const script = `let n = 0; for (const s of ${JSON.stringify(specifiers)}) { const m = await import(s); if (Object.keys(m).length === 0) throw new Error(s + ' exports nothing'); n++; } console.log(n);`;
    const result = ok(await run(process.execPath, ['--input-type=module', '-e', script], work));
    expect(result.out.trim()).toBe(String(specifiers.length));
    const missing = await run(
      process.execPath,
      ['--input-type=module', '-e', `await import('plumego/not-a-module')`],
      work,
    );
    expect(missing.code).not.toBe(0);
    expect(missing.err).toMatch(/ERR_PACKAGE_PATH_NOT_EXPORTED/);
  });

  it('type-checks a consumer against the .d.ts and rejects a wrong call', async () => {
    writeFileSync(
      join(work, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          strict: true,
          noEmit: true,
          types: ['node'],
        },
        files: ['consumer.ts'],
      }),
    );
    writeFileSync(
      join(work, 'consumer.ts'),
      [
        "import { createApp, type App } from 'plumego';",
        "import { writeResponse } from 'plumego/contract';",
        "import type { RouteInfo } from 'plumego/router';",
        "const app: App = createApp({ addr: ':0' });",
        "app.get('/', (w, r) => writeResponse(w, r, 200, { ok: true }));",
        'const routes: RouteInfo[] = app.routes();',
        'export const count: number = routes.length;',
        '',
      ].join('\n'),
    );
    ok(await run(join(work, 'node_modules/.bin/tsc'), ['-p', '.'], work));
    writeFileSync(
      join(work, 'consumer.ts'),
      "import { createApp } from 'plumego';\nexport const port: string = createApp().routes();\n",
    );
    const bad = await run(join(work, 'node_modules/.bin/tsc'), ['-p', '.'], work);
    expect(bad.code).not.toBe(0);
    expect(bad.out).toMatch(/consumer\.ts.*TS2322/);
  });

  it('starts a tiny app from the built JS and serves one request', async () => {
    writeFileSync(
      join(work, 'serve.mjs'),
      [
        "import { createApp, param } from 'plumego';",
        "import { writeResponse } from 'plumego/contract';",
        "import { createLogger } from 'plumego/log';",
        "const app = createApp({ addr: '127.0.0.1:0' }, { logger: createLogger({ format: 'discard' }) });",
        "app.get('/hello/:name', (w, r) => writeResponse(w, r, 200, { hello: param(r, 'name') }));",
        'const { port } = await app.listen();',
        'const res = await fetch(`http://127.0.0.1:${port}/hello/ada`);',
        'console.log(res.status, JSON.stringify((await res.json()).data));',
        'await app.shutdown({ timeoutMs: 1000 });',
        '',
      ].join('\n'),
    );
    const result = ok(await run(process.execPath, ['serve.mjs'], work));
    expect(result.out.trim()).toBe('200 {"hello":"ada"}');
  });

  it('runs npx plumego --help and plumego check on a fixture repository from the built CLI', async () => {
    const help = ok(await run('npx', ['plumego', '--help'], work));
    expect(help.out).toMatch(/^\s+check\s/m);
    expect(help.out).toMatch(/^\s+new\s/m);
    const clean = writeFixture(validFixture());
    const broken = writeFixture({ ...validFixture(), 'scripts/build.ts': 'export {};\n' });
    try {
      const good = await run('npx', ['plumego', 'check', '--root', clean.root], work, { PLUMEGO_CLI_SOURCE: '' });
      expect(good.err).toBe('');
      expect(good.code, good.out).toBe(0);
      const bad = await run('npx', ['plumego', 'check', '--root', broken.root], work);
      expect(bad.code).toBe(1);
      expect(bad.out).toMatch(/top-level directory 'scripts\/' is not declared/);
    } finally {
      clean.cleanup();
      broken.cleanup();
    }
  });
});

describe('the ESLint plugin, from the installed package', () => {
  it('plumego/eslint-plugin reports an injected forbidden import where plumego check does', async () => {
    const repo = join(work, 'lint-repo');
    // A single package with src/* folders (the shape of tools/init's fixture corpus, kept small here).
    const files: Record<string, string> = {
      'package.json': JSON.stringify({ name: 'lint-repo', version: '1.0.0', type: 'module' }),
      'src/index.ts': "export { route } from './router/index.ts';\n",
      'src/router/index.ts': "import { clean } from '../utils/clean.ts';\nexport const route = clean('/');\n",
      'src/middleware/logger.ts': 'export const log = (n: number): number => n + 1;\n',
      'src/utils/clean.ts': 'export const clean = (s: string): string => s.trim();\n',
    };
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(dirname(join(repo, file)), { recursive: true });
      writeFileSync(join(repo, file), text);
    }
    ok(await run('npx', ['plumego', 'init', '--yes'], repo));
    writeFileSync(
      join(repo, 'eslint.config.js'),
      [
        "import tseslint from 'typescript-eslint';",
        "import plumego from 'plumego/eslint-plugin';",
        "export default [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, plumego.configs.recommended];",
        '',
      ].join('\n'),
    );
    ok(await run('npx', ['eslint', 'src'], repo));
    writeFileSync(
      join(repo, 'src/utils/clean.ts'),
      "export const clean = (s: string): string => s.trim();\nimport { log } from '../middleware/logger.ts';\nexport const l = log;\n",
    );
    const lint = await run('npx', ['eslint', 'src', '--format', 'json'], repo);
    expect(lint.code).toBe(1);
    const messages = (
      JSON.parse(lint.out) as {
        filePath: string;
        messages: { ruleId: string; line: number; column: number; message: string }[];
      }[]
    ).flatMap((f) => f.messages);
    expect(messages).toEqual([
      expect.objectContaining({
        ruleId: 'plumego/boundaries',
        line: 2,
        column: 21,
        message: expect.stringMatching(/^default-deny: utils → middleware /),
      }),
    ]);
    const check = JSON.parse((await run('npx', ['plumego', 'check', '--format', 'json'], repo)).out) as {
      violations: { rule: string; file: string; line: number; column: number }[];
    };
    expect(check.violations).toContainEqual(
      expect.objectContaining({ rule: 'default-deny', file: 'src/utils/clean.ts', line: 2, column: 21 }),
    );
  });
});

describe('plumego new, from the installed package', () => {
  it.each(TEMPLATES.map((t) => t.name))('the %s template passes its own tests and plumego check', async (template) => {
    const created = ok(
      await run('npx', ['plumego', 'new', template, '--template', template, '--plumego', `file:${tarball}`], work),
    );
    const project = join(work, template);
    expect(created.out).toMatch(new RegExp(`Created ${template} \\(${template} template\\)`));
    const tests = ok(await run('npm', ['test'], project));
    expect(tests.out).toMatch(/Tests\s+\d+ passed/);
    console.log(
      `plumego new --template ${template}: ${created.ms} ms; its first npm test: ${(tests.ms / 1000).toFixed(1)} s`,
    );
    const check = ok(await run('npx', ['plumego', 'check'], project));
    expect(check.out).toMatch(/plumego check: clean/);
    const routes = JSON.parse(
      ok(await run('npx', ['plumego', 'routes', 'src/service.ts', '--format', 'json'], project)).out,
    ) as { routes: { method: string; path: string }[] };
    expect(routes.routes).toContainEqual(expect.objectContaining({ method: 'GET', path: '/healthz' }));
    const again = await run('npx', ['plumego', 'new', template, '--template', template], work);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/PLUMEGO_SCAFFOLD_EXISTS/);
  });

  it('plumego generate adds a module, middleware, handler and resource whose tests pass and check stays clean', async () => {
    ok(await run('npx', ['plumego', 'new', 'generated', '--template', 'standard'], work));
    const project = join(work, 'generated');
    for (const args of [
      ['module', 'billing'],
      ['middleware', 'require-tenant'],
      ['handler', 'invoice', '--module', 'billing'],
      ['resource', 'projects'],
    ]) {
      ok(await run('npx', ['plumego', 'generate', ...args], project));
    }
    const tests = ok(await run('npm', ['test'], project));
    expect(tests.out).toMatch(/Tests\s+\d+ passed/);
    expect(ok(await run('npx', ['plumego', 'check'], project)).out).toMatch(/plumego check: clean .* over 2 modules/);
    const again = await run('npx', ['plumego', 'generate', 'resource', 'projects'], project);
    expect(again.code).toBe(2);
  });
});
