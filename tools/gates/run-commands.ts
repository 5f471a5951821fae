/**
 * Runs a gate's commands one after another from the repository root and keeps, for each, its status
 * and the first line of output that explains a failure. Every command runs even after a failure, so
 * one report shows everything that is broken.
 */
import { spawn } from 'node:child_process';

export interface CommandRun {
  readonly command: string;
  readonly status: 'pass' | 'fail';
  readonly exitCode: number | null;
  readonly ms: number;
  /** The first meaningful failure line (absent when the command passed). */
  readonly failure?: string;
}

/** Runs one shell command; tests pass a fake. */
export type CommandRunner = (
  command: string,
  cwd: string,
) => Promise<{ readonly exitCode: number | null; readonly output: string }>;

const MAX_OUTPUT = 4 * 1024 * 1024;

export const spawnRunner: CommandRunner = (command, cwd) =>
  new Promise((resolve) => {
    const child = spawn(command, {
      cwd,
      shell: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FORCE_COLOR: '0', CI: process.env['CI'] ?? '1' },
    });
    let output = '';
    const collect = (chunk: Buffer): void => {
      if (output.length < MAX_OUTPUT) output += chunk.toString('utf8');
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (error) => resolve({ exitCode: null, output: `${output}\n${error.message}` }));
    child.on('close', (code) => resolve({ exitCode: code, output }));
  });

// eslint-disable-next-line no-control-regex -- ANSI colour codes are control characters by definition.
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

/** Patterns of failure lines, most telling first: a compiler error beats a test-runner summary. */
const FAILURE_PATTERNS: readonly RegExp[] = [
  /error TS\d+/,
  /^\s*(FAIL|✖|×|✗)\s/,
  /AssertionError|Error:/,
  /\b(error|failed|failure)\b/i,
];

/** The first line that says what failed; else the last non-empty line; never longer than 200 characters. */
export function getFirstFailure(output: string): string {
  const all = output
    .replace(ANSI, '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  for (const pattern of FAILURE_PATTERNS) {
    const line = all.find((l) => pattern.test(l));
    if (line) return line.slice(0, 200);
  }
  return (all[all.length - 1] ?? '(no output)').slice(0, 200);
}

export async function runGateCommands(
  commands: readonly string[],
  cwd: string,
  runner: CommandRunner = spawnRunner,
): Promise<CommandRun[]> {
  const runs: CommandRun[] = [];
  for (const command of commands) {
    const started = performance.now();
    const { exitCode, output } = await runner(command, cwd);
    const ms = Math.round(performance.now() - started);
    runs.push(
      exitCode === 0
        ? { command, status: 'pass', exitCode, ms }
        : { command, status: 'fail', exitCode, ms, failure: getFirstFailure(output) },
    );
  }
  return runs;
}
