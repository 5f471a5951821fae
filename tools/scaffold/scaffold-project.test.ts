import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../cli/testing/run-cli.ts';
import { TEMPLATES } from './catalog.ts';
import { readPlumegoPackage } from './package-info.ts';
import { getOutputPath, renderText } from './render-template.ts';
import { scaffoldProject } from './scaffold-project.ts';

let dirs: string[] = [];
afterEach(() => {
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
  dirs = [];
});
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'plumego-scaffold-'));
  dirs.push(dir);
  return dir;
};
const pkg = readPlumegoPackage();

describe('plumego new', () => {
  it.each(TEMPLATES.map((t) => t.name))(
    'scaffolds the %s template into a project that plumego check finds clean',
    async (template) => {
      const dir = join(tempDir(), 'orders-api');
      const result = scaffoldProject({ dir, template, date: '2026-01-02' });
      expect(result.files).toEqual(
        expect.arrayContaining([
          '.env.example',
          '.gitignore',
          'README.md',
          'module.yaml',
          'package.json',
          'specs/repo.yaml',
          'src/main.ts',
          'src/service.ts',
          'tsconfig.json',
        ]),
      );
      expect(result.files.some((f) => f.endsWith('.test.ts'))).toBe(true);
      expect(result.files.some((f) => f.endsWith('.tpl') || f.includes('dot-'))).toBe(false);
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name: string;
        dependencies: Record<string, string>;
        devDependencies: Record<string, string>;
      };
      expect(manifest.name).toBe('orders-api');
      expect(manifest.dependencies['plumego']).toBe(`^${pkg.version}`);
      expect(manifest.devDependencies['vitest']).toBe(pkg.versions['vitest']);
      for (const file of result.files) expect(readFileSync(join(dir, file), 'utf8')).not.toMatch(/\{\{/);
      const check = await runCli(dir, 'check');
      expect(check.err).toBe('');
      expect(check.out).toMatch(/plumego check: clean/);
      expect(check.code).toBe(0);
    },
  );

  it('makes plumego check fail once the project breaks its own manifest', async () => {
    const dir = join(tempDir(), 'svc');
    scaffoldProject({ dir, template: 'minimal' });
    const manifest = readFileSync(join(dir, 'module.yaml'), 'utf8');
    writeFileSync(join(dir, 'module.yaml'), manifest.replace(/^allowed_imports:\n(  .*\n)+/m, ''));
    const check = await runCli(dir, 'check');
    expect(check.code).toBe(1);
    expect(check.out).toMatch(/module\.yaml.*allowed_imports/);
  });

  it('refuses a non-empty directory and writes nothing into it', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'notes.txt'), 'keep me');
    expect(() => scaffoldProject({ dir, name: 'svc' })).toThrow(
      expect.objectContaining({ code: 'PLUMEGO_SCAFFOLD_EXISTS' }),
    );
    expect(readdirSync(dir)).toEqual(['notes.txt']);
  });

  it.each(['Orders', '1api', 'a b', 'svc-', '../up', '@scope/x', ''])('refuses the package name %j', (name) => {
    expect(() => scaffoldProject({ dir: join(tempDir(), 'x'), name })).toThrow(
      expect.objectContaining({ code: 'PLUMEGO_SCAFFOLD_BAD_NAME' }),
    );
  });

  it('refuses an unknown template, naming the known ones', () => {
    expect(() => scaffoldProject({ dir: join(tempDir(), 'svc'), template: 'huge' })).toThrow(
      /unknown template 'huge' \(use one of: minimal, standard/,
    );
  });

  it('refuses a template whose families this plumego does not export', () => {
    const template = TEMPLATES.find((t) => t.requires.length > 0);
    const old = { ...pkg, exports: ['.', './core'] };
    const dir = join(tempDir(), 'svc');
    if (template) {
      expect(() => scaffoldProject({ dir, template: template.name, pkg: old })).toThrow(
        expect.objectContaining({ code: 'PLUMEGO_SCAFFOLD_TEMPLATE_UNAVAILABLE' }),
      );
      expect(existsSync(dir)).toBe(false);
    }
  });

  it('fails on a template variable that has no value instead of writing it empty', () => {
    expect(renderText('name: {{name}}', { name: 'svc' }, 'a')).toBe('name: svc');
    expect(() => renderText('v: {{version:left-pad}}', { name: 'svc' }, 'package.json')).toThrow(
      /package\.json: template variable \{\{version:left-pad\}\} has no value/,
    );
  });

  it('maps dot- names to dotfiles and strips .tpl', () => {
    expect(getOutputPath('dot-gitignore.tpl')).toBe('.gitignore');
    expect(getOutputPath('src/service.ts.tpl')).toBe('src/service.ts');
    expect(getOutputPath('docs/dot-env.example.tpl')).toBe('docs/.env.example');
  });

  it('answers usage errors of the command with exit code 2', async () => {
    const cwd = tempDir();
    expect((await runCli(cwd, 'new')).code).toBe(2);
    expect((await runCli(cwd, 'new', 'a', 'b')).err).toMatch(/expected one directory, got 2/);
    const bad = await runCli(cwd, 'new', 'svc', '--template', 'nope');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/\[PLUMEGO_SCAFFOLD_UNKNOWN_TEMPLATE\]/);
    const good = await runCli(cwd, 'new', 'svc', '--template', 'minimal', '--plumego', 'file:../plumego.tgz');
    expect(good.code).toBe(0);
    expect(JSON.parse(readFileSync(join(cwd, 'svc/package.json'), 'utf8')).dependencies.plumego).toBe(
      'file:../plumego.tgz',
    );
  });
});
