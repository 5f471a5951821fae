import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { validFixture, writeFixture } from '../../control-plane/testing/fixture-repo.ts';
import { main } from '../main.ts';

let cleanups: (() => void)[] = [];
afterEach(() => {
  cleanups.forEach((c) => c());
  cleanups = [];
});

const git = (root: string, ...args: string[]): string =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args], {
    cwd: root,
    encoding: 'utf8',
  });

/** The coordinator's fixture with a ga contract exporting `contract` and `legacy`, committed to git. */
function fixture(): string {
  const files = validFixture();
  files['framework/contract/index.ts'] = 'export const contract = 1;\nexport function legacy(): void {}\n';
  files['framework/contract/module.yaml'] = {
    ...(files['framework/contract/module.yaml'] as object),
    public_entrypoints: ['contract', 'legacy'],
  };
  const { root, cleanup } = writeFixture(files);
  cleanups.push(cleanup);
  git(root, 'init', '-q', '-b', 'main');
  return root;
}

async function run(cwd: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, {
    cwd,
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
  });
  return { code, out, err };
}

describe('plumego api', () => {
  it('writes the snapshots of ga and beta modules that have code, and is idempotent', async () => {
    const root = fixture();
    const first = await run(root, 'api', 'snapshot');
    expect(first.code).toBe(0);
    // contract and the facade are ga and implemented; router is declared, not implemented.
    expect(first.out).toMatch(/^written {4}framework\/api\.md$/m);
    expect(first.out).toMatch(/^written {4}framework\/contract\/api\.md \(2 added\)$/m);
    expect(first.out).toMatch(/^ts-morph: 2 module\(s\), \d+ files parsed in [\d.]+ s/m);
    expect(existsSync(`${root}/framework/router/api.md`)).toBe(false);
    const again = await run(root, 'api', 'snapshot', '--module', 'contract');
    expect(again.out).toMatch(/^unchanged {2}framework\/contract\/api\.md$/m);
  });

  it('refuses an unrecorded ga break with exit 1 and names the api_changes entry to add', async () => {
    const root = fixture();
    await run(root, 'api', 'snapshot');
    writeFileSync(`${root}/framework/contract/index.ts`, 'export const contract = 1;\n');
    const { code, err } = await run(root, 'api', 'snapshot', '--module', 'contract');
    expect(code).toBe(1);
    expect(err).toContain("breaking change(s) to ga module 'contract' not recorded: removed legacy");
    expect(err).toContain(
      'api_changes: [{ version: v2.0.0, reason: "<why the break is worth it>", removed: [legacy] }]',
    );
  });

  it('diffs against the working snapshot or a git ref, failing on an unrecorded ga break', async () => {
    const root = fixture();
    await run(root, 'api', 'snapshot');
    git(root, 'add', '.');
    git(root, 'commit', '-q', '-m', 'base');
    writeFileSync(
      `${root}/framework/contract/index.ts`,
      'export const contract = 2 as number;\nexport const fresh = true;\n',
    );
    const text = await run(root, 'api', 'diff', '--module', 'contract');
    expect(text.code).toBe(1);
    expect(text.out).toContain('✖ contract (ga) vs framework/contract/api.md');
    expect(text.out).toMatch(/\+ added +fresh +minor/);
    expect(text.out).toMatch(/- removed +legacy +breaking {2}\(NOT RECORDED in api_changes\)/);
    expect(text.out).toMatch(/~ changed +contract +breaking/);
    expect(text.out).toContain('      - const contract: 1');
    const json = await run(root, 'api', 'diff', '--base', 'HEAD', '--format', 'json');
    expect(json.code).toBe(1);
    const parsed = JSON.parse(json.out) as { modules: { module: string; baseline: string; unrecorded: string[] }[] };
    expect(parsed.modules.find((m) => m.module === 'contract')).toMatchObject({
      baseline: 'HEAD:framework/contract/api.md',
      unrecorded: ['contract', 'legacy'],
    });
  });

  const usage: { title: string; argv: string[]; message: RegExp }[] = [
    { title: 'a missing subcommand', argv: ['api'], message: /missing subcommand/ },
    { title: 'an unknown module', argv: ['api', 'snapshot', '--module', 'nope'], message: /no module named 'nope'/ },
    {
      title: 'a module with no index.ts',
      argv: ['api', 'snapshot', '--module', 'router'],
      message: /module 'router' is declared, not implemented: framework\/router\/index\.ts does not exist/,
    },
    { title: 'a tooling module', argv: ['api', 'diff', '--module', 'tools'], message: /'tools' is a tooling module/ },
    {
      title: 'a ref that names no commit',
      argv: ['api', 'diff', '--base', 'no-such-ref'],
      message: /'no-such-ref' does not name a commit/,
    },
  ];
  for (const u of usage) {
    it(`exits 2 on ${u.title}`, async () => {
      const { code, err } = await run(fixture(), ...u.argv);
      expect(code).toBe(2);
      expect(err).toMatch(u.message);
    });
  }

  it('regenerates a hand-edited snapshot from the code', async () => {
    const root = fixture();
    await run(root, 'api', 'snapshot', '--module', 'contract');
    const path = `${root}/framework/contract/api.md`;
    const original = readFileSync(path, 'utf8');
    writeFileSync(path, original.replace('```ts\nfunction legacy', 'I edited this\n```ts\nfunction legacy'));
    const { code, out } = await run(root, 'api', 'snapshot', '--module', 'contract');
    expect(code).toBe(0);
    expect(out).toMatch(/^written {4}framework\/contract\/api\.md$/m);
    expect(readFileSync(path, 'utf8')).toBe(original);
  });
});
