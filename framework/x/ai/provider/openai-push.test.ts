import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeVendor } from './__tests__/fake-vendors.ts';
import { errorCode, iterateStream, pushStream } from './__tests__/push-harness.ts';
import { OpenAIResponsesProvider } from './openai-responses.ts';
import { OpenAIProvider } from './openai.ts';
import type { CompletionRequest } from './types.ts';

const KEY = 'sk-test-SUPERSECRET-0123456789';
const WEATHER = {
  name: 'get_weather',
  description: 'Weather for a city',
  inputSchema: { type: 'object', properties: { city: { type: 'string' } } },
};
const SCHEMA = { name: 'answer', schema: { type: 'object' } };
const ask = (model: string): CompletionRequest => ({
  model,
  messages: [{ role: 'user', content: 'Hi' }],
  ...(model === 'tool' ? { tools: [WEATHER] } : {}),
  ...(model === 'structured' ? { structuredOutput: SCHEMA } : {}),
});

describe('openai chat stream: own SSE decoding, iterated or pushed', () => {
  let fake: FakeVendor;
  let provider: OpenAIProvider;
  beforeAll(async () => {
    fake = await startFakeOpenAI();
    provider = new OpenAIProvider({ apiKey: KEY, baseURL: `${fake.url}/v1`, idleTimeoutMs: 5_000, timeoutMs: 10_000 });
  });
  afterAll(() => fake.close());

  it.each(['ok', 'tool', 'structured', 'truncated', 'malformed', 'error-chunk', 'rate-limit', 'bad-key'])(
    'pushes the same events and the same typed error as iteration for %s',
    async (model) => {
      const pulled = await iterateStream(provider.stream(ask(model)));
      const pushed = await pushStream(provider.stream(ask(model))).done;
      expect(pushed.events).toEqual(pulled.events);
      expect(errorCode(pushed.error)).toBe(errorCode(pulled.error));
      expect(pushed.ends).toBe(1);
      if (['ok', 'tool', 'structured'].includes(model)) expect(pushed.events.at(-1)?.type).toBe('done');
      else expect(pushed.error).toBeDefined();
    },
  );

  it('maps an error chunk inside the stream to a typed retryable error, after the text before it', async () => {
    const { events, error } = await iterateStream(provider.stream(ask('error-chunk')));
    expect(events).toEqual([{ type: 'text', text: 'Hello' }]);
    expect(error).toMatchObject({ code: 'AI_PROVIDER_UPSTREAM_ERROR', retryable: true });
    expect(`${(error as Error).message}`).not.toContain('The server had an error');
  });

  it('times out a stalled pushed stream and closes the socket', async () => {
    const quick = new OpenAIProvider({ apiKey: KEY, baseURL: `${fake.url}/v1`, idleTimeoutMs: 150 });
    const before = fake.clientAborts;
    expect((await pushStream(quick.stream(ask('stall'))).done).error).toMatchObject({
      code: 'AI_PROVIDER_TIMEOUT',
      details: { reason: 'stalled' },
    });
    await expect.poll(() => fake.clientAborts).toBeGreaterThan(before);
  });

  it("aborts a pushed stream's request when the caller's signal fires", async () => {
    const controller = new AbortController();
    const before = fake.clientAborts;
    const pending = pushStream(provider.stream(ask('stall'), { signal: controller.signal })).done;
    await expect.poll(() => fake.requests.filter((r) => r.body['model'] === 'stall').length).toBeGreaterThan(0);
    setTimeout(() => controller.abort(), 20);
    expect((await pending).error).toMatchObject({ code: 'AI_PROVIDER_ABORTED' });
    await expect.poll(() => fake.clientAborts).toBeGreaterThan(before);
  });
});

describe('openai responses stream: own SSE decoding, iterated or pushed', () => {
  let fake: FakeVendor;
  let provider: OpenAIResponsesProvider;
  beforeAll(async () => {
    fake = await startFakeOpenAI();
    provider = new OpenAIResponsesProvider({
      apiKey: KEY,
      baseURL: `${fake.url}/v1`,
      idleTimeoutMs: 5_000,
      timeoutMs: 10_000,
    });
  });
  afterAll(() => fake.close());

  it.each([
    'ok',
    'tool',
    'structured',
    'refusal',
    'incomplete',
    'args-whole',
    'truncated',
    'malformed',
    'error-event',
    'failed',
    'orphan-delta',
    'rate-limit',
  ])('pushes the same events and the same typed error as iteration for responses %s', async (model) => {
    const pulled = await iterateStream(provider.stream(ask(model)));
    const pushed = await pushStream(provider.stream(ask(model))).done;
    expect(pushed.events).toEqual(pulled.events);
    expect(errorCode(pushed.error)).toBe(errorCode(pulled.error));
    expect(pushed.ends).toBe(1);
    if (pulled.error === undefined) expect(pushed.events.at(-1)?.type).toBe('done');
  });

  it('refuses stop sequences in push mode too, through the sink and before sending', async () => {
    const count = fake.requests.length;
    const pushed = await pushStream(provider.stream({ ...ask('ok'), stopSequences: ['x'] })).done;
    expect(pushed.error).toMatchObject({ code: 'AI_PROVIDER_INVALID_REQUEST' });
    expect(pushed.ends).toBe(1);
    expect(fake.requests.length).toBe(count);
  });
});
