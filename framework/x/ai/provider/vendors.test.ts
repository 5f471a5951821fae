import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnthropicProvider } from './anthropic.ts';
import { isAiProviderError, type AiProviderError } from './errors.ts';
import { startFakeAnthropic, startFakeOpenAI, type FakeVendor } from './__tests__/fake-vendors.ts';
import { OpenAIResponsesProvider } from './openai-responses.ts';
import { OpenAIProvider } from './openai.ts';
import type { CompletionRequest, Provider, StreamEvent } from './types.ts';

const KEY = 'sk-test-SUPERSECRET-0123456789';
const WEATHER = {
  name: 'get_weather',
  description: 'Weather for a city',
  inputSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

async function collect(iterable: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const e of iterable) events.push(e);
  return events;
}

async function failure(promise: Promise<unknown>): Promise<AiProviderError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isAiProviderError(error)) throw new Error(`expected an AiProviderError, got ${String(error)}`);
  // No secret (the API key, or the vendor's echo of it) may reach a message or the details.
  expect(`${error.message} ${JSON.stringify(error.details)}`).not.toMatch(/SECRET/);
  return error;
}

const ask = (model: string, extra: Partial<CompletionRequest> = {}): CompletionRequest => ({
  model,
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Hi' },
  ],
  ...extra,
});

interface VendorCase {
  vendor: string;
  start: () => Promise<FakeVendor>;
  create: (url: string, idleTimeoutMs?: number) => Provider;
  structuredModel: string;
  overloadStatus: number;
}

const vendors: VendorCase[] = [
  {
    vendor: 'anthropic',
    start: startFakeAnthropic,
    create: (url, idleTimeoutMs = 5_000) =>
      new AnthropicProvider({ apiKey: KEY, baseURL: url, idleTimeoutMs, timeoutMs: 10_000 }),
    structuredModel: 'ok',
    overloadStatus: 529,
  },
  {
    vendor: 'openai',
    start: startFakeOpenAI,
    create: (url, idleTimeoutMs = 5_000) =>
      new OpenAIProvider({ apiKey: KEY, baseURL: `${url}/v1`, idleTimeoutMs, timeoutMs: 10_000 }),
    structuredModel: 'structured',
    overloadStatus: 503,
  },
  {
    vendor: 'openai-responses',
    start: startFakeOpenAI,
    create: (url, idleTimeoutMs = 5_000) =>
      new OpenAIResponsesProvider({ apiKey: KEY, baseURL: `${url}/v1`, idleTimeoutMs, timeoutMs: 10_000 }),
    structuredModel: 'structured',
    overloadStatus: 503,
  },
];

describe.each(vendors)(
  '$vendor provider against a local fake of its wire format',
  ({ vendor, start, create, structuredModel, overloadStatus }) => {
    let fake: FakeVendor;
    let provider: Provider;
    beforeAll(async () => {
      fake = await start();
      provider = create(fake.url);
    });
    afterAll(() => fake.close());

    it(`${vendor}: completes text with usage and sends the key only as a header`, async () => {
      const res = await provider.complete(ask('ok'));
      expect(res).toMatchObject({
        text: 'Hello there!',
        stopReason: 'end',
        provider: vendor,
        usage: { inputTokens: 12, outputTokens: 6 },
        toolCalls: [],
      });
      const sent = fake.requests.at(-1)!;
      expect(JSON.stringify(sent.body)).not.toContain(KEY);
      expect(sent.headers['x-api-key'] ?? sent.headers['authorization']).toContain(KEY);
    });

    it(`${vendor}: maps the system prompt and tool definitions to the vendor shape`, async () => {
      await provider.complete(ask('tool', { tools: [WEATHER], toolChoice: 'required' }));
      const body = fake.requests.at(-1)!.body;
      if (vendor === 'anthropic') {
        expect(body).toMatchObject({
          system: 'Be brief.',
          tools: [{ name: 'get_weather', input_schema: WEATHER.inputSchema }],
          tool_choice: { type: 'any' },
        });
        expect(body['messages']).toEqual([{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }]);
      } else if (vendor === 'openai-responses') {
        expect(body).toMatchObject({
          tools: [{ type: 'function', name: 'get_weather', parameters: WEATHER.inputSchema, strict: false }],
          tool_choice: 'required',
          store: false,
        });
        expect(body['input']).toEqual([
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hi' },
        ]);
        expect(fake.requests.at(-1)!.url).toBe('/v1/responses');
      } else {
        expect(body).toMatchObject({
          tools: [{ type: 'function', function: { name: 'get_weather', parameters: WEATHER.inputSchema } }],
          tool_choice: 'required',
        });
        expect(body['messages']).toEqual([
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hi' },
        ]);
      }
    });

    it(`${vendor}: returns tool calls with parsed arguments`, async () => {
      const res = await provider.complete(ask('tool', { tools: [WEATHER] }));
      expect(res.stopReason).toBe('tool_calls');
      expect(res.toolCalls).toEqual([{ id: expect.any(String), name: 'get_weather', arguments: { city: 'Paris' } }]);
    });

    it(`${vendor}: sends a tool round trip back in the vendor's shape`, async () => {
      const messages: CompletionRequest['messages'] = [
        { role: 'user', content: 'Weather?' },
        {
          role: 'assistant',
          content: '',
          toolCalls: [{ id: 'c1', name: 'get_weather', arguments: { city: 'Paris' } }],
        },
        { role: 'tool', toolCallId: 'c1', content: '21C' },
      ];
      await provider.complete({ model: 'ok', messages, tools: [WEATHER] });
      const sent = fake.requests.at(-1)!.body[vendor === 'openai-responses' ? 'input' : 'messages'] as unknown[];
      if (vendor === 'openai-responses') {
        expect(sent.slice(1)).toEqual([
          { type: 'function_call', call_id: 'c1', name: 'get_weather', arguments: '{"city":"Paris"}' },
          { type: 'function_call_output', call_id: 'c1', output: '21C' },
        ]);
      } else if (vendor === 'anthropic') {
        expect(sent[1]).toEqual({
          role: 'assistant',
          content: [{ type: 'tool_use', id: 'c1', name: 'get_weather', input: { city: 'Paris' } }],
        });
        expect(sent[2]).toEqual({
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: 'c1', content: '21C' }],
        });
      } else {
        expect(sent[1]).toEqual({
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          ],
        });
        expect(sent[2]).toEqual({ role: 'tool', tool_call_id: 'c1', content: '21C' });
      }
    });

    it(`${vendor}: returns structured output parsed`, async () => {
      const res = await provider.complete(
        ask(structuredModel, {
          structuredOutput: { name: 'verdict', schema: { type: 'object', properties: { answer: { type: 'string' } } } },
        }),
      );
      expect(res.parsed).toEqual({ answer: 'yes', confidence: 0.9 });
      expect(JSON.parse(res.text)).toEqual(res.parsed);
    });

    it(`${vendor}: streams text deltas then one done event`, async () => {
      const events = await collect(provider.stream(ask('ok')));
      expect(
        events
          .filter((e) => e.type === 'text')
          .map((e) => (e as { text: string }).text)
          .join(''),
      ).toBe('Hello there!');
      expect(events.at(-1)).toMatchObject({
        type: 'done',
        response: { text: 'Hello there!', stopReason: 'end', usage: { inputTokens: 12, outputTokens: 6 } },
      });
      expect(events.filter((e) => e.type === 'done')).toHaveLength(1);
    });

    it(`${vendor}: streams tool-call deltas and assembles the arguments`, async () => {
      const events = await collect(provider.stream(ask('tool', { tools: [WEATHER] })));
      expect(events.find((e) => e.type === 'tool_call_start')).toEqual({
        type: 'tool_call_start',
        index: 0,
        id: expect.any(String),
        name: 'get_weather',
      });
      const deltas = events
        .filter((e) => e.type === 'tool_call_delta')
        .map((e) => (e as { argumentsDelta: string }).argumentsDelta);
      expect(deltas.length).toBeGreaterThanOrEqual(2);
      expect(JSON.parse(deltas.join(''))).toEqual({ city: 'Paris' });
      expect(events.at(-1)).toMatchObject({
        type: 'done',
        response: { stopReason: 'tool_calls', toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris' } }] },
      });
    });

    it(`${vendor}: maps 429 to a retryable rate-limit error with retry-after`, async () => {
      const error = await failure(provider.complete(ask('rate-limit')));
      expect(error).toMatchObject({ code: 'AI_PROVIDER_RATE_LIMITED', status: 429, retryable: true });
      expect(error.details).toMatchObject({
        provider: vendor,
        upstreamStatus: 429,
        retryAfterSeconds: vendor === 'anthropic' ? 7 : 3,
      });
    });

    it(`${vendor}: maps 500 and overload to retryable errors`, async () => {
      expect(await failure(provider.complete(ask('server-error')))).toMatchObject({
        code: 'AI_PROVIDER_UPSTREAM_ERROR',
        retryable: true,
        details: { upstreamStatus: 500 },
      });
      expect(await failure(provider.complete(ask('overloaded')))).toMatchObject({
        code: 'AI_PROVIDER_OVERLOADED',
        status: 503,
        details: { upstreamStatus: overloadStatus },
      });
    });

    it(`${vendor}: maps a bad key to a non-retryable auth error without echoing the vendor message`, async () => {
      const error = await failure(provider.complete(ask('bad-key')));
      expect(error).toMatchObject({ code: 'AI_PROVIDER_AUTH_FAILED', retryable: false });
    });

    it(`${vendor}: maps a stream error status before any event`, async () => {
      expect(await failure(collect(provider.stream(ask('rate-limit'))))).toMatchObject({
        code: 'AI_PROVIDER_RATE_LIMITED',
      });
    });

    it(`${vendor}: rejects a truncated stream after the text already sent`, async () => {
      const seen: StreamEvent[] = [];
      const error = await failure(
        (async () => {
          for await (const e of provider.stream(ask('truncated'))) seen.push(e);
        })(),
      );
      expect(error).toMatchObject({ code: 'AI_PROVIDER_BAD_RESPONSE', retryable: true });
      expect(seen.some((e) => e.type === 'text')).toBe(true);
      expect(seen.some((e) => e.type === 'done')).toBe(false);
    });

    it(`${vendor}: rejects a malformed stream event`, async () => {
      expect(await failure(collect(provider.stream(ask('malformed'))))).toMatchObject({
        code: 'AI_PROVIDER_BAD_RESPONSE',
      });
    });

    it(`${vendor}: times out a stalled stream with the idle timeout and aborts the socket`, async () => {
      const quick = create(fake.url, 150);
      const before = fake.clientAborts;
      expect(await failure(collect(quick.stream(ask('stall'))))).toMatchObject({
        code: 'AI_PROVIDER_TIMEOUT',
        details: { reason: 'stalled' },
      });
      await expect.poll(() => fake.clientAborts).toBeGreaterThan(before);
    });

    it(`${vendor}: ends a call at its per-call timeoutMs even while chunks could still come, and aborts the socket`, async () => {
      const before = fake.clientAborts;
      // The idle timeout (5 s) is far away: only the whole-call budget can end this.
      expect(await failure(collect(provider.stream(ask('stall'), { timeoutMs: 150 })))).toMatchObject({
        code: 'AI_PROVIDER_TIMEOUT',
        retryable: true,
        details: { reason: 'timeout' },
      });
      await expect.poll(() => fake.clientAborts).toBeGreaterThan(before);
    });

    it(`${vendor}: aborts the upstream request when the caller's signal fires`, async () => {
      const controller = new AbortController();
      const before = fake.clientAborts;
      const pending = failure(collect(provider.stream(ask('stall'), { signal: controller.signal })));
      await expect.poll(() => fake.requests.filter((r) => r.body['model'] === 'stall').length).toBeGreaterThan(0);
      setTimeout(() => controller.abort(), 20);
      expect(await pending).toMatchObject({ code: 'AI_PROVIDER_ABORTED', retryable: false });
      await expect.poll(() => fake.clientAborts).toBeGreaterThan(before);
    });

    it(`${vendor}: fails at once when the signal is already aborted`, async () => {
      const controller = new AbortController();
      controller.abort();
      const count = fake.requests.length;
      expect(await failure(provider.complete(ask('ok'), { signal: controller.signal }))).toMatchObject({
        code: 'AI_PROVIDER_ABORTED',
      });
      expect(fake.requests.length).toBe(count);
    });

    it(`${vendor}: lists models`, async () => {
      const models = await provider.listModels();
      expect(models).toEqual([
        expect.objectContaining({ id: vendor === 'anthropic' ? 'claude-test-1' : 'gpt-test-1', provider: vendor }),
      ]);
    });

    it(`${vendor}: counts tokens`, async () => {
      const n = await provider.countTokens({
        model: 'gpt-4o',
        messages: [{ role: 'user', content: 'Hello world, how are you?' }],
      });
      if (vendor === 'anthropic') expect(n).toBe(42);
      // tiktoken o200k: 7 content tokens + role + 3 per message + 3 priming.
      else expect(n).toBe(14);
    });

    it(`${vendor}: rejects options that can never work when built`, () => {
      expect(() => create('not a url')).toThrow(/baseURL/);
    });
  },
);

describe('request shapes specific to one vendor', () => {
  it('openai: sends max_completion_tokens by default, max_tokens for OpenAI-compatible servers, and response_format for structured output', async () => {
    const fake = await startFakeOpenAI();
    try {
      await new OpenAIProvider({ apiKey: KEY, baseURL: `${fake.url}/v1` }).complete(ask('ok', { maxTokens: 50 }));
      expect(fake.requests.at(-1)!.body).toMatchObject({ max_completion_tokens: 50 });
      const local = new OpenAIProvider({
        apiKey: 'unused',
        baseURL: `${fake.url}/v1`,
        maxTokensField: 'max_tokens',
        name: 'local',
      });
      const res = await local.complete(
        ask('structured', { structuredOutput: { name: 'verdict', schema: { type: 'object' } } }),
      );
      expect(res.provider).toBe('local');
      expect(fake.requests.at(-1)!.body).toMatchObject({
        max_tokens: 1024,
        response_format: { type: 'json_schema', json_schema: { name: 'verdict', strict: true } },
      });
      expect(fake.requests.at(-1)!.body).not.toHaveProperty('max_completion_tokens');
      expect(() => new OpenAIProvider({ apiKey: KEY, maxTokensField: 'tokens' as 'max_tokens' })).toThrow(
        /maxTokensField/,
      );
    } finally {
      await fake.close();
    }
  });

  it('anthropic: asks for structured output through a forced tool and streams it as text', async () => {
    const fake = await startFakeAnthropic();
    try {
      const provider = new AnthropicProvider({ apiKey: KEY, baseURL: fake.url });
      const so = { name: 'verdict', schema: { type: 'object', properties: { answer: { type: 'string' } } } };
      const events = await collect(provider.stream(ask('ok', { structuredOutput: so })));
      expect(fake.requests.at(-1)!.body).toMatchObject({
        tool_choice: { type: 'tool', name: 'verdict' },
        tools: [{ name: 'verdict', input_schema: so.schema }],
      });
      expect(events.some((e) => e.type === 'tool_call_start')).toBe(false);
      expect(events.at(-1)).toMatchObject({
        type: 'done',
        response: { parsed: { answer: 'yes', confidence: 0.9 }, toolCalls: [] },
      });
    } finally {
      await fake.close();
    }
  });

  it('anthropic: closes the upstream response when the consumer stops reading early', async () => {
    const fake = await startFakeAnthropic();
    try {
      const provider = new AnthropicProvider({ apiKey: KEY, baseURL: fake.url });
      const seen: StreamEvent[] = [];
      for await (const event of provider.stream(ask('text-then-stall'))) {
        seen.push(event);
        if (event.type === 'text') break;
      }
      expect(seen).toEqual([{ type: 'text', text: 'Hel' }]);
      await expect.poll(() => fake.clientAborts).toBe(1);
    } finally {
      await fake.close();
    }
  });

  it('anthropic: maps a mid-stream overloaded error event', async () => {
    const fake = await startFakeAnthropic();
    try {
      const provider = new AnthropicProvider({ apiKey: KEY, baseURL: fake.url });
      expect(await failure(collect(provider.stream(ask('overloaded-midstream'))))).toMatchObject({
        code: 'AI_PROVIDER_OVERLOADED',
        retryable: true,
      });
    } finally {
      await fake.close();
    }
  });
});

describe('openai responses: what only the Responses API has', () => {
  let fake: FakeVendor;
  let provider: OpenAIResponsesProvider;
  beforeAll(async () => {
    fake = await startFakeOpenAI();
    provider = new OpenAIResponsesProvider({
      apiKey: KEY,
      baseURL: `${fake.url}/v1`,
      timeoutMs: 10_000,
      idleTimeoutMs: 5_000,
    });
  });
  afterAll(() => fake.close());
  const both = async (model: string, extra: Partial<CompletionRequest> = {}) => {
    const completed = await provider.complete(ask(model, extra));
    const events = await collect(provider.stream(ask(model, extra)));
    const done = events.at(-1);
    if (done?.type !== 'done') throw new Error('stream did not end with done');
    return { completed, streamed: done.response, events };
  };

  it('openai-responses: sends max_output_tokens, the structured-output format, a named tool choice and store', async () => {
    await provider.complete(
      ask('structured', { maxTokens: 50, structuredOutput: { name: 'verdict', schema: { type: 'object' } } }),
    );
    const body = fake.requests.at(-1)!.body;
    expect(body).toMatchObject({
      max_output_tokens: 50,
      store: false,
      text: { format: { type: 'json_schema', name: 'verdict', schema: { type: 'object' }, strict: true } },
    });
    expect(body).not.toHaveProperty('tools');
    await provider.complete(ask('tool', { tools: [WEATHER], toolChoice: { name: 'get_weather' } }));
    expect(fake.requests.at(-1)!.body).toMatchObject({
      max_output_tokens: 1024,
      tool_choice: { type: 'function', name: 'get_weather' },
    });
    const storing = new OpenAIResponsesProvider({ apiKey: KEY, baseURL: `${fake.url}/v1`, store: true, name: 'kept' });
    expect((await storing.complete(ask('ok'))).provider).toBe('kept');
    expect(fake.requests.at(-1)!.body).toMatchObject({ store: true });
  });

  it('openai-responses: sends assistant text and its function calls as separate input items', async () => {
    await provider.complete({
      model: 'ok',
      messages: [
        { role: 'user', content: 'Weather?' },
        {
          role: 'assistant',
          content: 'Checking.',
          toolCalls: [{ id: 'c1', name: 'get_weather', arguments: { city: 'Oslo' } }],
        },
        { role: 'tool', toolCallId: 'c1', content: 'cold', isError: true },
      ],
    });
    expect(fake.requests.at(-1)!.body['input']).toEqual([
      { role: 'user', content: 'Weather?' },
      { role: 'assistant', content: 'Checking.' },
      { type: 'function_call', call_id: 'c1', name: 'get_weather', arguments: '{"city":"Oslo"}' },
      { type: 'function_call_output', call_id: 'c1', output: 'cold' },
    ]);
  });

  it('openai-responses: keeps the text before a tool call and uses call_id as the tool-call id', async () => {
    const { completed, streamed } = await both('tool', { tools: [WEATHER] });
    for (const r of [completed, streamed])
      expect(r).toMatchObject({
        text: 'Let me check.',
        stopReason: 'tool_calls',
        toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } }],
      });
  });

  it('openai-responses: rejects stop sequences before sending anything, as a caller error', async () => {
    const count = fake.requests.length;
    const error = await failure(provider.complete(ask('ok', { stopSequences: ['END'] })));
    expect(error).toMatchObject({ code: 'AI_PROVIDER_INVALID_REQUEST', retryable: false, status: 400 });
    expect(await failure(collect(provider.stream(ask('ok', { stopSequences: ['END'] }))))).toMatchObject({
      code: 'AI_PROVIDER_INVALID_REQUEST',
    });
    expect(fake.requests.length).toBe(count);
  });

  it('openai-responses: maps a mid-stream error event by its code, without the vendor message', async () => {
    const seen: StreamEvent[] = [];
    const error = await failure(
      (async () => {
        for await (const e of provider.stream(ask('error-event'))) seen.push(e);
      })(),
    );
    expect(error).toMatchObject({
      code: 'AI_PROVIDER_RATE_LIMITED',
      retryable: true,
      details: { upstreamType: 'rate_limit_exceeded' },
    });
    expect(seen).toEqual([{ type: 'text', text: 'Hello' }]);
  });

  it('openai-responses: maps response.failed to a retryable upstream error', async () => {
    expect(await failure(collect(provider.stream(ask('failed'))))).toMatchObject({
      code: 'AI_PROVIDER_UPSTREAM_ERROR',
      retryable: true,
      details: { upstreamType: 'server_error' },
    });
  });

  it('openai-responses: reports an answer cut by max_output_tokens as max_tokens', async () => {
    const { completed, streamed } = await both('incomplete');
    for (const r of [completed, streamed])
      expect(r).toMatchObject({ text: 'Hello', stopReason: 'max_tokens', usage: { inputTokens: 12, outputTokens: 6 } });
  });

  it('openai-responses: returns a refusal as the text with stopReason refusal', async () => {
    const { completed, streamed, events } = await both('refusal');
    for (const r of [completed, streamed])
      expect(r).toMatchObject({ text: 'I cannot help with that.', stopReason: 'refusal', toolCalls: [] });
    expect(events.filter((e) => e.type === 'text')).toEqual([{ type: 'text', text: 'I cannot help with that.' }]);
  });

  it('openai-responses: relays arguments that arrive whole as one delta', async () => {
    const events = await collect(provider.stream(ask('args-whole', { tools: [WEATHER] })));
    expect(events.filter((e) => e.type === 'tool_call_delta')).toEqual([
      { type: 'tool_call_delta', index: 0, argumentsDelta: '{"city":"Paris"}' },
    ]);
    expect(events.at(-1)).toMatchObject({ type: 'done', response: { toolCalls: [{ arguments: { city: 'Paris' } }] } });
  });

  it('openai-responses: rejects argument deltas for a call that was never announced', async () => {
    expect(await failure(collect(provider.stream(ask('orphan-delta', { tools: [WEATHER] }))))).toMatchObject({
      code: 'AI_PROVIDER_BAD_RESPONSE',
    });
  });
});

describe('connection failures', () => {
  it('maps a refused connection to a retryable upstream error', async () => {
    const fake = await startFakeAnthropic();
    const url = fake.url;
    await fake.close();
    const provider = new AnthropicProvider({ apiKey: KEY, baseURL: url, timeoutMs: 5_000 });
    expect(await failure(provider.complete(ask('ok')))).toMatchObject({
      code: 'AI_PROVIDER_UPSTREAM_ERROR',
      retryable: true,
    });
  });

  it('rejects an empty api key', () => {
    expect(() => new OpenAIProvider({ apiKey: '' })).toThrow(
      expect.objectContaining({ code: 'AI_PROVIDER_INVALID_OPTIONS' }),
    );
  });
});
