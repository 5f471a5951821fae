import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cachedYaml, MAX_ALIAS_COUNT, parseYaml, readSpecText, readYaml } from './read-yaml.ts';
import { ConfigError } from './violation.ts';

const TEXT = [
  'name: demo',
  'list:',
  '  - first',
  '  - { id: second, tags: [a, b] }',
  'nested:',
  '  deep:',
  '    value: 42',
  "  '7': seven",
  'empty:',
  '',
].join('\n');

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('parseYaml positions', () => {
  // Parsed in each test, not in the describe body: code run while a file loads is "static" to
  // mutation testing, which then re-runs every test of the target for each mutant in it.
  const doc = (): ReturnType<typeof parseYaml> => parseYaml('spec.yaml', TEXT);

  it('parses the data', () => {
    const y = doc();
    expect(y.data).toEqual({
      name: 'demo',
      list: ['first', { id: 'second', tags: ['a', 'b'] }],
      nested: { deep: { value: 42 }, '7': 'seven' },
      empty: null,
    });
    expect(y.file).toBe('spec.yaml');
  });

  it('locates values, keys, sequence items and numeric keys', () => {
    const y = doc();
    expect(y.locate()).toEqual({ file: 'spec.yaml', line: 1, column: 1 });
    expect(y.locate(['name'])).toEqual({ file: 'spec.yaml', line: 1, column: 7 });
    expect(y.locate(['name'], { key: true })).toEqual({ file: 'spec.yaml', line: 1, column: 1 });
    expect(y.locate(['list', 0])).toEqual({ file: 'spec.yaml', line: 3, column: 5 });
    expect(y.locate(['list', 1, 'tags', 1])).toEqual({ file: 'spec.yaml', line: 4, column: 29 });
    expect(y.locate(['nested', 'deep', 'value'])).toEqual({ file: 'spec.yaml', line: 7, column: 12 });
    expect(y.locate(['nested', 'deep', 'value'], { key: true })).toEqual({ file: 'spec.yaml', line: 7, column: 5 });
    expect(y.locate(['nested', 7])).toEqual({ file: 'spec.yaml', line: 8, column: 8 });
  });

  it('falls back to the nearest existing ancestor', () => {
    const y = doc();
    expect(y.locate(['nested', 'deep', 'missing'])).toEqual(y.locate(['nested', 'deep']));
    expect(y.locate(['list', 5])).toEqual(y.locate(['list']));
    expect(y.locate(['name', 'below-a-scalar'])).toEqual(y.locate(['name']));
    expect(y.locate(['list', 'not-an-index'])).toEqual(y.locate(['list']));
    expect(y.locate(['empty'])).toEqual({ file: 'spec.yaml', line: 9, column: 7 });
    expect(y.locate(['empty'], { key: true })).toEqual({ file: 'spec.yaml', line: 9, column: 1 });
  });

  it('answers the same positions from a cached file, parsing only when asked', () => {
    const y = doc();
    const cached = cachedYaml('spec.yaml', TEXT, { from: 'cache' });
    expect(cached.data).toEqual({ from: 'cache' });
    for (const path of [[], ['name'], ['list', 1, 'tags', 1], ['nested', 'deep', 'missing']] as (string | number)[][]) {
      expect(cached.locate(path)).toEqual(y.locate(path));
    }
    expect(cached.locate(['nested', 'deep', 'value'], { key: true })).toEqual({
      file: 'spec.yaml',
      line: 7,
      column: 5,
    });
  });
});

describe('parseYaml errors', () => {
  it('reports a syntax error at its line and column', () => {
    const e = configError(() => parseYaml('bad.yaml', 'a: 1\nb: [1, 2\nc: 3\n'));
    expect(e).toMatchObject({ code: 'PLUMEGO_ERR_YAML_SYNTAX', file: 'bad.yaml' });
    expect(e.line).toBeGreaterThanOrEqual(2);
    expect(e.column).toBeGreaterThan(0);
    expect(e.message.split('\n')).toHaveLength(1);
  });

  it('refuses a duplicate key', () => {
    expect(configError(() => parseYaml('dup.yaml', 'a: 1\na: 2\n'))).toMatchObject({
      code: 'PLUMEGO_ERR_YAML_SYNTAX',
      line: 2,
    });
  });

  it('expands an ordinary alias', () => {
    expect(parseYaml('ok.yaml', 'a: &x [1, 2]\nb: *x\n').data).toEqual({ a: [1, 2], b: [1, 2] });
  });

  it('refuses an alias without an anchor, at the alias', () => {
    const e = configError(() => parseYaml('alias.yaml', 'a: 1\nb:\n  c: *nowhere\n'));
    expect(e).toMatchObject({ code: 'PLUMEGO_ERR_YAML_ALIAS', file: 'alias.yaml', line: 3, column: 6 });
    expect(e.hint).toContain('&nowhere');
  });

  it('refuses an alias inside its own anchor, at the alias', () => {
    expect(configError(() => parseYaml('loop.yaml', 'a: 1\nb: &x [1, *x]\n'))).toMatchObject({
      code: 'PLUMEGO_ERR_YAML_ALIAS',
      line: 2,
      column: 11,
    });
    expect(configError(() => parseYaml('loop.yaml', 'b: &x { k: *x }\n'))).toMatchObject({
      code: 'PLUMEGO_ERR_YAML_ALIAS',
      line: 1,
    });
  });

  it(`refuses aliases expanding past ${MAX_ALIAS_COUNT} nodes`, () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]',
      '',
    ].join('\n');
    const e = configError(() => parseYaml('bomb.yaml', bomb));
    expect(e.code).toBe('PLUMEGO_ERR_YAML_ALIAS');
    expect(e.line).toBeGreaterThan(1);
    // Shared (non-nested) aliases below the limit are fine.
    expect(() => parseYaml('fine.yaml', 'a: &a [x]\nb: [*a, *a, *a]\n')).not.toThrow();
  });
});

describe('reading spec files', () => {
  const root = mkdtempSync(join(tmpdir(), 'plumego-read-yaml-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  writeFileSync(join(root, 'spec.yaml'), TEXT);
  mkdirSync(join(root, 'adir'));

  it('reads and parses a file relative to the root', async () => {
    const y = await readYaml(root, 'spec.yaml');
    expect(y.file).toBe('spec.yaml');
    expect((y.data as { name: string }).name).toBe('demo');
    expect(await readSpecText(root, 'spec.yaml')).toBe(TEXT);
  });

  it('turns a missing or unreadable file into a located configuration error', async () => {
    const missing = await readSpecText(root, 'gone.yaml').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ConfigError);
    expect(missing).toMatchObject({
      code: 'PLUMEGO_ERR_SPEC_UNREADABLE',
      file: 'gone.yaml',
      message: 'gone.yaml: cannot read: file not found',
    });
    const dir = await readYaml(root, 'adir').catch((e: unknown) => e);
    expect(dir).toMatchObject({ code: 'PLUMEGO_ERR_SPEC_UNREADABLE', file: 'adir' });
    expect((dir as Error).message).not.toContain('file not found');
  });
});
