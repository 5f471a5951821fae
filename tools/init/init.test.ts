import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { writeFixture } from '../control-plane/testing/fixture-repo.ts';
import { runCli } from '../cli/testing/run-cli.ts';
import { LAYOUTS, linkPackages, type LayoutFixture } from './testing/layouts.ts';

let cleanups: (() => void)[] = [];
afterEach(() => {
  cleanups.forEach((c) => c());
  cleanups = [];
});

function write(fixture: LayoutFixture): string {
  const { root, cleanup } = writeFixture(fixture.files);
  cleanups.push(cleanup);
  linkPackages(root, fixture.links);
  return root;
}

interface Report {
  violations: { rule: string; file: string; line: number; to?: string; message: string }[];
}

describe.each(LAYOUTS)('plumego init on $title', (fixture) => {
  it('init → clean check → an injected violation caught at its line → sync leaves package.json alone', async () => {
    const root = write(fixture);
    const packageJson = readFileSync(`${root}/package.json`, 'utf8');

    const init = await runCli(root, 'init', '--yes', '--format', 'json');
    expect(init.err).toBe('');
    expect(init.code).toBe(0);
    const summary = JSON.parse(init.out) as { files: { file: string; action: string }[] };
    expect(summary.files.every((f) => f.action === 'create')).toBe(true);

    const status = await runCli(root, 'status', '--format', 'json');
    expect((JSON.parse(status.out) as { modules: { name: string }[] }).modules.map((r) => r.name).sort()).toEqual(
      fixture.modules,
    );
    const baseline = existsSync(`${root}/specs/boundary-baseline.yaml`)
      ? readFileSync(`${root}/specs/boundary-baseline.yaml`, 'utf8')
      : '';
    const frozen = [...baseline.matchAll(/- rule: (\S+)\n\s+file: (\S+)\n\s+to: (\S+)/g)]
      .map((m) => `${m[1]} ${m[2]} → ${m[3]}`)
      .sort();
    expect(frozen).toEqual(fixture.baseline);

    const first = await runCli(root, 'check', '--format', 'json');
    expect(first.err).toBe('');
    expect((JSON.parse(first.out) as Report).violations).toEqual([]);
    expect(first.code).toBe(0);

    appendFileSync(`${root}/${fixture.inject.file}`, `${fixture.inject.line}\n`);
    const second = await runCli(root, 'check', '--format', 'json');
    expect(second.code).toBe(1);
    const found = (JSON.parse(second.out) as Report).violations.map((v) => `${v.rule} ${v.file}:${v.line}`);
    expect(found).toContain(`${fixture.inject.rule} ${fixture.inject.file}:${fixture.inject.at}`);

    const sync = await runCli(root, 'sync');
    expect(sync.code).toBe(0);
    expect(sync.out).toMatch(/^nothing to generate: specs\/repo.yaml lists no generators/);
    expect(readFileSync(`${root}/package.json`, 'utf8')).toBe(packageJson);
    expect(existsSync(`${root}/docs-site`)).toBe(false);
    expect(existsSync(`${root}/.github/CODEOWNERS`)).toBe(false);
    // init, two checks and sync load dependency-cruiser and TypeScript cold: seconds on a busy machine.
  }, 90_000);
});

describe('plumego init: safety and honesty', () => {
  const single = LAYOUTS[1]!;

  it('is idempotent: a second run finds every file unchanged and writes nothing', async () => {
    const root = write(single);
    await runCli(root, 'init', '--yes');
    const again = await runCli(root, 'init', '--yes', '--format', 'json');
    expect(
      (JSON.parse(again.out) as { files: { action: string; written: boolean }[] }).files.every(
        (f) => f.action === 'unchanged' && !f.written,
      ),
    ).toBe(true);
  });

  it('never overwrites a file that differs without --force', async () => {
    const root = write(single);
    await runCli(root, 'init', '--yes');
    writeFileSync(
      `${root}/src/router/module.yaml`,
      'name: router\npath: src/router\nlayer: stable\nallowed_imports: { modules: [utils], packages: [] }\n# mine\n',
    );
    const kept = await runCli(root, 'init', '--yes');
    expect(kept.out).toMatch(/^keep\s+src\/router\/module.yaml {2}\(exists and differs; --force overwrites\)$/m);
    expect(readFileSync(`${root}/src/router/module.yaml`, 'utf8')).toContain('# mine');
    const forced = await runCli(root, 'init', '--yes', '--force');
    expect(forced.out).toMatch(/^overwrite\s+src\/router\/module.yaml$/m);
    expect(readFileSync(`${root}/src/router/module.yaml`, 'utf8')).not.toContain('# mine');
  });

  it('--dry-run writes nothing and names every file it would write', async () => {
    const root = write(single);
    const dry = await runCli(root, 'init', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.out).toMatch(/^create\s+specs\/repo.yaml$/m);
    expect(dry.out).toContain('Dry run: nothing written');
    expect(existsSync(`${root}/specs`)).toBe(false);
  });

  it('reports the folders it leaves out instead of dropping them silently', async () => {
    const dry = await runCli(write(single), 'init', '--dry-run');
    expect(dry.out).toMatch(/^skipped\s+src\/Legacy_Stuff: 'Legacy_Stuff' is not a valid module name/m);
  });

  it('prints the next three commands', async () => {
    const out = (await runCli(write(single), 'init', '--yes')).out;
    expect(out).toMatch(/Next:\n {2}npx plumego check .*\n {2}npx plumego graph .*\n {2}git add /);
  });

  it('records existing violations with the owner and expiry given, or leaves them to fail with --no-baseline', async () => {
    const tangled = LAYOUTS.find((l) => l.title.includes('existing cycle'))!;
    const root = write(tangled);
    await runCli(root, 'init', '--yes', '--owner', '@acme/arch', '--expires', '2027-03-01');
    const text = readFileSync(`${root}/specs/boundary-baseline.yaml`, 'utf8');
    expect(text.match(/owner: "?@acme\/arch"?/g)).toHaveLength(3);
    expect(text.match(/expires: "?2027-03-01"?/g)).toHaveLength(3);

    const bare = write(tangled);
    await runCli(bare, 'init', '--yes', '--no-baseline');
    expect(existsSync(`${bare}/specs/boundary-baseline.yaml`)).toBe(false);
    const check = await runCli(bare, 'check', '--format', 'json');
    expect(check.code).toBe(1);
    expect((JSON.parse(check.out) as Report).violations.map((v) => v.rule).sort()).toEqual([
      'library-no-app-code',
      'no-module-cycles',
      'no-module-cycles',
    ]);
  });

  it.each([
    [['--depth', '0'], /--depth must be a whole number from 1 to 5/],
    [['--expires', 'soon'], /--expires must be a date as YYYY-MM-DD/],
    [['--owner', ' '], /--owner must not be empty/],
    [['--glob', '*'], /--glob '\*' must be a folder followed by one or more '\*' segments/],
    [['--glob', 'nowhere/*'], /folder 'nowhere' does not exist/],
  ])('rejects bad flags %j with exit 2', async (flags, message) => {
    const run = await runCli(write(single), 'init', '--yes', ...flags);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(message);
  });

  it('refuses a repository with no layout it can read, with a hint', async () => {
    const { root, cleanup } = writeFixture({ 'package.json': '{"name":"empty"}\n', 'README.md': 'no code\n' });
    cleanups.push(cleanup);
    const run = await runCli(root, 'init', '--yes');
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/no workspaces and no source folder .* with TypeScript files[\s\S]*hint: Pass --glob/);
  });

  it('takes packages/ as the library even when examples/ holds more packages', async () => {
    const { root, cleanup } = writeFixture({
      'package.json': JSON.stringify({ name: 'lib', workspaces: ['packages/*', 'examples/*'] }),
      'packages/core/package.json': '{"name":"@l/core"}',
      'packages/core/index.ts': 'export const core = 1;\n',
      ...Object.fromEntries(
        ['one', 'two', 'three'].flatMap((n) => [
          [`examples/${n}/package.json`, `{"name":"${n}"}`],
          [`examples/${n}/main.ts`, "import { core } from '../../packages/core/index.ts';\nexport const x = core;\n"],
        ]),
      ),
    });
    cleanups.push(cleanup);
    const dry = JSON.parse((await runCli(root, 'init', '--dry-run', '--format', 'json')).out) as {
      layout: { libraryRoot: string };
    };
    expect(dry.layout.libraryRoot).toBe('packages');
    await runCli(root, 'init', '--yes');
    expect(readFileSync(`${root}/examples/one/module.yaml`, 'utf8')).toMatch(/layer: reference/);
    expect((await runCli(root, 'check')).code).toBe(0);
  });

  it('--glob names the module folders outright', async () => {
    const root = write(single);
    const dry = await runCli(root, 'init', '--dry-run', '--format', 'json', '--glob', 'src/*');
    expect((JSON.parse(dry.out) as { layout: { kind: string; modules: number } }).layout).toMatchObject({
      kind: 'glob',
      modules: 4,
    });
  });
});

describe('the minimal profile init writes reports what a boundary check must catch:', () => {
  it("a deep import of another module's internal file, while an import of its entry passes", async () => {
    const root = write(LAYOUTS.find((l) => l.title.includes('src/* folders'))!);
    await runCli(root, 'init', '--yes');
    writeFileSync(`${root}/src/router/internal.ts`, 'export const secret = 1;\n');
    // middleware may import router (init recorded it); only the path decides. A new file: the
    // baseline already freezes logger.ts's deep import of router.
    writeFileSync(
      `${root}/src/middleware/auth.ts`,
      "import { route } from '../router/index.ts';\nimport { secret } from '../router/internal.ts';\nexport const both = [route, secret];\n",
    );
    const check = await runCli(root, 'check', '--format', 'json');
    expect(check.code).toBe(1);
    expect(
      (JSON.parse(check.out) as Report).violations.map((v) => `${v.rule} ${v.file}:${v.line} ${v.message}`),
    ).toEqual([
      "public-entry-only src/middleware/auth.ts:2 middleware → router (import, '../router/internal.ts' → src/router/internal.ts): src/router/internal.ts is inside router; its public entry is src/router/index.ts",
    ]);
  }, 90_000);

  it("a workspace package reached through its node_modules link but not declared in the importer's package.json", async () => {
    const { root, cleanup } = writeFixture({
      'package.json': JSON.stringify({ name: 'linked', private: true, workspaces: ['packages/*'] }),
      'packages/a/package.json': JSON.stringify({ name: '@w/a', types: './src/index.ts' }),
      'packages/a/src/index.ts': 'export const a = 1;\n',
      'packages/b/package.json': JSON.stringify({
        name: '@w/b',
        types: './src/index.ts',
        dependencies: { '@w/a': '*' },
      }),
      'packages/b/src/index.ts': "import { a } from '@w/a';\nexport const b = a + 1;\n",
    });
    cleanups.push(cleanup);
    linkPackages(root, { 'node_modules/@w/a': 'packages/a', 'node_modules/@w/b': 'packages/b' });
    await runCli(root, 'init', '--yes');
    expect((await runCli(root, 'check')).code).toBe(0);
    // Hoisting keeps the link working after the declaration goes: only the declaration check sees it.
    writeFileSync(`${root}/packages/b/package.json`, JSON.stringify({ name: '@w/b', types: './src/index.ts' }));
    const check = await runCli(root, 'check', '--format', 'json');
    expect(check.code).toBe(1);
    expect(
      (JSON.parse(check.out) as Report).violations.map((v) => `${v.rule} ${v.file}:${v.line} ${v.message}`),
    ).toEqual([
      "npm-undeclared packages/b/src/index.ts:1 '@w/a' is imported but not declared in package.json (it resolves to packages/a/src/index.ts through a workspace link)",
    ]);
  });
});
