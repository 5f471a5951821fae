/**
 * The composite GitHub Action (.github/actions/plumego-check): its shell steps run here as the
 * runner would run them — inputs and step outputs substituted, $GITHUB_OUTPUT a file — against a
 * repository adopted with `plumego init`, so the SARIF file, the annotations and the exit code are
 * the real ones. The upload step is a `uses:` step; its inputs are checked.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { writeFixture } from '../control-plane/testing/fixture-repo.ts';
import { LAYOUTS } from '../init/testing/layouts.ts';
import { runCli } from './testing/run-cli.ts';

interface Step {
  id?: string;
  name: string;
  run?: string;
  uses?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}
interface Action {
  runs: { using: string; steps: Step[] };
  inputs: Record<string, { default: string }>;
  outputs: Record<string, { value: string }>;
}

const ACTION = parse(
  readFileSync(new URL('../../.github/actions/plumego-check/action.yml', import.meta.url), 'utf8'),
) as Action;
const BIN = fileURLToPath(new URL('./bin.mjs', import.meta.url));

let cleanups: (() => void)[] = [];
afterEach(() => {
  cleanups.forEach((c) => c());
  cleanups = [];
});

/** Runs the action's shell steps in `root`; returns each step's output and the last step's exit code. */
function runAction(
  root: string,
  inputs: Record<string, string>,
): { outputs: string[]; exitCode: number; stepOutputs: Record<string, string> } {
  const values: Record<string, string> = {
    ...Object.fromEntries(Object.entries(ACTION.inputs).map(([k, v]) => [k, v.default])),
    ...inputs,
  };
  const githubOutput = `${root}/.github-output`;
  writeFileSync(githubOutput, '');
  const stepOutputs: Record<string, string> = {};
  const substitute = (text: string): string =>
    text
      .replace(/\$\{\{\s*inputs\.([\w-]+)\s*\}\}/g, (_, k: string) => values[k] ?? '')
      .replace(/\$\{\{\s*steps\.sarif\.outputs\.([\w-]+)\s*\}\}/g, (_, k: string) => stepOutputs[k] ?? '');
  const outputs: string[] = [];
  let exitCode = 0;
  for (const step of ACTION.runs.steps) {
    if (!step.run) continue;
    const env = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, substitute(v)]));
    const result = spawnSync('bash', ['-e', '-c', step.run], {
      cwd: root,
      env: { ...process.env, ...env, GITHUB_OUTPUT: githubOutput },
      encoding: 'utf8',
    });
    outputs.push(`${result.stdout}${result.stderr}`);
    exitCode = result.status ?? -1;
    for (const line of readFileSync(githubOutput, 'utf8').split('\n')) {
      const at = line.indexOf('=');
      if (at > 0) stepOutputs[line.slice(0, at)] = line.slice(at + 1);
    }
  }
  return { outputs, exitCode, stepOutputs };
}

describe('the plumego-check GitHub Action', () => {
  it('is a composite action whose upload step sends the SARIF file it wrote', () => {
    expect(ACTION.runs.using).toBe('composite');
    const upload = ACTION.runs.steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif'));
    expect(upload?.with?.['sarif_file']).toBe('${{ inputs.sarif-file }}');
    expect(upload?.if).toContain('always()');
    expect(ACTION.outputs['exit-code']?.value).toBe('${{ steps.sarif.outputs.exit-code }}');
  });

  it('passes a clean repository, then fails with SARIF results and annotations on a violation', async () => {
    const fixture = LAYOUTS[1]!;
    const { root, cleanup } = writeFixture(fixture.files);
    cleanups.push(cleanup);
    expect((await runCli(root, 'init', '--yes')).code).toBe(0);
    const command = `node ${BIN}`;

    const clean = runAction(root, { command, 'sarif-file': 'out.sarif' });
    expect(clean.stepOutputs['exit-code']).toBe('0');
    expect(clean.exitCode).toBe(0);
    expect(
      (JSON.parse(readFileSync(`${root}/out.sarif`, 'utf8')) as { runs: { results: unknown[] }[] }).runs[0]!.results,
    ).toEqual([]);

    appendFileSync(`${root}/${fixture.inject.file}`, `${fixture.inject.line}\n`);
    const failing = runAction(root, { command, 'sarif-file': 'out.sarif' });
    expect(failing.stepOutputs['exit-code']).toBe('1');
    expect(failing.exitCode).toBe(1);
    const sarif = JSON.parse(readFileSync(`${root}/out.sarif`, 'utf8')) as {
      version: string;
      runs: {
        results: {
          ruleId: string;
          locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[];
        }[];
      }[];
    };
    expect(sarif.version).toBe('2.1.0');
    const hit = sarif.runs[0]!.results.find((r) => r.ruleId === `boundaries/${fixture.inject.rule}`);
    expect(hit?.locations[0]?.physicalLocation).toMatchObject({
      artifactLocation: { uri: fixture.inject.file },
      region: { startLine: fixture.inject.at },
    });
    expect(failing.outputs[1]).toMatch(
      new RegExp(`^::error file=${fixture.inject.file.replace(/[/.]/g, '\\$&')},line=${fixture.inject.at}`, 'm'),
    );
  }, 60_000);

  it('reports a configuration error as exit code 2 with a SARIF document', async () => {
    const { root, cleanup } = writeFixture({
      'package.json': '{"name":"x"}\n',
      'specs/repo.yaml': 'profile: minimal\nidentity: *nope\n',
    });
    cleanups.push(cleanup);
    const run = runAction(root, { command: `node ${BIN}`, 'sarif-file': 'out.sarif' });
    expect(run.stepOutputs['exit-code']).toBe('2');
    expect(run.exitCode).toBe(2);
    const results = (
      JSON.parse(readFileSync(`${root}/out.sarif`, 'utf8')) as { runs: { results: { ruleId: string }[] }[] }
    ).runs[0]!.results;
    expect(results.map((r) => r.ruleId)).toContain('configuration/PLUMEGO_ERR_YAML_ALIAS');
  }, 30_000);
});
