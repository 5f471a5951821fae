import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, useFixtureRepos } from '../cli/testing/run-cli.ts';
import { scaffoldProject } from './scaffold-project.ts';

let dirs: string[] = [];
afterEach(() => {
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
  dirs = [];
});
const newService = (): string => {
  const parent = mkdtempSync(join(tmpdir(), 'plumego-generate-'));
  dirs.push(parent);
  const dir = join(parent, 'shop');
  scaffoldProject({ dir, template: 'standard' });
  return dir;
};
const read = (dir: string, file: string): string => readFileSync(join(dir, file), 'utf8');

describe('plumego generate in a service (minimal profile)', () => {
  it('adds a module, a middleware and a handler and leaves plumego check clean', async () => {
    const dir = newService();
    const mod = await runCli(dir, 'generate', 'module', 'billing', '--summary', 'Invoices and their totals.');
    expect(mod.code, mod.err).toBe(0);
    expect(mod.out).toMatch(/src\/billing\/module\.yaml[\s\S]*src\/billing\/index\.test\.ts/);
    expect(read(dir, 'src/billing/module.yaml')).toMatch(/^name: billing\npath: src\/billing\nlayer: stable$/m);
    expect((await runCli(dir, 'generate', 'middleware', 'require-tenant')).out).toMatch(/src\/require-tenant\.ts/);
    expect((await runCli(dir, 'generate', 'resource', 'projects')).out).toMatch(
      /src\/projects-resource\.ts\n  src\/projects-resource\.test\.ts/,
    );
    const handler = await runCli(dir, 'generate', 'handler', 'invoice', '--module', 'billing');
    expect(handler.out).toMatch(/src\/billing\/invoice-handler\.ts[\s\S]*src\/billing\/module\.yaml/);
    expect(read(dir, 'src/billing/module.yaml')).toMatch(/packages:\n {4}- name: plumego/);
    const check = await runCli(dir, 'check');
    expect(check.out).toMatch(/plumego check: clean .* over 2 modules/);
    expect(check.code).toBe(0);
  });

  it('refuses to overwrite anything and leaves the files as they were', async () => {
    const dir = newService();
    await runCli(dir, 'generate', 'middleware', 'audit');
    const before = read(dir, 'src/audit.ts');
    const again = await runCli(dir, 'generate', 'middleware', 'audit');
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/refusing to overwrite audit\.ts, audit\.test\.ts .*\[PLUMEGO_SCAFFOLD_EXISTS\]/);
    expect(read(dir, 'src/audit.ts')).toBe(before);
    await runCli(dir, 'generate', 'module', 'billing');
    expect((await runCli(dir, 'generate', 'module', 'billing')).err).toMatch(/module 'billing' already exists/);
  });

  it.each([
    { args: ['module', 'Billing'], why: /must be kebab-case/ },
    { args: ['middleware', 'rate_limit'], why: /must be kebab-case/ },
    { args: ['resource', 'Projects'], why: /must be kebab-case/ },
    { args: ['handler', 'x', '--module', 'nope'], why: /no module named 'nope'/ },
    { args: ['module', 'billing', '--summary', 'short'], why: /at least 10 characters/ },
  ])('refuses generate $args', async ({ args, why }) => {
    const run = await runCli(newService(), 'generate', ...args);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(why);
  });

  it('answers usage errors with exit code 2', async () => {
    const dir = newService();
    expect((await runCli(dir, 'generate')).err).toMatch(/missing what to generate/);
    expect((await runCli(dir, 'generate', 'controller', 'items')).err).toMatch(/unknown kind 'controller'/);
    expect((await runCli(dir, 'generate', 'module', 'a', 'b')).err).toMatch(/expected one name, got 2/);
    expect((await runCli(dir, 'generate', 'module', 'a', '--module', 'b')).err).toMatch(
      /--module applies to middleware and handler/,
    );
  });
});

describe('plumego generate in a full-profile repository', () => {
  const fixtureRepo = useFixtureRepos();

  it('adds an extension family, registers it in the taxonomy and task routing, syncs exports, and check stays clean', async () => {
    const root = fixtureRepo();
    const run = await runCli(root, 'generate', 'module', 'x/billing', '--summary', 'Invoices and payment capture');
    expect(run.code, run.err).toBe(0);
    expect(run.out).toMatch(/registered in specs\/extension-taxonomy\.yaml families/);
    expect(read(root, 'specs/extension-taxonomy.yaml')).toMatch(
      /- root: x\/billing\n {4}work_about: Invoices and payment capture\n {4}subordinates: \[\]/,
    );
    expect(read(root, 'specs/task-routing.yaml')).toMatch(
      /billing_work:\n {4}intent: Invoices and payment capture\n {4}modules:\n {6}- x\/billing/,
    );
    expect(JSON.parse(read(root, 'package.json')).exports['./x/billing']).toMatchObject({
      source: './framework/x/billing/index.ts',
    });
    const check = await runCli(root, 'check');
    expect(check.out).toMatch(/plumego check: clean/);
    expect(check.code).toBe(0);
  });

  it.each([
    { name: 'billing', why: /makes extension families, named x\/<family>/ },
    { name: 'x/rest', why: /module 'x\/rest' already exists/ },
    { name: 'x/rest/paging', why: /makes extension families/ },
    { name: 'x/utils', why: /'utils' is a discouraged name/ },
  ])('refuses the module $name', async ({ name, why }) => {
    const run = await runCli(fixtureRepo(), 'generate', 'module', name);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(why);
  });

  it('refuses middleware and handlers, which are service code', async () => {
    const run = await runCli(fixtureRepo(), 'generate', 'handler', 'items', '--module', 'router');
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/this repository uses the full profile/);
  });
});
