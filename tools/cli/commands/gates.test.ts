import { readFileSync, writeFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commitAll, git, runCli, useFixtureRepos } from '../testing/run-cli.ts';

const validateReport = new Ajv({ strict: true, allErrors: true }).compile(
  JSON.parse(
    readFileSync(new URL('../../../specs/schemas/gate-report.schema.json', import.meta.url), 'utf8'),
  ) as object,
);

const fixtureRepo = useFixtureRepos();

function fixture(withGit: boolean, gateSpec?: (text: string) => string): string {
  const root = fixtureRepo((files) => {
    if (gateSpec) files['specs/gate-profiles.yaml'] = gateSpec(files['specs/gate-profiles.yaml'] as string);
  });
  if (withGit) commitAll(root);
  return root;
}

const run = runCli;

describe('plumego gates', () => {
  it('with no changes there is nothing to gate', async () => {
    const { code, out } = await run(fixture(true), 'gates');
    expect(code).toBe(0);
    expect(out).toContain('nothing to gate');
  });

  it('a stable-root change prints the stable-root gate with the module filled in', async () => {
    const root = fixture(true);
    writeFileSync(join(root, 'framework/router/match.ts'), 'export const match = 1;\n');
    const { code, out } = await run(root, 'gates');
    expect(code).toBe(0);
    expect(out).toMatch(/^profile\s+stable_root_change/m);
    expect(out).toContain('  npx vitest run --passWithNoTests framework/router');
  });

  it('--json carries the selection; --dry-run runs nothing', async () => {
    const root = fixture(true);
    writeFileSync(join(root, 'README.md'), '# docs\n');
    const { code, out } = await run(root, 'gates', '--dry-run', '--json');
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({
      mode: 'dry-run',
      profile: { id: 'docs_only' },
      commands: ['npx plumego sync --check'],
    });
    expect(JSON.parse(out).runs).toBeUndefined();
    validateReport(JSON.parse(out));
    expect(validateReport.errors ?? []).toEqual([]);
  });

  it('--base compares with the fork point of a branch', async () => {
    const root = fixture(true);
    git(root, 'checkout', '-q', '-b', 'feature');
    writeFileSync(
      join(root, 'specs/releases.yaml'),
      'releases:\n  - { version: v1.0.0, date: "2026-01-01", summary: First stable release. }\n',
    );
    git(root, 'commit', '-q', '-am', 'spec change');
    const { code, out } = await run(root, 'gates', '--base', 'main');
    expect(code).toBe(0);
    expect(out).toMatch(/^profile\s+control_plane_change/m);
  });

  it('a --base that does not exist is exit 2 with a hint', async () => {
    const { code, err } = await run(fixture(true), 'gates', '--base', 'no-such-ref');
    expect(code).toBe(2);
    expect(err).toContain("--base 'no-such-ref' is not a commit");
    expect(err).toContain('hint:');
  });

  it('a repository without git is exit 2', async () => {
    const { code, err } = await run(fixture(false), 'gates');
    expect(code).toBe(2);
    expect(err).toContain('not inside a git repository');
  });

  it('--run runs the commands and reports a status table with the first failure (exit 1)', async () => {
    const root = fixture(true, (text) =>
      text.replace(/id: docs_only\n(.*\n)*?    commands:\n      - npx plumego sync --check/, (block) =>
        block.replace(
          '- npx plumego sync --check',
          `- node -e "process.exit(0)"\n      - node -e "console.log('stale README table error'); process.exit(1)"`,
        ),
      ),
    );
    writeFileSync(join(root, 'README.md'), '# docs\n');
    const { code, out, err } = await run(root, 'gates', '--run');
    expect(err).toBe('');
    expect(code).toBe(1);
    expect(out).toMatch(/^command\s+status\s+time\s+first failure/m);
    expect(out).toMatch(/node -e "process.exit\(0\)"\s+pass/);
    expect(out).toContain('stale README table error');
    expect(out).toContain('1 of 2 commands failed');
    const json = await run(root, 'gates', '--run', '--json');
    expect(json.code).toBe(1);
    validateReport(JSON.parse(json.out));
    expect(validateReport.errors ?? []).toEqual([]);
    expect(JSON.parse(json.out)).toMatchObject({
      mode: 'run',
      passed: false,
      runs: [{ status: 'pass' }, { status: 'fail', failure: 'stale README table error' }],
    });
  });

  it('--run and --dry-run together are a usage error', async () => {
    expect((await run(fixture(true), 'gates', '--run', '--dry-run')).code).toBe(2);
  });
});
