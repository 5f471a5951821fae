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

  it('--counts-only prints the counts without any miss, as text and as JSON', async () => {
    const root = fixture();
    const cases = `${root}/cases.yaml`;
    const { writeFileSync } = await import('node:fs');
    writeFileSync(cases, 'cases:\n  - { part: a, ask: "negotiate the API version", expect: contract }\n');
    const text = await run(root, 'route', '--eval', '--cases', cases, '--counts-only');
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/^all\s+1 cases\s+top-1\s+0\.0%/m);
    expect(text.out).not.toContain('negotiate');
    const json = await run(root, 'route', '--eval', '--cases', cases, '--counts-only', '--json');
    expect(JSON.parse(json.out)).toMatchObject({ all: { total: 1, top1: 0 } });
    expect(json.out).not.toContain('misses');
    expect(JSON.parse((await run(root, 'route', '--eval', '--cases', cases, '--json')).out).misses).toHaveLength(1);
  });

  it.each([
    ['a missing file', null, /nope\.yaml: cannot read the case file/],
    ['broken YAML', 'cases:\n  - { part: a, ask: "x", expect: [contract }\n', /cases\.yaml:2:\d+: malformed YAML/],
    [
      'a case without expect',
      'cases:\n  - { part: a, ask: "x" }\n',
      /cases\.yaml:2:5: case 1 needs a non-empty string for expect/,
    ],
    [
      'an unknown module',
      'cases:\n  - { part: a, ask: "x", expect: x/nosuch }\n',
      /cases\.yaml:2: expects "x\/nosuch"/,
    ],
  ])(
    '--eval over a case file with %s: a located message and exit 2, never an internal error',
    async (_t, text, message) => {
      const root = fixture();
      const { writeFileSync } = await import('node:fs');
      const cases = text === null ? `${root}/nope.yaml` : `${root}/cases.yaml`;
      if (text !== null) writeFileSync(cases, text);
      const r = await run(root, 'route', '--eval', '--cases', cases);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.err).not.toMatch(/internal error/);
      expect(r.out).toBe('');
    },
  );

  it.each([
    ['--top 0', ['--top', '0', 'route']],
    ['--counts-only without --eval', ['--counts-only', 'route']],
    ['--cases without --eval', ['--cases', 'x.yaml', 'route']],
    ['--top 1.5', ['--top', '1.5', 'route']],
    ['a description with --table', ['--table', 'route']],
  ])('rejects %s with exit 2', async (_title, args) => {
    expect((await run(fixture(), 'route', ...args)).code).toBe(2);
  });
});
