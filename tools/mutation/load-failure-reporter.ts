// A test file whose module or describe bodies throw while loading runs no test at all, and Stryker's
// vitest runner counts only tests that ran: a mutant that breaks every router built in a describe body
// would be reported as survived. This reporter turns such a file into one failed test, so the mutant
// counts as killed (and a broken file fails Stryker's dry run instead of passing it silently).
import type { RunnerTestCase as Test, RunnerTestFile as File } from 'vitest';
import { experimental_getRunnerTask, type Reporter, type TestModule } from 'vitest/node';

export class LoadFailureReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    for (const m of modules) {
      const file: File = experimental_getRunnerTask(m);
      const errors = file.result?.errors ?? [];
      if (file.result?.state !== 'fail' || errors.length === 0) continue;
      const failed: Test = {
        type: 'test',
        id: `${file.id}_load_failure`,
        name: 'test file failed to load',
        fullName: `${file.name} > test file failed to load`,
        fullTestName: 'test file failed to load',
        mode: 'run',
        file,
        suite: file,
        meta: {},
        context: undefined as unknown as Test['context'],
        annotations: [],
        artifacts: [],
        timeout: 0,
        result: { state: 'fail', errors },
      } as Test;
      file.tasks.push(failed);
    }
  }
}
