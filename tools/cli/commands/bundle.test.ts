import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { validFixture, writeFixture } from '../../control-plane/testing/fixture-repo.ts';
import { main } from '../main.ts';

let cleanups: (() => void)[] = [];
afterEach(() => { cleanups.forEach((c) => c()); cleanups = []; });

function fixture(): string {
  const { root, cleanup } = writeFixture(validFixture());
  cleanups.push(cleanup);
  return root;
}

async function run(cwd: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { cwd, stdout: (t) => { out += t; }, stderr: (t) => { err += t; } });
  return { code, out, err };
}

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
