import { AiProviderError, createMockProvider } from 'plumego/x/ai/provider';
import { describe, expect, it } from 'vitest';
import { defineWorkflow, type RunOptions, type Step } from './workflow.ts';

const never = () => new Promise<never>(() => undefined);
const recordSleep =
  (waits: number[]): NonNullable<RunOptions['sleep']> =>
  async (ms) => {
    waits.push(ms);
  };

async function failure(
  promise: Promise<unknown>,
): Promise<Error & { code: string; status: number; details: Record<string, unknown> }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as never;
}

describe('workflow graph', () => {
  it('runs steps after their dependencies and hands each only its dependencies’ outputs', async () => {
    const seen: Record<string, unknown> = {};
    const step = (
      id: string,
      dependsOn: string[],
      value: (r: Record<string, unknown>) => unknown,
    ): Step<{ q: string }> => ({
      id,
      dependsOn,
      run: (ctx) => {
        seen[id] = ctx.results;
        return value(ctx.results as Record<string, unknown>);
      },
    });
    const workflow = defineWorkflow([
      step('answer', ['draft', 'facts'], (r) => `${r['draft']} + ${r['facts']}`),
      step('draft', ['plan'], (r) => `draft(${r['plan']})`),
      step('plan', [], () => 'plan'),
      step('facts', ['plan'], () => 'facts'),
    ]);
    expect(workflow.order).toEqual(['plan', 'draft', 'facts', 'answer']);
    const report = await workflow.run({ q: 'x' });
    expect(report.outputs['answer']).toBe('draft(plan) + facts');
    expect(seen['facts']).toEqual({ plan: 'plan' });
    expect(seen['answer']).toEqual({ draft: 'draft(plan)', facts: 'facts' });
    expect(Object.values(report.steps).map((s) => s.status)).toEqual([
      'succeeded',
      'succeeded',
      'succeeded',
      'succeeded',
    ]);
  });

  it('runs independent steps concurrently up to the limit', async () => {
    let running = 0;
    let peak = 0;
    const gate: (() => void)[] = [];
    const slow = (id: string): Step => ({
      id,
      run: async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise<void>((resolve) => gate.push(resolve));
        running--;
      },
    });
    const run = defineWorkflow(['a', 'b', 'c', 'd', 'e'].map(slow)).run(undefined, { concurrency: 2 });
    await expect.poll(() => gate.length).toBe(2);
    while (gate.length > 0 || running > 0) {
      gate.shift()?.();
      await new Promise((r) => setImmediate(r));
    }
    await run;
    expect(peak).toBe(2);
  });

  it('passes the run input and a model call through a step', async () => {
    const provider = createMockProvider({ replies: [{ text: 'Paris' }] });
    const report = await defineWorkflow<{ country: string }>([
      {
        id: 'ask',
        run: async (ctx) => {
          const response = await provider.complete(
            { model: 'm', messages: [{ role: 'user', content: `capital of ${ctx.input.country}?` }] },
            { signal: ctx.signal },
          );
          ctx.charge({ tokens: response.usage.inputTokens + response.usage.outputTokens, costUsd: 0.001 });
          return response.text;
        },
      },
    ]).run({ country: 'France' });
    expect(report.outputs).toEqual({ ask: 'Paris' });
    expect(report.usage.tokens).toBeGreaterThan(0);
    expect(report.usage.costUsd).toBeCloseTo(0.001);
    expect(report.steps['ask']!.usage).toEqual(report.usage);
  });
});

describe('workflow retries', () => {
  it('retries with exponential backoff capped by maxBackoffMs, then succeeds', async () => {
    const waits: number[] = [];
    let calls = 0;
    const report = await defineWorkflow([
      {
        id: 'flaky',
        retry: { attempts: 5, backoffMs: 100, factor: 3, maxBackoffMs: 500 },
        run: (ctx) => {
          calls++;
          if (ctx.attempt < 5) throw new Error(`fail ${ctx.attempt}`);
          return 'ok';
        },
      },
    ]).run(undefined, { sleep: recordSleep(waits) });
    expect(report.outputs['flaky']).toBe('ok');
    expect(calls).toBe(5);
    expect(waits).toEqual([100, 300, 500, 500]);
    expect(report.steps['flaky']!.attempts).toBe(5);
  });

  it('fails with AI_ORCHESTRATION_STEP_FAILED after the last attempt, with the last error as cause and a report', async () => {
    const error = await failure(
      defineWorkflow([
        { id: 'first', run: () => 1 },
        {
          id: 'bad',
          dependsOn: ['first'],
          retry: { attempts: 3, backoffMs: 1 },
          run: (ctx) => {
            throw new Error(`attempt ${ctx.attempt}`);
          },
        },
        { id: 'after', dependsOn: ['bad'], run: () => 2 },
      ]).run(undefined, { sleep: recordSleep([]) }),
    );
    expect(error).toMatchObject({
      code: 'AI_ORCHESTRATION_STEP_FAILED',
      status: 502,
      message: 'step bad failed after 3 attempts',
      details: { step: 'bad', attempts: 3 },
    });
    expect((error.cause as Error).message).toBe('attempt 3');
    const report = error.details['report'] as {
      steps: Record<string, { status: string }>;
      outputs: Record<string, unknown>;
    };
    expect(report.steps['first']!.status).toBe('succeeded');
    expect(report.steps['bad']!.status).toBe('failed');
    expect(report.steps['after']!.status).toBe('pending');
    expect(report.outputs).toEqual({ first: 1 });
  });

  it('does not retry an error marked retryable: false (a provider auth failure)', async () => {
    let calls = 0;
    const error = await failure(
      defineWorkflow([
        {
          id: 'ask',
          retry: { attempts: 4, backoffMs: 1 },
          run: () => {
            calls++;
            throw new AiProviderError('AI_PROVIDER_AUTH_FAILED', 'bad key');
          },
        },
      ]).run(undefined),
    );
    expect(calls).toBe(1);
    expect(error).toMatchObject({ code: 'AI_ORCHESTRATION_STEP_FAILED', details: { attempts: 1 } });
    expect(error.cause).toMatchObject({ code: 'AI_PROVIDER_AUTH_FAILED' });
  });

  it('asks retryOn with the error and the attempt', async () => {
    const asked: [string, number][] = [];
    await failure(
      defineWorkflow([
        {
          id: 's',
          retry: {
            attempts: 5,
            backoffMs: 0,
            retryOn: (e, attempt) => {
              asked.push([(e as Error).message, attempt]);
              return attempt < 2;
            },
          },
          run: (ctx) => {
            throw new Error(`e${ctx.attempt}`);
          },
        },
      ]).run(undefined),
    );
    expect(asked).toEqual([
      ['e1', 1],
      ['e2', 2],
    ]);
  });

  it('stops the other running steps when one fails', async () => {
    let signal: AbortSignal | undefined;
    const error = await failure(
      defineWorkflow([
        {
          id: 'long',
          run: (ctx) => {
            signal = ctx.signal;
            return never();
          },
        },
        {
          id: 'broken',
          run: async () => {
            await Promise.resolve();
            throw new Error('no');
          },
        },
      ]).run(undefined),
    );
    expect(error.code).toBe('AI_ORCHESTRATION_STEP_FAILED');
    expect(signal?.aborted).toBe(true);
    expect((error.details['report'] as { steps: Record<string, { status: string }> }).steps['long']!.status).toBe(
      'cancelled',
    );
  });
});

describe('workflow budgets', () => {
  it('stops the run when a charge crosses the run token budget, counting the charge', async () => {
    let third = false;
    const spend = (id: string, tokens: number, dependsOn: string[] = []): Step => ({
      id,
      dependsOn,
      run: (ctx) => {
        ctx.charge({ tokens });
        return tokens;
      },
    });
    const error = await failure(
      defineWorkflow([
        spend('a', 40),
        spend('b', 40, ['a']),
        spend('c', 40, ['b']),
        { id: 'd', dependsOn: ['c'], run: () => (third = true) },
      ]).run(undefined, { budget: { tokens: 100 } }),
    );
    expect(error).toMatchObject({
      code: 'AI_ORCHESTRATION_BUDGET_EXCEEDED',
      status: 429,
      message: 'the run spent 120 tokens (budget 100)',
      details: { scope: 'run', step: 'c', resource: 'tokens', limit: 100, used: 120 },
    });
    expect((error.details['report'] as { usage: { tokens: number } }).usage.tokens).toBe(120);
    expect(third).toBe(false);
  });

  it('stops at a step cost budget even with retries left', async () => {
    let calls = 0;
    const error = await failure(
      defineWorkflow([
        {
          id: 'pricey',
          budget: { costUsd: 0.05 },
          retry: { attempts: 5, backoffMs: 0 },
          run: (ctx) => {
            calls++;
            ctx.charge({ costUsd: 0.02 });
            throw new Error('try again');
          },
        },
      ]).run(undefined),
    );
    expect(error).toMatchObject({
      code: 'AI_ORCHESTRATION_BUDGET_EXCEEDED',
      details: { scope: 'step', step: 'pricey', resource: 'costUsd', limit: 0.05 },
    });
    expect(calls).toBe(3);
  });

  it('reports what is left of the tighter budget', async () => {
    let left: unknown;
    await defineWorkflow([
      {
        id: 's',
        budget: { tokens: 50 },
        run: (ctx) => {
          ctx.charge({ tokens: 20, costUsd: 0.5 });
          left = ctx.remaining();
        },
      },
    ]).run(undefined, { budget: { tokens: 1_000, costUsd: 2 }, now: () => 0 });
    expect(left).toEqual({ tokens: 30, costUsd: 1.5 });
  });

  it('times out a hung step at its time budget and aborts its signal', async () => {
    let signal: AbortSignal | undefined;
    const error = await failure(
      defineWorkflow([
        {
          id: 'hang',
          budget: { timeMs: 30 },
          run: (ctx) => {
            signal = ctx.signal;
            return never();
          },
        },
      ]).run(undefined),
    );
    expect(error).toMatchObject({
      code: 'AI_ORCHESTRATION_TIMEOUT',
      status: 504,
      details: { scope: 'step', step: 'hang', limitMs: 30 },
    });
    expect(signal?.aborted).toBe(true);
  });

  it('times out the whole run, even during a backoff wait', async () => {
    const error = await failure(
      defineWorkflow([
        {
          id: 'flaky',
          retry: { attempts: 10, backoffMs: 60_000 },
          run: () => {
            throw new Error('down');
          },
        },
      ]).run(undefined, { budget: { timeMs: 30 } }),
    );
    expect(error).toMatchObject({ code: 'AI_ORCHESTRATION_TIMEOUT', details: { scope: 'run', limitMs: 30 } });
  });

  it('refuses a negative or non-finite charge', async () => {
    const error = await failure(defineWorkflow([{ id: 's', run: (ctx) => ctx.charge({ tokens: -1 }) }]).run(undefined));
    expect(error).toMatchObject({
      code: 'AI_ORCHESTRATION_INVALID_WORKFLOW',
      message: expect.stringMatching(/non-negative/),
    });
  });
});

describe('workflow cancellation', () => {
  it('aborts the run and the running step through the caller’s signal', async () => {
    const controller = new AbortController();
    let signal: AbortSignal | undefined;
    const pending = defineWorkflow([
      {
        id: 'wait',
        run: (ctx) => {
          signal = ctx.signal;
          controller.abort();
          return never();
        },
      },
    ]).run(undefined, { signal: controller.signal });
    const error = await failure(pending);
    expect(error).toMatchObject({ code: 'AI_ORCHESTRATION_ABORTED', status: 499 });
    expect(signal?.aborted).toBe(true);
  });

  it('never starts a step when the signal is already aborted', async () => {
    let started = false;
    const error = await failure(
      defineWorkflow([{ id: 's', run: () => (started = true) }]).run(undefined, { signal: AbortSignal.abort() }),
    );
    expect(error.code).toBe('AI_ORCHESTRATION_ABORTED');
    expect(started).toBe(false);
  });

  it('aborts during a backoff wait', async () => {
    const controller = new AbortController();
    const error = await failure(
      defineWorkflow([
        {
          id: 's',
          retry: { attempts: 3, backoffMs: 60_000 },
          run: () => {
            queueMicrotask(() => controller.abort());
            throw new Error('down');
          },
        },
      ]).run(undefined, { signal: controller.signal }),
    );
    expect(error.code).toBe('AI_ORCHESTRATION_ABORTED');
  });
});

describe('workflow definition', () => {
  const ok = { id: 'a', run: () => 1 };
  it.each([
    { title: 'no steps', steps: [], pattern: /at least one/ },
    { title: 'a bad id', steps: [{ id: 'a b', run: () => 1 }], pattern: /id must match/ },
    { title: 'a duplicate id', steps: [ok, ok], pattern: /duplicate step a/ },
    { title: 'a missing run', steps: [{ id: 'a' }], pattern: /run must be a function/ },
    { title: 'an unknown dependency', steps: [{ ...ok, dependsOn: ['ghost'] }], pattern: /unknown step ghost/ },
    { title: 'a self dependency', steps: [{ ...ok, dependsOn: ['a'] }], pattern: /cycle: a -> a/ },
    {
      title: 'a cycle',
      steps: [
        { id: 'a', dependsOn: ['c'], run: () => 1 },
        { id: 'b', dependsOn: ['a'], run: () => 1 },
        { id: 'c', dependsOn: ['b'], run: () => 1 },
      ],
      pattern: /cycle: a -> c -> b -> a/,
    },
    { title: 'zero attempts', steps: [{ ...ok, retry: { attempts: 0 } }], pattern: /attempts/ },
    { title: 'a shrinking backoff', steps: [{ ...ok, retry: { factor: 0.5 } }], pattern: /factor/ },
    { title: 'a zero time budget', steps: [{ ...ok, budget: { timeMs: 0 } }], pattern: /timeMs/ },
    { title: 'a NaN token budget', steps: [{ ...ok, budget: { tokens: Number.NaN } }], pattern: /tokens/ },
  ])('refuses $title', ({ steps, pattern }) => {
    expect(() => defineWorkflow(steps as Step[])).toThrow(
      expect.objectContaining({ code: 'AI_ORCHESTRATION_INVALID_WORKFLOW', message: expect.stringMatching(pattern) }),
    );
  });

  it('refuses bad run options', async () => {
    const workflow = defineWorkflow([ok]);
    await expect(workflow.run(undefined, { concurrency: 0 })).rejects.toMatchObject({
      code: 'AI_ORCHESTRATION_INVALID_WORKFLOW',
    });
    await expect(workflow.run(undefined, { budget: { costUsd: -1 } })).rejects.toThrow(/costUsd/);
  });
});
