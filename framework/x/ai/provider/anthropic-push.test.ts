import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnthropicProvider } from './anthropic.ts';
import { flood, startFakeAnthropic, type FakeVendor } from './__tests__/fake-vendors.ts';
import { errorCode, iterateStream, pushStream } from './__tests__/push-harness.ts';
import { STREAM_PUSH } from './push.ts';
import type { CompletionRequest } from './types.ts';

const KEY = 'sk-test-SUPERSECRET-0123456789';
const ask = (model: string, extra: Partial<CompletionRequest> = {}): CompletionRequest => ({
  model,
  messages: [{ role: 'user', content: 'Hi' }],
  ...extra,
});

describe('anthropic stream in push mode', () => {
  let fake: FakeVendor;
  let provider: AnthropicProvider;
  beforeAll(async () => {
    fake = await startFakeAnthropic();
    provider = new AnthropicProvider({ apiKey: KEY, baseURL: fake.url, idleTimeoutMs: 5_000, timeoutMs: 10_000 });
  });
  afterAll(() => fake.close());

  it.each(['ok', 'tool', 'truncated', 'malformed', 'overloaded-midstream', 'rate-limit', 'bad-key'])(
    'pushes the same events and the same typed error as iteration for %s',
    async (model) => {
      const pulled = await iterateStream(provider.stream(ask(model, model === 'tool' ? { tools: [] } : {})));
      const pushed = await pushStream(provider.stream(ask(model, model === 'tool' ? { tools: [] } : {}))).done;
      expect(pushed.events).toEqual(pulled.events);
      expect(errorCode(pushed.error)).toBe(errorCode(pulled.error));
      expect(pushed.ends).toBe(1);
      if (model === 'ok' || model === 'tool') {
        expect(pushed.error).toBeUndefined();
        expect(pushed.events.at(-1)?.type).toBe('done');
      } else expect(pushed.error).toBeDefined();
    },
  );

  it('streams structured output as text and parses it at done', async () => {
    const schema = { type: 'object', properties: { answer: { type: 'string' } } };
    const pushed = await pushStream(provider.stream(ask('ok', { structuredOutput: { name: 'answer', schema } }))).done;
    expect(pushed.error).toBeUndefined();
    expect(pushed.events.at(-1)).toMatchObject({
      type: 'done',
      response: { parsed: { answer: 'yes', confidence: 0.9 } },
    });
  });

  it('delivers the events of one network read in one batch', async () => {
    // Both text deltas come in the one read; `done` follows at the end of the body.
    const pushed = await pushStream(provider.stream(ask('one-write'))).done;
    expect(pushed.events.map((e) => e.type)).toEqual(['text', 'text', 'done']);
    expect(pushed.batches).toBe(2);
  });

  it('times out a stalled stream, ends with a typed error once, and closes the socket', async () => {
    const quick = new AnthropicProvider({ apiKey: KEY, baseURL: fake.url, idleTimeoutMs: 150 });
    const before = fake.clientAborts;
    const pushed = await pushStream(quick.stream(ask('stall'))).done;
    expect(pushed.error).toMatchObject({ code: 'AI_PROVIDER_TIMEOUT', details: { reason: 'stalled' } });
    expect(pushed.ends).toBe(1);
    await expect.poll(() => fake.clientAborts).toBeGreaterThan(before);
  });

  it('ends at the per-call timeoutMs', async () => {
    const pushed = await pushStream(provider.stream(ask('stall'), { timeoutMs: 150 })).done;
    expect(pushed.error).toMatchObject({ code: 'AI_PROVIDER_TIMEOUT', details: { reason: 'timeout' } });
  });

  it("aborts the upstream request when the caller's signal fires, and when it fired before", async () => {
    const controller = new AbortController();
    const before = fake.clientAborts;
    const running = pushStream(provider.stream(ask('text-then-stall'), { signal: controller.signal }));
    await expect.poll(() => running.seen.events.length).toBe(1);
    controller.abort();
    expect((await running.done).error).toMatchObject({ code: 'AI_PROVIDER_ABORTED', retryable: false });
    await expect.poll(() => fake.clientAborts).toBeGreaterThan(before);

    const count = fake.requests.length;
    const early = await pushStream(provider.stream(ask('ok'), { signal: controller.signal })).done;
    expect(early.error).toMatchObject({ code: 'AI_PROVIDER_ABORTED' });
    expect(fake.requests.length).toBe(count);
  });

  it('cancel closes the upstream socket and calls the sink no more', async () => {
    const before = fake.clientAborts;
    const running = pushStream(provider.stream(ask('text-then-stall')));
    await expect.poll(() => running.seen.events.length).toBe(1);
    running.control.cancel();
    await expect.poll(() => fake.clientAborts).toBeGreaterThan(before);
    await new Promise((r) => setTimeout(r, 50));
    expect(running.seen.ends).toBe(0);
    expect(running.seen.events).toEqual([{ type: 'text', text: 'Hel' }]);
  });

  it('an error thrown by the sink ends the stream with that error and closes the upstream', async () => {
    const before = fake.clientAborts;
    const boom = new Error('sink failed');
    const pushed = await pushStream(provider.stream(ask('text-then-stall')), () => {
      throw boom;
    }).done;
    expect(pushed.error).toBe(boom);
    expect(pushed.ends).toBe(1);
    await expect.poll(() => fake.clientAborts).toBeGreaterThan(before);
  });

  it('a sink that returns false pauses the upstream read until resume', async () => {
    let paused = true;
    const running = pushStream(provider.stream(ask('flood')), () => !paused);
    await expect.poll(() => running.seen.batches).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 200));
    // Paused after the first read: the vendor is held at what fits in the socket buffers, not 25 MiB.
    expect(running.seen.batches).toBe(1);
    expect(flood.written).toBeLessThan((flood.deltas * flood.size) / 2);
    paused = false;
    running.control.resume();
    const pushed = await running.done;
    expect(pushed.error).toBeUndefined();
    expect(pushed.events.filter((e) => e.type === 'text')).toHaveLength(flood.deltas);
    expect(pushed.events.at(-1)?.type).toBe('done');
  });

  it('is read once: iterating a pushed stream, or pushing twice, is refused', async () => {
    const stream = provider.stream(ask('ok'));
    const pushed = pushStream(stream);
    await expect(iterateStream(stream)).resolves.toMatchObject({ error: { code: 'AI_PROVIDER_INVALID_REQUEST' } });
    expect(() => stream[STREAM_PUSH]({ events: () => true, end: () => undefined })).toThrow(
      expect.objectContaining({ code: 'AI_PROVIDER_INVALID_REQUEST' }),
    );
    expect((await pushed.done).error).toBeUndefined();

    const iterated = provider.stream(ask('ok'));
    await iterateStream(iterated);
    expect(() => iterated[STREAM_PUSH]({ events: () => true, end: () => undefined })).toThrow(
      expect.objectContaining({ code: 'AI_PROVIDER_INVALID_REQUEST' }),
    );
  });
});
