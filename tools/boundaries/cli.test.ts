import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { writeFixture } from '../control-plane/testing/fixture-repo.ts';
import { runCli } from '../cli/testing/run-cli.ts';
import { baseFiles } from './testing/boundary-fixture.ts';

const files = {
  ...baseFiles(),
  'specs/checks.yaml': 'checks:\n  - id: boundaries\n    summary: The boundary gate over the fixture repository.\n',
  'framework/contract/use.ts': "import { router } from 'fixture/router';\nexport const x = router;\n",
};

const run = (root: string, args: string[]): ReturnType<typeof runCli> => runCli(root, ...args);

describe('plumego check, explain and graph on a fixture repository', () => {
  it('gates, freezes in a baseline, reports the fixed entry as stale, and formats', { timeout: 90_000 }, async () => {
    const { root, cleanup } = writeFixture(files);
    try {
      const first = await run(root, ['check', '--no-cache']);
      expect(first.code).toBe(1);
      expect(first.out).toContain('✖ boundaries/default-deny (1)');
      expect(first.out).toContain('framework/contract/use.ts:1:24');

      const sarif = await run(root, ['check', '--format', 'sarif']);
      expect(sarif.code).toBe(1);
      expect(JSON.parse(sarif.out).runs[0].results[0].ruleId).toBe('boundaries/default-deny');
      const github = await run(root, ['check', '--format', 'github']);
      expect(github.out).toMatch(
        /^::error file=framework\/contract\/use\.ts,line=1,col=24,title=boundaries\/default-deny::/m,
      );

      expect((await run(root, ['check', '--update-baseline'])).code).toBe(0);
      expect(readFileSync(`${root}/specs/boundary-baseline.yaml`, 'utf8')).toContain('rule: default-deny');
      expect((await run(root, ['check'])).code).toBe(0);

      writeFileSync(`${root}/framework/contract/use.ts`, 'export const x = 1;\n');
      const fixed = await run(root, ['check']);
      expect(fixed.code).toBe(1);
      expect(fixed.out).toContain('boundaries/baseline-stale');
    } finally {
      cleanup();
    }
  });

  it('an invalid baseline is a configuration error (exit 2) with a hint, not a stack trace', async () => {
    const { root, cleanup } = writeFixture({ ...files, 'other-baseline.yaml': 'entries:\n  - { rule: x }\n' });
    try {
      const r = await run(root, ['check', '--baseline', 'other-baseline.yaml']);
      expect(r.code).toBe(2);
      expect(r.err).toContain('PLUMEGO_ERR_BASELINE_INVALID');
      expect(r.err).toContain('hint:');
      expect(r.err).not.toMatch(/\n\s+at /);
    } finally {
      cleanup();
    }
  });

  it('a broken tsconfig.json is a configuration error (exit 2)', async () => {
    const { root, cleanup } = writeFixture({ ...files, 'tsconfig.json': '{ "extends": "./missing-base.json" }\n' });
    try {
      const r = await run(root, ['check', '--no-cache']);
      expect(r.code).toBe(2);
      expect(r.err).toContain('PLUMEGO_ERR_TSCONFIG');
    } finally {
      cleanup();
    }
  });

  it('explain and graph answer with the right exit codes', async () => {
    const { root, cleanup } = writeFixture(files);
    try {
      const denied = await run(root, ['explain', 'contract', 'router']);
      expect(denied.code).toBe(1);
      expect(denied.out).toContain('contract → router: DENIED by default-deny');
      expect(denied.out).toContain('framework/contract/use.ts:1');
      expect((await run(root, ['explain', 'router', 'contract', '--format', 'json'])).code).toBe(0);
      expect((await run(root, ['explain', 'nowhere', 'router'])).code).toBe(2);
      expect((await run(root, ['explain', 'router'])).code).toBe(2);
      const graph = await run(root, ['graph', '--format', 'json']);
      expect(graph.code).toBe(0);
      expect(JSON.parse(graph.out).edges).toEqual([
        { from: 'contract', to: 'router', kinds: ['import'], count: 1, allowed: false },
      ]);
      expect((await run(root, ['check', '--base', 'main'])).code).toBe(2);
      const notGit = await run(root, ['check', '--changed']);
      expect(notGit.code).toBe(2);
      expect(notGit.err).toContain('hint:');
    } finally {
      cleanup();
    }
  });
});
