import {
  AiProviderError,
  createMockProvider,
  type CallOptions,
  type CompletionRequest,
  type CompletionResponse,
  type StopReason,
  type StreamEvent,
} from 'plumego/x/ai/provider';
import { describe, expect, it } from 'vitest';
import { createLlmCache, type CompletionSource, type LlmCacheOptions } from './cache.ts';
import { canonicalJson, computeCacheKey, taskOf } from './key.ts';

const ask = (content: string, extra: Partial<CompletionRequest> = {}): CompletionRequest => ({
  model: 'm1',
  messages: [{ role: 'user', content }],
  ...extra,
});

function mock(text = 'the answer is 42') {
  return createMockProvider({ replies: [{ text, chunks: ['the ', 'answer ', 'is 42'] }] });
}

async function collect(stream: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const e of stream) events.push(e);
  return events;
}

/** A source answering with a chosen stop reason, counting calls. */
function scripted(stopReason: StopReason, calls = { n: 0 }): CompletionSource & { calls: { n: number } } {
  const response = (): CompletionResponse => ({
    id: `r${calls.n}`,
    model: 'm1',
    provider: 'fake',
    text: 'partial',
    toolCalls: [],
    stopReason,
    usage: { inputTokens: 3, outputTokens: 5 },
  });
  return {
    name: 'fake',
    calls,
    complete: async () => {
      calls.n++;
      return response();
    },
    async *stream() {
      calls.n++;
      yield { type: 'text', text: 'partial' };
      yield { type: 'done', response: response() };
    },
  };
}

describe('exact-match cache: complete', () => {
  it('answers the same request from the cache, with zero usage', async () => {
    const provider = mock();
    const cache = createLlmCache();
    const cached = cache.wrap(provider);
    const first = await cached.complete(ask('q'));
    const second = await cached.complete(ask('q'));
    expect(provider.requests).toHaveLength(1);
    expect(second).toEqual({ ...first, usage: { inputTokens: 0, outputTokens: 0 } });
    expect(first.usage.outputTokens).toBeGreaterThan(0);
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 1, stores: 1, entries: 1 });
  });

  it.each([
    { title: 'another message', b: ask('other') },
    { title: 'another model', b: ask('q', { model: 'm2' }) },
    { title: 'another temperature', b: ask('q', { temperature: 0.7 }) },
    { title: 'another max tokens', b: ask('q', { maxTokens: 10 }) },
    {
      title: 'a tool list',
      b: ask('q', { tools: [{ name: 't', description: 'd', inputSchema: { type: 'object' } }] }),
    },
    { title: 'a tool choice', b: ask('q', { toolChoice: 'none' }) },
    { title: 'structured output', b: ask('q', { structuredOutput: { name: 's', schema: { type: 'object' } } }) },
    { title: 'stop sequences', b: ask('q', { stopSequences: ['END'] }) },
    {
      title: 'a system message',
      b: {
        model: 'm1',
        messages: [
          { role: 'system' as const, content: 'be brief' },
          { role: 'user' as const, content: 'q' },
        ],
      },
    },
  ])('misses for $title', async ({ b }) => {
    const provider = mock();
    const cached = createLlmCache().wrap(provider);
    await cached.complete(ask('q'));
    await cached.complete(b);
    expect(provider.requests).toHaveLength(2);
  });

  it('keys on the provider name: two providers never share an answer', async () => {
    const cache = createLlmCache();
    const a = createMockProvider({ name: 'a', replies: [{ text: 'from a' }] });
    const b = createMockProvider({ name: 'b', replies: [{ text: 'from b' }] });
    await cache.wrap(a).complete(ask('q'));
    expect((await cache.wrap(b).complete(ask('q'))).text).toBe('from b');
    expect(computeCacheKey('a', ask('q'))).not.toBe(computeCacheKey('b', ask('q')));
  });

  it('keys on the routing task a provider manager picks the model by', async () => {
    const provider = mock();
    const cached = createLlmCache().wrap(provider);
    const task = (name: string) => ({ task: name }) as unknown as CallOptions;
    await cached.complete(ask('q'), task('code'));
    await cached.complete(ask('q'), task('code'));
    await cached.complete(ask('q'), task('summarize'));
    await cached.complete(ask('q'));
    expect(provider.requests).toHaveLength(3);
    expect(taskOf({ task: 7 })).toBeUndefined();
  });

  it('ignores key order inside the request (a schema built in another order)', async () => {
    const provider = mock();
    const cached = createLlmCache().wrap(provider);
    const schemaA = { type: 'object', properties: { a: { type: 'string' }, b: { type: 'number' } } };
    const schemaB = { properties: { b: { type: 'number' }, a: { type: 'string' } }, type: 'object' };
    await cached.complete(ask('q', { tools: [{ name: 't', description: 'd', inputSchema: schemaA }] }));
    await cached.complete(ask('q', { tools: [{ name: 't', description: 'd', inputSchema: schemaB }] }));
    expect(provider.requests).toHaveLength(1);
    expect(canonicalJson({ b: 1, a: [1, { d: undefined, c: 'x' }] })).toBe('{"a":[1,{"c":"x"}],"b":1}');
  });

  it('never stores an answer waiting on tool calls', async () => {
    const provider = createMockProvider({
      replies: [{ toolCalls: [{ id: 'c1', name: 'calculator', arguments: { expression: '1+1' } }] }],
    });
    const cache = createLlmCache();
    const cached = cache.wrap(provider);
    expect((await cached.complete(ask('q'))).stopReason).toBe('tool_calls');
    await cached.complete(ask('q'));
    await collect(cached.stream(ask('q')));
    expect(provider.requests).toHaveLength(3);
    expect(cache.stats()).toMatchObject({ stores: 0, entries: 0 });
  });

  it('never stores an error: the next call asks again', async () => {
    const provider = createMockProvider({
      replies: [{ error: new AiProviderError('AI_PROVIDER_OVERLOADED', 'busy') }, { text: 'ok' }],
    });
    const cached = createLlmCache().wrap(provider);
    await expect(cached.complete(ask('q'))).rejects.toMatchObject({ code: 'AI_PROVIDER_OVERLOADED' });
    expect((await cached.complete(ask('q'))).text).toBe('ok');
    expect((await cached.complete(ask('q'))).text).toBe('ok');
    expect(provider.requests).toHaveLength(2);
  });

  it.each(['max_tokens', 'refusal', 'other'] as const)('does not store a %s answer by default', async (reason) => {
    const source = scripted(reason);
    const cached = createLlmCache().wrap(source);
    await cached.complete(ask('q'));
    await cached.complete(ask('q'));
    expect(source.calls.n).toBe(2);
  });

  it('stores a max_tokens answer when the caller lists it', async () => {
    const source = scripted('max_tokens');
    const cached = createLlmCache({ cacheableStopReasons: ['end', 'max_tokens'] }).wrap(source);
    await cached.complete(ask('q'));
    await cached.complete(ask('q'));
    expect(source.calls.n).toBe(1);
  });

  it('expires entries after the TTL', async () => {
    let now = 1_000;
    const provider = mock();
    const cache = createLlmCache({ ttlMs: 60_000, now: () => now });
    const cached = cache.wrap(provider);
    await cached.complete(ask('q'));
    now += 59_999;
    await cached.complete(ask('q'));
    expect(provider.requests).toHaveLength(1);
    now += 1;
    await cached.complete(ask('q'));
    expect(provider.requests).toHaveLength(2);
    expect(cache.stats()).toMatchObject({ expired: 1, entries: 1 });
  });

  it('evicts the least recently used entry past maxEntries', async () => {
    const provider = createMockProvider({ replies: (r) => ({ text: `echo ${r.messages[0]!.content}` }) });
    const cache = createLlmCache({ maxEntries: 2 });
    const cached = cache.wrap(provider);
    await cached.complete(ask('a'));
    await cached.complete(ask('b'));
    await cached.complete(ask('a')); // a is now the most recent
    await cached.complete(ask('c')); // evicts b
    expect(provider.requests).toHaveLength(3);
    await cached.complete(ask('a'));
    expect(provider.requests).toHaveLength(3);
    await cached.complete(ask('b'));
    expect(provider.requests).toHaveLength(4);
    expect(cache.stats()).toMatchObject({ entries: 2, evictions: 2 });
  });

  it('keeps the stored answers within maxBytes and skips an answer larger than the bound', async () => {
    const provider = createMockProvider({
      replies: (r) => ({ text: r.messages[0]!.content === 'huge' ? 'x'.repeat(5_000) : 'y'.repeat(300) }),
    });
    const cache = createLlmCache({ maxBytes: 2_000 });
    const cached = cache.wrap(provider);
    for (const q of ['a', 'b', 'c', 'd', 'e', 'f']) await cached.complete(ask(q));
    expect(cache.stats().bytes).toBeLessThanOrEqual(2_000);
    expect(cache.stats().evictions).toBeGreaterThan(0);
    await cached.complete(ask('huge'));
    await cached.complete(ask('huge'));
    expect(provider.requests.filter((r) => r.messages[0]!.content === 'huge')).toHaveLength(2);
  });

  it('hands out copies: changing an answer does not change the cache', async () => {
    const cached = createLlmCache().wrap(mock());
    const first = await cached.complete(ask('q'));
    (first as { text: string }).text = 'tampered';
    const second = await cached.complete(ask('q'));
    (second as { text: string }).text = 'tampered again';
    expect((await cached.complete(ask('q'))).text).toBe('the answer is 42');
  });

  it('refuses an aborted call even on a hit', async () => {
    const cached = createLlmCache().wrap(mock());
    await cached.complete(ask('q'));
    const controller = new AbortController();
    controller.abort();
    await expect(cached.complete(ask('q'), { signal: controller.signal })).rejects.toMatchObject({
      code: 'AI_PROVIDER_ABORTED',
    });
    await expect(collect(cached.stream(ask('q'), { signal: controller.signal }))).rejects.toMatchObject({
      code: 'AI_PROVIDER_ABORTED',
    });
  });
});

describe('exact-match cache: streaming', () => {
  it('streams a miss through, then replays the same pieces and a done with zero usage', async () => {
    const provider = mock();
    const cached = createLlmCache().wrap(provider);
    const live = await collect(cached.stream(ask('q')));
    const replay = await collect(cached.stream(ask('q')));
    expect(provider.requests).toHaveLength(1);
    const texts = (events: StreamEvent[]) =>
      events.filter((e) => e.type === 'text').map((e) => (e as { text: string }).text);
    expect(texts(replay)).toEqual(['the ', 'answer ', 'is 42']);
    expect(texts(replay)).toEqual(texts(live));
    const done = replay.at(-1) as Extract<StreamEvent, { type: 'done' }>;
    expect(done.response).toMatchObject({ text: 'the answer is 42', usage: { inputTokens: 0, outputTokens: 0 } });
  });

  it('shares entries between complete and stream', async () => {
    const provider = mock();
    const cached = createLlmCache().wrap(provider);
    await collect(cached.stream(ask('q')));
    expect((await cached.complete(ask('q'))).text).toBe('the answer is 42');
    const other = createLlmCache().wrap(mock());
    await other.complete(ask('q'));
    const replay = await collect(other.stream(ask('q')));
    expect(replay.map((e) => e.type)).toEqual(['text', 'done']);
    expect(provider.requests).toHaveLength(1);
  });

  it('does not store a stream that failed midway', async () => {
    const provider = createMockProvider({
      replies: [
        { text: 'half an answer', error: new AiProviderError('AI_PROVIDER_BAD_RESPONSE', 'cut') },
        { text: 'whole' },
      ],
    });
    const cached = createLlmCache().wrap(provider);
    await expect(collect(cached.stream(ask('q')))).rejects.toMatchObject({ code: 'AI_PROVIDER_BAD_RESPONSE' });
    expect((await cached.complete(ask('q'))).text).toBe('whole');
    expect(provider.requests).toHaveLength(2);
  });

  it('does not store a stream the consumer left before done', async () => {
    const provider = mock();
    const cache = createLlmCache();
    const cached = cache.wrap(provider);
    for await (const event of cached.stream(ask('q'))) if (event.type === 'text') break;
    expect(cache.stats().entries).toBe(0);
  });
});

describe('exact-match cache: options', () => {
  it.each([
    { title: 'a zero maxEntries', options: { maxEntries: 0 }, pattern: /maxEntries/ },
    { title: 'a fractional maxBytes', options: { maxBytes: 1.5 }, pattern: /maxBytes/ },
    { title: 'a negative TTL', options: { ttlMs: -1 }, pattern: /ttlMs/ },
    {
      title: 'tool_calls as cacheable',
      options: { cacheableStopReasons: ['end', 'tool_calls'] },
      pattern: /tool_calls/,
    },
  ])('refuses $title', ({ options, pattern }) => {
    expect(() => createLlmCache(options as LlmCacheOptions)).toThrow(
      expect.objectContaining({ code: 'AI_LLMCACHE_INVALID_OPTIONS', message: expect.stringMatching(pattern) }),
    );
  });

  it('refuses a source without calls or without a name to key on', () => {
    const cache = createLlmCache();
    expect(() => cache.wrap({} as CompletionSource)).toThrow(/complete and stream/);
    const { name: _, ...nameless } = scripted('end');
    expect(() => cache.wrap(nameless)).toThrow(/namespace/);
    expect(cache.wrap(nameless, 'mine').name).toBe('mine');
  });
});
