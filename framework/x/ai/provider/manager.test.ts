import { describe, expect, it } from 'vitest';
import { AI_PROVIDER_ERROR_CODES, AiProviderError } from './errors.ts';
import { createProviderManager } from './manager.ts';
import { createMockProvider, type MockReply } from './mock.ts';
import type { CompletionRequest, CompletionResponse, Provider, StreamEvent } from './types.ts';

const req: CompletionRequest = { model: 'any', messages: [{ role: 'user', content: 'hello' }] };
const err = (code: (typeof AI_PROVIDER_ERROR_CODES)[keyof typeof AI_PROVIDER_ERROR_CODES]) =>
  new AiProviderError(code, 'scripted');
const mock = (name: string, ...replies: MockReply[]) => createMockProvider({ name, replies });

/** A provider whose `complete` calls stay in flight until the test releases them. */
function gated(name: string) {
  const pending: (() => void)[] = [];
  const fallback = createMockProvider({ name, replies: [{ text: name }] });
  const provider: Provider = {
    name,
    complete: (request) =>
      new Promise<CompletionResponse>((resolve) =>
        pending.push(() =>
          resolve({
            id: `${name}-1`,
            model: request.model,
            provider: name,
            text: name,
            toolCalls: [],
            stopReason: 'end',
            usage: { inputTokens: 1, outputTokens: 1 },
          }),
        ),
      ),
    stream: (request, options) => fallback.stream(request, options),
    listModels: () => fallback.listModels(),
    countTokens: (request) => fallback.countTokens(request),
  };
  return {
    provider,
    release: () => pending.splice(0).forEach((resolve) => resolve()),
  };
}

async function collect(iterable: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const out: StreamEvent[] = [];
  for await (const e of iterable) out.push(e);
  return out;
}

describe('provider manager', () => {
  it('falls back to the next provider on a retryable failure and rewrites the model per route', async () => {
    const a = mock('a', { error: err(AI_PROVIDER_ERROR_CODES.overloaded) });
    const b = mock('b', { text: 'from b' });
    const manager = createProviderManager({
      routes: [
        { provider: a, model: 'a-model' },
        { provider: b, model: 'b-model' },
      ],
    });
    const res = await manager.complete(req);
    expect(res.text).toBe('from b');
    expect(a.requests[0]?.model).toBe('a-model');
    expect(b.requests[0]?.model).toBe('b-model');
    expect(manager.getUsage()['a']).toMatchObject({ calls: 0, failures: 1 });
  });

  it('does not fall back on a caller error: another vendor would reject it too', async () => {
    const a = mock('a', { error: err(AI_PROVIDER_ERROR_CODES.invalidRequest) });
    const b = mock('b', { text: 'never' });
    const manager = createProviderManager({ routes: [{ provider: a }, { provider: b }] });
    await expect(manager.complete(req)).rejects.toMatchObject({ code: 'AI_PROVIDER_INVALID_REQUEST' });
    expect(b.requests).toHaveLength(0);
    expect(manager.getBreakerStates()['a']).toBe('closed');
  });

  it('opens the breaker of a failing provider and skips it without calling it', async () => {
    const a = mock('a', { error: err(AI_PROVIDER_ERROR_CODES.upstream) });
    const b = mock('b', { text: 'ok' });
    const manager = createProviderManager({
      routes: [{ provider: a }, { provider: b }],
      breaker: { failureThreshold: 2, openTimeoutMs: 60_000 },
    });
    await manager.complete(req);
    await manager.complete(req);
    expect(manager.getBreakerStates()['a']).toBe('open');
    await manager.complete(req);
    expect(a.requests).toHaveLength(2);
    expect(b.requests).toHaveLength(3);
  });

  it('lets an open breaker probe again after its timeout (injected clock)', async () => {
    let now = 0;
    let fail = true;
    const a = createMockProvider({
      name: 'a',
      replies: () => (fail ? { error: err(AI_PROVIDER_ERROR_CODES.upstream) } : { text: 'a back' }),
    });
    const manager = createProviderManager({
      routes: [{ provider: a }, { provider: mock('b', { text: 'b' }) }],
      breaker: { failureThreshold: 1, openTimeoutMs: 1_000, now: () => now },
    });
    await manager.complete(req);
    expect(manager.getBreakerStates()['a']).toBe('open');
    fail = false;
    now = 1_001;
    expect((await manager.complete(req)).text).toBe('a back');
    expect(manager.getBreakerStates()['a']).toBe('closed');
  });

  it('reports every attempt when all providers fail', async () => {
    const manager = createProviderManager({
      routes: [
        { provider: mock('a', { error: err(AI_PROVIDER_ERROR_CODES.rateLimited) }) },
        { provider: mock('b', { error: err(AI_PROVIDER_ERROR_CODES.timeout) }) },
      ],
    });
    await expect(manager.complete(req)).rejects.toMatchObject({
      code: 'AI_PROVIDER_UNAVAILABLE',
      status: 503,
      details: {
        attempts: [
          { provider: 'a', code: 'AI_PROVIDER_RATE_LIMITED' },
          { provider: 'b', code: 'AI_PROVIDER_TIMEOUT' },
        ],
      },
    });
  });

  it('falls back for a stream that fails before its first event', async () => {
    const manager = createProviderManager({
      routes: [
        { provider: mock('a', { chunks: [], error: err(AI_PROVIDER_ERROR_CODES.overloaded) }) },
        { provider: mock('b', { text: 'hi there' }) },
      ],
    });
    const events = await collect(manager.stream(req));
    expect(events.at(-1)).toMatchObject({ type: 'done', response: { provider: 'b', text: 'hi there' } });
  });

  it('never splices two answers: a stream failing mid-way rejects instead of falling back', async () => {
    const b = mock('b', { text: 'never' });
    const manager = createProviderManager({
      routes: [
        { provider: mock('a', { chunks: ['partial '], error: err(AI_PROVIDER_ERROR_CODES.badResponse) }) },
        { provider: b },
      ],
    });
    const seen: StreamEvent[] = [];
    await expect(
      (async () => {
        for await (const e of manager.stream(req)) seen.push(e);
      })(),
    ).rejects.toMatchObject({ code: 'AI_PROVIDER_BAD_RESPONSE' });
    expect(seen).toEqual([{ type: 'text', text: 'partial ' }]);
    expect(b.requests).toHaveLength(0);
  });

  it('releases the breaker permit when the consumer stops a stream early', async () => {
    const manager = createProviderManager({
      routes: [{ provider: mock('a', { text: 'one two three' }) }],
      breaker: { failureThreshold: 1 },
    });
    for await (const e of manager.stream(req)) if (e.type === 'text') break;
    expect(manager.getBreakerStates()['a']).toBe('closed');
    expect((await manager.complete(req)).text).toBe('one two three');
  });

  it('rotates the first provider with round_robin', async () => {
    const a = mock('a', { text: 'a' });
    const b = mock('b', { text: 'b' });
    const manager = createProviderManager({ routes: [{ provider: a }, { provider: b }], strategy: 'round_robin' });
    const texts = [];
    for (let i = 0; i < 4; i++) texts.push((await manager.complete(req)).text);
    expect(texts).toEqual(['a', 'b', 'a', 'b']);
  });

  it('tries the cheapest priced provider first and accounts cost', async () => {
    const manager = createProviderManager({
      strategy: 'cheapest',
      routes: [
        { provider: mock('pricey', { text: 'p' }), pricing: { inputPerMTok: 15, outputPerMTok: 75 } },
        { provider: mock('unpriced', { text: 'u' }) },
        { provider: mock('cheap', { text: 'c' }), pricing: { inputPerMTok: 1, outputPerMTok: 2 } },
      ],
    });
    const res = await manager.complete({ model: 'm', messages: [{ role: 'user', content: 'x'.repeat(4_000) }] });
    expect(res.provider).toBe('cheap');
    // 1000 input tokens at $1/M + 1 output token at $2/M.
    expect(manager.getUsage()['cheap']).toMatchObject({
      calls: 1,
      inputTokens: 1000,
      outputTokens: 1,
      costUsd: 0.001002,
    });
  });

  it('least_loaded sends a call to the provider with the fewest calls in flight', async () => {
    const a = gated('a');
    const b = gated('b');
    const manager = createProviderManager({
      strategy: 'least_loaded',
      routes: [{ provider: a.provider }, { provider: b.provider }],
    });
    const first = manager.complete(req);
    const second = manager.complete(req);
    const third = manager.complete(req);
    expect(manager.getUsage()).toMatchObject({ a: { inFlight: 2 }, b: { inFlight: 1 } });
    b.release();
    expect((await second).text).toBe('b');
    // b is idle now, a still holds two calls.
    const fourth = manager.complete(req);
    expect(manager.getUsage()).toMatchObject({ a: { inFlight: 2 }, b: { inFlight: 1 } });
    a.release();
    b.release();
    expect((await Promise.all([first, third, fourth])).map((r) => r.text)).toEqual(['a', 'a', 'b']);
    expect(manager.getUsage()).toMatchObject({ a: { inFlight: 0, calls: 2 }, b: { inFlight: 0, calls: 2 } });
  });

  it('least_loaded spreads sequential calls by weight', async () => {
    const manager = createProviderManager({
      strategy: 'least_loaded',
      routes: [
        { provider: mock('a', { text: 'a' }), weight: 3 },
        { provider: mock('b', { text: 'b' }), weight: 1 },
      ],
    });
    const texts = [];
    for (let i = 0; i < 8; i++) texts.push((await manager.complete(req)).text);
    expect(texts).toEqual(['a', 'b', 'a', 'a', 'a', 'b', 'a', 'a']);
  });

  it('least_loaded counts an open stream as in flight until it ends, and still falls back on failure', async () => {
    const manager = createProviderManager({
      strategy: 'least_loaded',
      routes: [
        { provider: mock('a', { text: 'one two three' }) },
        { provider: mock('b', { error: err(AI_PROVIDER_ERROR_CODES.overloaded) }, { text: 'b' }) },
      ],
    });
    const stream = manager.stream(req)[Symbol.asyncIterator]();
    expect((await stream.next()).value).toEqual({ type: 'text', text: 'one ' });
    expect(manager.getUsage()['a']?.inFlight).toBe(1);
    // b is the least loaded, fails with a retryable error, and the call falls back to the busy a.
    expect((await manager.complete(req)).provider).toBe('a');
    expect(manager.getUsage()).toMatchObject({ a: { inFlight: 1 }, b: { inFlight: 0, failures: 1 } });
    await stream.return(undefined);
    expect(manager.getUsage()['a']?.inFlight).toBe(0);
  });

  describe('by_task routing', () => {
    const setup = () => {
      const local = mock('local', { error: err(AI_PROVIDER_ERROR_CODES.overloaded) }, { text: 'local' });
      const openai = mock('openai', { text: 'openai' });
      const manager = createProviderManager({
        strategy: 'by_task',
        routes: [
          { provider: local, model: 'llama-3' },
          { provider: openai, model: 'gpt-4.1', pricing: { inputPerMTok: 2, outputPerMTok: 8 } },
        ],
        tasks: {
          summarize: [
            { provider: 'local' },
            { provider: 'openai', model: 'gpt-4o-mini', pricing: { inputPerMTok: 0.15, outputPerMTok: 0.6 } },
          ],
          code: [{ provider: 'openai' }],
        },
      });
      return { local, openai, manager };
    };
    const long: CompletionRequest = { model: 'any', messages: [{ role: 'user', content: 'x'.repeat(4_000) }] };

    it("tries the task's targets in order with each target's model and prices the answer at the target's price", async () => {
      const { local, openai, manager } = setup();
      const res = await manager.complete(long, { task: 'summarize' });
      expect(res.provider).toBe('openai');
      expect(local.requests.map((r) => r.model)).toEqual(['llama-3']);
      expect(openai.requests.map((r) => r.model)).toEqual(['gpt-4o-mini']);
      // 1000 input tokens at $0.15/M + 2 output tokens ("openai") at $0.60/M.
      expect(manager.getUsage()['openai']?.costUsd).toBeCloseTo(0.0001512, 10);
      await manager.complete(long, { task: 'code' });
      expect(openai.requests.at(-1)?.model).toBe('gpt-4.1');
      // The route's own model and price for `code`: 1000 × $2/M + 2 × $8/M.
      expect(manager.getUsage()['openai']).toMatchObject({ calls: 2, inputTokens: 2000, outputTokens: 4 });
      expect(manager.getUsage()['openai']?.costUsd).toBeCloseTo(0.0001512 + 0.002016, 10);
    });

    it('routes a stream by its task', async () => {
      const { local, manager } = setup();
      const events = await collect(manager.stream(req, { task: 'code' }));
      expect(events.at(-1)).toMatchObject({ type: 'done', response: { provider: 'openai', text: 'openai' } });
      expect(local.requests).toHaveLength(0);
    });

    it('uses every route in order for a call without a task, or the default task', async () => {
      const { local, manager } = setup();
      expect((await manager.complete(req)).provider).toBe('openai');
      expect(local.requests).toHaveLength(1);
      const withDefault = createProviderManager({
        strategy: 'by_task',
        routes: [{ provider: mock('x', { text: 'x' }) }, { provider: mock('y', { text: 'y' }) }],
        tasks: { chat: [{ provider: 'y' }] },
        defaultTask: 'chat',
      });
      expect((await withDefault.complete(req)).provider).toBe('y');
    });

    it('rejects a call naming an undeclared task as a caller error, calling nobody', async () => {
      const { local, openai, manager } = setup();
      await expect(manager.complete(req, { task: 'summarise' })).rejects.toMatchObject({
        code: 'AI_PROVIDER_INVALID_REQUEST',
        status: 400,
        details: { task: 'summarise' },
      });
      await expect(collect(manager.stream(req, { task: 'nope' }))).rejects.toMatchObject({
        code: 'AI_PROVIDER_INVALID_REQUEST',
      });
      expect(local.requests.length + openai.requests.length).toBe(0);
    });

    it('reports exhaustion when every target of the task fails', async () => {
      const manager = createProviderManager({
        strategy: 'by_task',
        routes: [
          { provider: mock('a', { error: err(AI_PROVIDER_ERROR_CODES.timeout) }) },
          { provider: mock('b', { text: 'b' }) },
        ],
        tasks: { only_a: [{ provider: 'a' }] },
      });
      await expect(manager.complete(req, { task: 'only_a' })).rejects.toMatchObject({
        code: 'AI_PROVIDER_UNAVAILABLE',
        details: { attempts: [{ provider: 'a', code: 'AI_PROVIDER_TIMEOUT' }] },
      });
    });

    it.each([
      {
        title: 'tasks without by_task',
        options: { strategy: 'fallback' as const, tasks: { t: [{ provider: 'a' }] } },
        match: /by_task/,
      },
      { title: 'by_task without tasks', options: { strategy: 'by_task' as const }, match: /tasks/ },
      {
        title: 'a task naming an unknown provider',
        options: { strategy: 'by_task' as const, tasks: { t: [{ provider: 'ghost' }] } },
        match: /ghost/,
      },
      {
        title: 'a task with no targets',
        options: { strategy: 'by_task' as const, tasks: { t: [] } },
        match: /tasks\.t/,
      },
      {
        title: 'a default task that is not declared',
        options: { strategy: 'by_task' as const, tasks: { t: [{ provider: 'a' }] }, defaultTask: 'u' },
        match: /defaultTask/,
      },
      {
        title: 'a negative task price',
        options: {
          strategy: 'by_task' as const,
          tasks: { t: [{ provider: 'a', pricing: { inputPerMTok: -1, outputPerMTok: 0 } }] },
        },
        match: /pricing/,
      },
    ])('rejects $title when built', ({ options, match }) => {
      expect(() => createProviderManager({ routes: [{ provider: mock('a', {}) }], ...options })).toThrow(match);
    });
  });

  it('accounts streamed usage at done, not for a stream stopped early, and counts failures', async () => {
    const manager = createProviderManager({
      routes: [
        {
          provider: mock(
            'a',
            { text: 'hello world' },
            { chunks: ['x'], error: err(AI_PROVIDER_ERROR_CODES.badResponse) },
            { text: 'one two' },
          ),
          pricing: { inputPerMTok: 1_000_000, outputPerMTok: 2_000_000 },
        },
      ],
    });
    await collect(manager.stream(req));
    // "hello" is 2 input tokens, "hello world" 3 output tokens: $2 + $6 at these prices.
    expect(manager.getUsage()['a']).toEqual({
      calls: 1,
      failures: 0,
      inputTokens: 2,
      outputTokens: 3,
      costUsd: 8,
      inFlight: 0,
    });
    await expect(collect(manager.stream(req))).rejects.toMatchObject({ code: 'AI_PROVIDER_BAD_RESPONSE' });
    for await (const e of manager.stream(req)) if (e.type === 'text') break;
    expect(manager.getUsage()['a']).toEqual({
      calls: 1,
      failures: 1,
      inputTokens: 2,
      outputTokens: 3,
      costUsd: 8,
      inFlight: 0,
    });
  });

  it('stops at once when the caller aborts, without trying the next provider', async () => {
    const controller = new AbortController();
    const b = mock('b', { text: 'b' });
    const manager = createProviderManager({
      routes: [{ provider: mock('a', { text: 'slow', delayMs: 5_000 }) }, { provider: b }],
    });
    const pending = manager.complete(req, { signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'AI_PROVIDER_ABORTED' });
    expect(b.requests).toHaveLength(0);
  });

  it('rejects bad options when built', () => {
    expect(() => createProviderManager({ routes: [] })).toThrow(/routes/);
    expect(() => createProviderManager({ routes: [{ provider: mock('a', {}) }, { provider: mock('a', {}) }] })).toThrow(
      /unique/,
    );
    expect(() =>
      createProviderManager({ routes: [{ provider: mock('a', {}) }], strategy: 'random' as 'fallback' }),
    ).toThrow(/strategy/);
    expect(() => createProviderManager({ routes: [{ provider: mock('a', {}), weight: 0 }] })).toThrow(/weight/);
    expect(() => createProviderManager({ routes: [{ provider: mock('a', {}), weight: Number.NaN }] })).toThrow(
      /weight/,
    );
    expect(() =>
      createProviderManager({
        routes: [{ provider: mock('a', {}), pricing: { inputPerMTok: Number.POSITIVE_INFINITY, outputPerMTok: 1 } }],
      }),
    ).toThrow(/pricing/);
  });
});

describe('mock provider', () => {
  it('replays replies in order, repeats the last, and records requests', async () => {
    const m = createMockProvider({ replies: [{ text: 'one' }, { text: 'two' }] });
    expect((await m.complete(req)).text).toBe('one');
    expect((await m.complete(req)).text).toBe('two');
    expect((await m.complete(req)).text).toBe('two');
    expect(m.requests).toHaveLength(3);
  });

  it('streams scripted tool calls and a done event with them', async () => {
    const m = createMockProvider({
      replies: [{ text: 'ok', toolCalls: [{ id: 't1', name: 'echo', arguments: { x: 1 } }] }],
    });
    const events = await collect(m.stream(req));
    expect(events).toContainEqual({ type: 'tool_call_start', index: 0, id: 't1', name: 'echo' });
    expect(events.at(-1)).toMatchObject({
      type: 'done',
      response: { stopReason: 'tool_calls', toolCalls: [{ name: 'echo', arguments: { x: 1 } }] },
    });
  });

  it('rejects at once with AI_PROVIDER_ABORTED when the signal was aborted before the call', async () => {
    const controller = new AbortController();
    controller.abort();
    const m = createMockProvider({ replies: [{ text: 'late', delayMs: 10_000 }] });
    await expect(m.complete(req, { signal: controller.signal })).rejects.toMatchObject({ code: 'AI_PROVIDER_ABORTED' });
    await expect(collect(m.stream(req, { signal: controller.signal }))).rejects.toMatchObject({
      code: 'AI_PROVIDER_ABORTED',
    });
  });

  it('fails when no reply is scripted', async () => {
    await expect(createMockProvider({ replies: [] }).complete(req)).rejects.toMatchObject({
      code: 'AI_PROVIDER_INVALID_OPTIONS',
    });
  });
});
