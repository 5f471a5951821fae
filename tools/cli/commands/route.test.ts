import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { runCli, useFixtureRepos } from '../testing/run-cli.ts';

const fixture = useFixtureRepos();

const run = runCli;

describe('plumego route', () => {
  it('names the owner, its task and why (exit 0)', async () => {
    const { code, out } = await run(fixture(), 'route', 'negotiate', 'the', 'API', 'version');
    expect(code).toBe(0);
    expect(out).toMatch(/^owner\s+x\/rest\/versioning/m);
    expect(out).toMatch(/^why\s+/m);
  });

  it('--json prints the answer object', async () => {
    const { code, out } = await run(fixture(), 'route', '--json', 'change an HTTP route');
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ kind: 'answer', task: { key: 'http_endpoint' } });
  });

  it.each([
    ['an empty description', ''],
    ['a nonsense description', 'qwzx vbnm'],
  ])('%s is refused with the routing rules and exit 2', async (_title, ask) => {
    const { code, out, err } = await run(fixture(), 'route', ask);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toContain('Routing rules (specs/task-routing.yaml)');
    expect(err).toContain('Stable Roots');
  });

  it('--table prints the routing export, valid against its schema', async () => {
    const { code, out } = await run(fixture(), 'route', '--table');
    expect(code).toBe(0);
    const schema = JSON.parse(
      readFileSync(new URL('../../../specs/schemas/routing-export.schema.json', import.meta.url), 'utf8'),
    ) as object;
    const validate = new Ajv({ strict: true }).compile(schema);
    expect(validate(JSON.parse(out))).toBe(true);
  });

  it('--eval reports accuracy and --min-top1 turns a shortfall into exit 1', async () => {
    const root = fixture();
    const cases = `${root}/cases.yaml`;
    const { writeFileSync } = await import('node:fs');
    writeFileSync(
      cases,
      'cases:\n  - { part: a, ask: "negotiate the API version", expect: x/rest/versioning }\n  - { part: a, ask: "negotiate the API version", expect: contract }\n',
    );
    const ok = await run(root, 'route', '--eval', '--cases', cases);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^all\s+2 cases\s+top-1\s+50\.0%/m);
    expect((await run(root, 'route', '--eval', '--cases', cases, '--min-top1', '90')).code).toBe(1);
  });

  it.each([
    ['--top 0', ['--top', '0', 'route']],
    ['--top 1.5', ['--top', '1.5', 'route']],
    ['a description with --table', ['--table', 'route']],
  ])('rejects %s with exit 2', async (_title, args) => {
    expect((await run(fixture(), 'route', ...args)).code).toBe(2);
  });
});
