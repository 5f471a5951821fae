import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnthropicProvider } from './anthropic.ts';
import { AI_PROVIDER_ERROR_CODES, AiProviderError } from './errors.ts';
import { startFakeAnthropic, type FakeVendor } from './__tests__/fake-vendors.ts';
import { pushStream } from './__tests__/push-harness.ts';
import { createProviderManager } from './manager.ts';
import { createMockProvider, type MockReply } from './mock.ts';
import { STREAM_PUSH } from './push.ts';
import type { CompletionRequest, Provider, StreamEvent } from './types.ts';

const req: CompletionRequest = { model: 'any', messages: [{ role: 'user', content: 'hello' }] };
const err = (code: (typeof AI_PROVIDER_ERROR_CODES)[keyof typeof AI_PROVIDER_ERROR_CODES]) =>
  new AiProviderError(code, 'scripted');
const mock = (name: string, ...replies: MockReply[]) => createMockProvider({ name, replies });

const texts = (events: StreamEvent[]) => events.flatMap((e) => (e.type === 'text' ? [e.text] : []));

describe('manager streams in push mode', () => {
  it('falls back before the first event and accounts the route that answered', async () => {
    const manager = createProviderManager({
      routes: [
        { provider: mock('a', { error: err('AI_PROVIDER_OVERLOADED') }) },
        { provider: mock('b', { text: 'from b' }) },
      ],
    });
    const seen = await pushStream(manager.stream(req)).done;
    expect(seen.error).toBeUndefined();
    expect(texts(seen.events).join('')).toBe('from b');
    expect(seen.events.at(-1)).toMatchObject({ type: 'done', response: { provider: 'b' } });
    expect(seen.ends).toBe(1);
    expect(manager.getUsage()).toMatchObject({
      a: { calls: 0, failures: 1, inFlight: 0 },
      b: { calls: 1, failures: 0, inFlight: 0 },
    });
  });

  it('does not fall back once an event was sent, and ends with that error', async () => {
    const b = mock('b', { text: 'never' });
    const manager = createProviderManager({
      routes: [{ provider: mock('a', { chunks: ['part '], error: err('AI_PROVIDER_OVERLOADED') }) }, { provider: b }],
    });
    const seen = await pushStream(manager.stream(req)).done;
    expect(texts(seen.events)).toEqual(['part ']);
    expect(seen.error).toMatchObject({ code: 'AI_PROVIDER_OVERLOADED' });
    expect(b.requests).toHaveLength(0);
    expect(manager.getUsage()['a']).toMatchObject({ failures: 1, inFlight: 0 });
  });

  it('stops at once on a caller error, and reports every route failing as unavailable', async () => {
    const b = mock('b', { text: 'never' });
    const stopped = createProviderManager({
      routes: [{ provider: mock('a', { error: err('AI_PROVIDER_INVALID_REQUEST') }) }, { provider: b }],
    });
    expect((await pushStream(stopped.stream(req)).done).error).toMatchObject({ code: 'AI_PROVIDER_INVALID_REQUEST' });
    expect(b.requests).toHaveLength(0);

    const exhausted = createProviderManager({
      routes: [
        { provider: mock('a', { error: err('AI_PROVIDER_UPSTREAM_ERROR') }) },
        { provider: mock('b', { error: err('AI_PROVIDER_RATE_LIMITED') }) },
      ],
    });
    const seen = await pushStream(exhausted.stream(req)).done;
    expect(seen.error).toMatchObject({ code: 'AI_PROVIDER_UNAVAILABLE' });
    expect(seen.ends).toBe(1);
  });

  it('pumps a non-push provider one event at a time, holding it while the sink is full', async () => {
    const manager = createProviderManager({ routes: [{ provider: mock('a', { chunks: ['1', '2', '3'] }) }] });
    let open = false;
    const running = pushStream(manager.stream(req), () => open);
    await expect.poll(() => running.seen.batches).toBe(1);
    await new Promise((r) => setTimeout(r, 30));
    expect(running.seen.batches).toBe(1);
    open = true;
    running.control.resume();
    const seen = await running.done;
    expect(texts(seen.events)).toEqual(['1', '2', '3']);
    expect(seen.events.at(-1)?.type).toBe('done');
  });

  it('cancel stops the route, releases its permit and in-flight count, and calls the sink no more', async () => {
    const manager = createProviderManager({
      routes: [{ provider: mock('a', { chunks: ['1', '2', '3'], delayMs: 40 }) }],
      breaker: { failureThreshold: 1, openTimeoutMs: 60_000 },
    });
    const running = pushStream(manager.stream(req));
    await expect.poll(() => running.seen.events.length).toBe(1);
    expect(manager.getUsage()['a']).toMatchObject({ inFlight: 1 });
    running.control.cancel();
    expect(manager.getUsage()['a']).toMatchObject({ inFlight: 0, failures: 0 });
    await new Promise((r) => setTimeout(r, 150));
    expect(running.seen.events).toHaveLength(1);
    expect(running.seen.ends).toBe(0);
    // The permit was released as a success: the breaker is still closed.
    expect(manager.getBreakerStates()['a']).toBe('closed');
  });

  it('is read once: pushing an iterated manager stream is refused', async () => {
    const manager = createProviderManager({ routes: [{ provider: mock('a', { text: 'x' }) }] });
    const stream = manager.stream(req);
    for await (const _ of stream) void _;
    expect(() => stream[STREAM_PUSH]({ events: () => true, end: () => undefined })).toThrow(
      expect.objectContaining({ code: 'AI_PROVIDER_INVALID_REQUEST' }),
    );
  });
});

describe('manager push mode over a push-mode adapter', () => {
  let fake: FakeVendor;
  beforeAll(async () => {
    fake = await startFakeAnthropic();
  });
  afterAll(() => fake.close());

  it("pushes the adapter's stream natively, after falling back from a 429", async () => {
    const anthropic = new AnthropicProvider({ apiKey: 'k', baseURL: fake.url });
    let pushed = 0;
    const spy: Provider = {
      name: 'anthropic',
      complete: (r, o) => anthropic.complete(r, o),
      stream: (r, o) => {
        const stream = anthropic.stream(r, o);
        const native = stream[STREAM_PUSH];
        stream[STREAM_PUSH] = (sink) => (pushed++, native(sink));
        return stream;
      },
      listModels: (o) => anthropic.listModels(o),
      countTokens: (r, o) => anthropic.countTokens(r, o),
    };
    const manager = createProviderManager({
      routes: [
        { provider: spy, model: 'rate-limit' },
        { provider: mock('b', { text: 'never' }), model: 'x' },
      ],
      strategy: 'fallback',
    });
    // The first route fails before any event (429), so it is tried once; a second manager call reaches `ok`.
    const first = await pushStream(manager.stream(req)).done;
    expect(texts(first.events)).toEqual(['never']);
    const okManager = createProviderManager({ routes: [{ provider: spy, model: 'ok' }] });
    const seen = await pushStream(okManager.stream(req)).done;
    expect(seen.error).toBeUndefined();
    expect(texts(seen.events).join('')).toBe('Hello there!');
    expect(pushed).toBe(2);
  });
});
