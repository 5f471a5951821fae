import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli, useFixtureRepos } from '../testing/run-cli.ts';

const fixture = useFixtureRepos();

const run = runCli;

describe('plumego bundle', () => {
  it('prints the bundle as YAML by default', async () => {
    const { code, out } = await run(fixture(), 'bundle', '--task', 'http_endpoint', '--module', 'router');
    expect(code).toBe(0);
    const bundle = parse(out) as { task: { key: string }; module: { name: string }; gate: { commands: string[] } };
    expect(bundle.task.key).toBe('http_endpoint');
    expect(bundle.module.name).toBe('router');
    expect(bundle.gate.commands.join('\n')).toContain('framework/router');
  });

  it('--format json prints JSON', async () => {
    const { code, out } = await run(fixture(), 'bundle', '--module', 'x/rest', '--format', 'json');
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ task: { key: 'resource_api' }, module: { name: 'x/rest' } });
  });

  it('an unknown task lists the valid tasks (exit 2)', async () => {
    const { code, err } = await run(fixture(), 'bundle', '--task', 'nope');
    expect(code).toBe(2);
    expect(err).toContain("unknown task 'nope'");
    expect(err).toMatch(/Valid tasks:\n {2}http_endpoint\n {2}resource_api\n {2}tooling/);
  });

  it('an unknown module lists the valid modules (exit 2)', async () => {
    const { code, err } = await run(fixture(), 'bundle', '--task', 'http_endpoint', '--module', 'routr');
    expect(code).toBe(2);
    expect(err).toContain('Valid modules:');
    expect(err).toContain('  router\n');
  });

  it('no --task and no --module is a usage error (exit 2)', async () => {
    expect((await run(fixture(), 'bundle')).code).toBe(2);
    expect((await run(fixture(), 'bundle', '--task', 'http_endpoint', '--format', 'xml')).code).toBe(2);
  });
});
