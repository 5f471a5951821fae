import { describe, expect, it } from 'vitest';
import { formatRunTable } from './render-gates.ts';
import { getFirstFailure, runGateCommands, spawnRunner, type CommandRunner } from './run-commands.ts';

describe('getFirstFailure', () => {
  const table: { title: string; output: string; expected: string }[] = [
    {
      title: 'a compiler error beats the summary',
      output: 'x\nFound 2 errors.\nsrc/a.ts(3,1): error TS2304: Cannot find name',
      expected: 'src/a.ts(3,1): error TS2304: Cannot find name',
    },
    {
      title: 'a failing test file line',
      output: ' RUN v4\n \u001b[31m FAIL \u001b[39m tools/a.test.ts > adds\nAssertionError: expected 1',
      expected: 'FAIL  tools/a.test.ts > adds',
    },
    {
      title: 'a check violation mark',
      output: 'ok\n✖ boundaries/default-deny framework/a.ts\n1 error',
      expected: '✖ boundaries/default-deny framework/a.ts',
    },
    { title: 'no pattern: the last non-empty line', output: 'first\nlast words\n\n', expected: 'last words' },
    { title: 'no output at all', output: '', expected: '(no output)' },
  ];
  for (const row of table) it(row.title, () => expect(getFirstFailure(row.output)).toBe(row.expected));
});

describe('runGateCommands', () => {
  it('runs every command even after a failure and reports status per command', async () => {
    const fake: CommandRunner = async (command) =>
      command === 'b' ? { exitCode: 1, output: 'error TS1005: x' } : { exitCode: 0, output: '' };
    const runs = await runGateCommands(['a', 'b', 'c'], '/tmp', fake);
    expect(runs.map((r) => [r.command, r.status, r.failure])).toEqual([
      ['a', 'pass', undefined],
      ['b', 'fail', 'error TS1005: x'],
      ['c', 'pass', undefined],
    ]);
    const table = formatRunTable(runs);
    expect(table).toMatch(/^command\s+status\s+time\s+first failure/);
    expect(table).toContain('1 of 3 commands failed');
  });

  it('runs real shell commands from the given directory', async () => {
    const runs = await runGateCommands(
      ['node -e "process.exit(0)"', 'node -e "console.error(\'Error: boom\'); process.exit(3)"'],
      process.cwd(),
      spawnRunner,
    );
    expect(runs.map((r) => [r.status, r.exitCode, r.failure])).toEqual([
      ['pass', 0, undefined],
      ['fail', 3, 'Error: boom'],
    ]);
  });
});
