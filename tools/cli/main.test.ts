import { describe, expect, it } from 'vitest';
import { COMMANDS } from './commands/index.ts';
import { runCli, useFixtureRepos } from './testing/run-cli.ts';

const fixture = useFixtureRepos();
const run = runCli;

const STACK_LINE = /^\s+at .+\(.*:\d+:\d+\)$/m;

describe('plumego CLI', () => {
  it('prints help with every command and exits 2 without a command', async () => {
    const { code, out } = await run(fixture());
    expect(code).toBe(2);
    for (const c of COMMANDS) expect(out).toContain(c.name);
  });

  it.each(COMMANDS.map((c) => c.name))('%s --help prints its usage and exits 0', async (name) => {
    const { code, out } = await run(fixture(), name, '--help');
    expect(code).toBe(0);
    expect(out).toMatch(new RegExp(`Usage: plumego ${name}`));
  });

  it('lists each command under the name its module answers to', async () => {
    for (const entry of COMMANDS) expect((await entry.load()).name).toBe(entry.name);
  });

  it('rejects an unknown command with exit 2', async () => {
    const { code, err } = await run(fixture(), 'frobnicate');
    expect(code).toBe(2);
    expect(err).toContain("unknown command 'frobnicate'");
  });

  it('rejects an unknown flag with the usage and exit 2', async () => {
    const { code, err } = await run(fixture(), 'check', '--strict');
    expect(code).toBe(2);
    expect(err).toMatch(/Unknown option '--strict'/);
    expect(err).toContain('Usage: plumego check');
  });

  it('check --no-cache reads every spec again instead of trusting the spec cache', async () => {
    const root = fixture();
    expect((await run(root, 'check')).code).toBe(0);
    // Make the cache lie: an invalid manifest whose content hash is recorded as valid.
    const { readFileSync, writeFileSync } = await import('node:fs');
    const { hashText } = await import('../cache/index.ts');
    const file = 'framework/contract/module.yaml';
    const bad = readFileSync(`${root}/${file}`, 'utf8').replace(/^risk: .*$/m, 'risk: enormous');
    writeFileSync(`${root}/${file}`, bad);
    const cachePath = `${root}/node_modules/.cache/plumego/specs.json`;
    const cache = JSON.parse(readFileSync(cachePath, 'utf8')) as {
      entries: Record<string, { hash: string; data: { risk: string }; valid: string[] }>;
    };
    cache.entries[file] = { ...cache.entries[file]!, hash: hashText(bad) };
    writeFileSync(cachePath, JSON.stringify(cache));
    expect((await run(root, 'check')).code).toBe(0);
    const fresh = await run(root, 'check', '--no-cache');
    expect(fresh.code).toBe(1);
    expect(fresh.out).toContain('"enormous" is not one of');
  });

  it('check exits 0 and says clean on a valid repository', async () => {
    const { code, out } = await run(fixture(), 'check');
    expect(code).toBe(0);
    expect(out).toMatch(/plumego check: clean — 5 checks/);
  });

  it('check exits 1 and reports location, rationale and fix for a violation', async () => {
    const root = fixture((f) => {
      (f['framework/router/module.yaml'] as { name: string }).name = 'routing';
    });
    const { code, out } = await run(root, 'check');
    expect(code).toBe(1);
    expect(out).toMatch(/✖ manifests\/name-matches-path \(1\)/);
    expect(out).toMatch(/why: /);
    expect(out).toMatch(/framework\/router\/module.yaml:1:7 {2}module name 'routing' does not match its folder/);
    expect(out).toMatch(/fix: Rename the module/);
  });

  it('check --format json is machine-readable', async () => {
    const root = fixture((f) => {
      (f['framework/router/module.yaml'] as { risk: string }).risk = 'severe';
    });
    const { code, out } = await run(root, 'check', '--format', 'json');
    expect(code).toBe(1);
    const report = JSON.parse(out) as {
      summary: { errors: number };
      violations: { rule: string; file: string; line: number }[];
    };
    expect(report.summary.errors).toBe(1);
    expect(report.violations[0]).toMatchObject({ rule: 'schema/enum', file: 'framework/router/module.yaml' });
  });

  it('check exits 2 on malformed YAML with file:line:column and no stack trace', async () => {
    const root = fixture((f) => {
      f['specs/releases.yaml'] = 'releases:\n  - version: v1.0.0\n    date: [2026\n';
    });
    const { code, err } = await run(root, 'check');
    expect(code).toBe(2);
    expect(err).toMatch(/specs\/releases.yaml:\d+:\d+: malformed YAML/);
    expect(err).toMatch(/hint: /);
    expect(err).not.toMatch(STACK_LINE);
  });

  it('check exits 2 when specs/checks.yaml lists a check no tool implements', async () => {
    const root = fixture((f) => {
      (f['specs/checks.yaml'] as { checks: object[] }).checks.push({
        id: 'telepathy',
        summary: "Reads the author's mind.",
      });
    });
    const { code, err } = await run(root, 'check');
    expect(code).toBe(2);
    expect(err).toMatch(/specs\/checks.yaml:\d+:\d+: check 'telepathy' is listed but no tool implements it/);
  });

  it('check --only runs a subset and rejects ids the spec does not list', async () => {
    const root = fixture();
    expect((await run(root, 'check', '--only', 'layout')).out).toMatch(/1 checks \(layout\)/);
    const bad = await run(root, 'check', '--only', 'nope');
    expect(bad.code).toBe(2);
  });

  it('exits 2 outside a repository', async () => {
    const root = fixture((f) => {
      delete f['specs/repo.yaml'];
    });
    const { code, err } = await run(root, 'status');
    expect(code).toBe(2);
    expect(err).toMatch(/no specs\/repo.yaml/);
  });

  it('--root points the CLI at another directory', async () => {
    const root = fixture();
    expect((await run('/', '--root', root, 'check')).code).toBe(0);
  });

  it('status lists every module with tier and implementation state', async () => {
    const root = fixture();
    const text = await run(root, 'status');
    expect(text.code).toBe(0);
    expect(text.out).toMatch(
      /x\/rest\/versioning\s+extension\s+experimental\s+—\s+@fixture\/team\s+low\s+declared, not implemented/,
    );
    expect(text.out).toMatch(/7 modules: 3 ga, 1 beta, 3 experimental; 5 declared, not implemented/);
    const json = JSON.parse((await run(root, 'status', '--json')).out) as {
      modules: { name: string; tier: string; implemented: boolean }[];
    };
    expect(json.modules.find((m) => m.name === 'contract')).toMatchObject({ tier: 'ga', implemented: true });
    const filtered = JSON.parse((await run(root, 'status', '--json', '--tier', 'beta')).out) as {
      modules: { name: string }[];
    };
    expect(filtered.modules.map((m) => m.name)).toEqual(['x/rest']);
  });

  it('sync --check fails on drift, sync fixes it, and the README table is generated', async () => {
    const root = fixture((f) => {
      f['README.md'] =
        '# Fixture\n\n<!-- plumego:modules:start (generated from module.yaml files by `plumego sync` — do not edit) -->\nstale\n<!-- plumego:modules:end -->\n';
    });
    const before = await run(root, 'sync', '--check');
    expect(before.code).toBe(1);
    expect(before.out).toMatch(/STALE\s+README.md/);
    expect(before.out).toMatch(/STALE\s+package.json/);
    expect((await run(root, 'sync')).code).toBe(0);
    const after = await run(root, 'sync', '--check');
    expect(after.code).toBe(0);
    const { readFixtureFile } = await import('../control-plane/testing/fixture-repo.ts');
    const readme = readFixtureFile(root, 'README.md');
    expect(readme).toContain(
      '| `x/rest/versioning` | extension | experimental | — | @fixture/team | declared, not implemented |',
    );
    const pkg = JSON.parse(readFixtureFile(root, 'package.json')) as { exports: Record<string, unknown> };
    // Only implemented library modules are exported: the facade and contract.
    expect(Object.keys(pkg.exports)).toEqual(['.', './contract']);
  });
});

describe('README', () => {
  it('documents every CLI command', async () => {
    const { readFileSync } = await import('node:fs');
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const c of COMMANDS) expect(readme).toContain(`\`plumego ${c.name}`);
  });
});
