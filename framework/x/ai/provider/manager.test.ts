import { describe, expect, it } from 'vitest';
import { AI_PROVIDER_ERROR_CODES, AiProviderError } from './errors.ts';
import { createProviderManager } from './manager.ts';
import { createMockProvider, type MockReply } from './mock.ts';
import type { CompletionRequest, StreamEvent } from './types.ts';

const req: CompletionRequest = { model: 'any', messages: [{ role: 'user', content: 'hello' }] };
const err = (code: (typeof AI_PROVIDER_ERROR_CODES)[keyof typeof AI_PROVIDER_ERROR_CODES]) => new AiProviderError(code, 'scripted');
const mock = (name: string, ...replies: MockReply[]) => createMockProvider({ name, replies });

async function collect(iterable: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const out: StreamEvent[] = [];
  for await (const e of iterable) out.push(e);
  return out;
}

describe('provider manager', () => {
  it('falls back to the next provider on a retryable failure and rewrites the model per route', async () => {
    const a = mock('a', { error: err(AI_PROVIDER_ERROR_CODES.overloaded) });
    const b = mock('b', { text: 'from b' });
    const manager = createProviderManager({ routes: [{ provider: a, model: 'a-model' }, { provider: b, model: 'b-model' }] });
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
    const manager = createProviderManager({ routes: [{ provider: a }, { provider: b }], breaker: { failureThreshold: 2, openTimeoutMs: 60_000 } });
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
    const a = createMockProvider({ name: 'a', replies: () => (fail ? { error: err(AI_PROVIDER_ERROR_CODES.upstream) } : { text: 'a back' }) });
    const manager = createProviderManager({ routes: [{ provider: a }, { provider: mock('b', { text: 'b' }) }], breaker: { failureThreshold: 1, openTimeoutMs: 1_000, now: () => now } });
    await manager.complete(req);
    expect(manager.getBreakerStates()['a']).toBe('open');
    fail = false;
    now = 1_001;
    expect((await manager.complete(req)).text).toBe('a back');
    expect(manager.getBreakerStates()['a']).toBe('closed');
  });

  it('reports every attempt when all providers fail', async () => {
    const manager = createProviderManager({
      routes: [{ provider: mock('a', { error: err(AI_PROVIDER_ERROR_CODES.rateLimited) }) }, { provider: mock('b', { error: err(AI_PROVIDER_ERROR_CODES.timeout) }) }],
    });
    await expect(manager.complete(req)).rejects.toMatchObject({
      code: 'AI_PROVIDER_UNAVAILABLE',
      status: 503,
      details: { attempts: [{ provider: 'a', code: 'AI_PROVIDER_RATE_LIMITED' }, { provider: 'b', code: 'AI_PROVIDER_TIMEOUT' }] },
    });
  });

  it('falls back for a stream that fails before its first event', async () => {
    const manager = createProviderManager({ routes: [{ provider: mock('a', { chunks: [], error: err(AI_PROVIDER_ERROR_CODES.overloaded) }) }, { provider: mock('b', { text: 'hi there' }) }] });
    const events = await collect(manager.stream(req));
    expect(events.at(-1)).toMatchObject({ type: 'done', response: { provider: 'b', text: 'hi there' } });
  });

  it('never splices two answers: a stream failing mid-way rejects instead of falling back', async () => {
    const b = mock('b', { text: 'never' });
    const manager = createProviderManager({ routes: [{ provider: mock('a', { chunks: ['partial '], error: err(AI_PROVIDER_ERROR_CODES.badResponse) }) }, { provider: b }] });
    const seen: StreamEvent[] = [];
    await expect((async () => {
      for await (const e of manager.stream(req)) seen.push(e);
    })()).rejects.toMatchObject({ code: 'AI_PROVIDER_BAD_RESPONSE' });
    expect(seen).toEqual([{ type: 'text', text: 'partial ' }]);
    expect(b.requests).toHaveLength(0);
  });

  it('releases the breaker permit when the consumer stops a stream early', async () => {
    const manager = createProviderManager({ routes: [{ provider: mock('a', { text: 'one two three' }) }], breaker: { failureThreshold: 1 } });
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
    expect(manager.getUsage()['cheap']).toMatchObject({ calls: 1, inputTokens: 1000, outputTokens: 1, costUsd: 0.001002 });
  });

  it('stops at once when the caller aborts, without trying the next provider', async () => {
    const controller = new AbortController();
    const b = mock('b', { text: 'b' });
    const manager = createProviderManager({ routes: [{ provider: mock('a', { text: 'slow', delayMs: 5_000 }) }, { provider: b }] });
    const pending = manager.complete(req, { signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'AI_PROVIDER_ABORTED' });
    expect(b.requests).toHaveLength(0);
  });

  it('rejects bad options when built', () => {
    expect(() => createProviderManager({ routes: [] })).toThrow(/routes/);
    expect(() => createProviderManager({ routes: [{ provider: mock('a', {}) }, { provider: mock('a', {}) }] })).toThrow(/unique/);
    expect(() => createProviderManager({ routes: [{ provider: mock('a', {}) }], strategy: 'random' as 'fallback' })).toThrow(/strategy/);
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
    const m = createMockProvider({ replies: [{ text: 'ok', toolCalls: [{ id: 't1', name: 'echo', arguments: { x: 1 } }] }] });
    const events = await collect(m.stream(req));
    expect(events).toContainEqual({ type: 'tool_call_start', index: 0, id: 't1', name: 'echo' });
    expect(events.at(-1)).toMatchObject({ type: 'done', response: { stopReason: 'tool_calls', toolCalls: [{ name: 'echo', arguments: { x: 1 } }] } });
  });

  it('fails when no reply is scripted', async () => {
    await expect(createMockProvider({ replies: [] }).complete(req)).rejects.toMatchObject({ code: 'AI_PROVIDER_INVALID_OPTIONS' });
  });
});
