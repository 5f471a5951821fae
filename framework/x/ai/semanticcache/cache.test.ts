import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { AiProviderError, createMockProvider, type CompletionRequest, type StreamEvent } from 'plumego/x/ai/provider';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTableEmbedder } from './__tests__/embedder.ts';
import { createSemanticCache, type SemanticCacheOptions } from './cache.ts';
import type { AiSemanticCacheError } from './errors.ts';
import { PostgresSemanticStore } from './postgres-store.ts';
import { MemorySemanticStore, type SemanticCacheStore } from './store.ts';

const FRANCE = 'What is the capital of France?';
const PARAPHRASE = "What's France's capital city?"; // cosine 0.98
const LOOSE = 'Capital of France, roughly?'; // cosine 0.90
const JOKE = 'Tell me a joke'; // cosine 0

const ask = (content: string, extra: Partial<CompletionRequest> = {}): CompletionRequest => ({
  model: 'm1',
  messages: [{ role: 'user', content }],
  ...extra,
});
const echo = () => createMockProvider({ replies: (r) => ({ text: `answer to: ${r.messages.at(-1)!.content}` }) });

async function collect(stream: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const e of stream) events.push(e);
  return events;
}

describe('semantic cache', () => {
  it('answers a paraphrase from the stored answer, with zero usage', async () => {
    const provider = echo();
    const cache = createSemanticCache({ embedder: createTableEmbedder() });
    const ai = cache.wrap(provider);
    const first = await ai.complete(ask(FRANCE));
    const second = await ai.complete(ask(PARAPHRASE));
    expect(provider.requests).toHaveLength(1);
    expect(second.text).toBe(first.text);
    expect(second.usage).toEqual({ inputTokens: 0, outputTokens: 0 });
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 1, stores: 1, errors: 0 });
  });

  it('asks the provider for an unrelated question', async () => {
    const provider = echo();
    const ai = createSemanticCache({ embedder: createTableEmbedder() }).wrap(provider);
    await ai.complete(ask(FRANCE));
    expect((await ai.complete(ask(JOKE))).text).toBe(`answer to: ${JOKE}`);
    expect(provider.requests).toHaveLength(2);
  });

  it.each([
    { threshold: 0.95, hit: false },
    // Stored as float32, a cosine of 0.90 comes out a hair under 0.9.
    { threshold: 0.89, hit: true },
    { threshold: 0.85, hit: true },
  ])('with threshold $threshold a cosine of 0.90 is a hit: $hit', async ({ threshold, hit }) => {
    const provider = echo();
    const ai = createSemanticCache({ embedder: createTableEmbedder(), threshold }).wrap(provider);
    await ai.complete(ask(FRANCE));
    await ai.complete(ask(LOOSE));
    expect(provider.requests).toHaveLength(hit ? 1 : 2);
  });

  it.each([
    { title: 'another model', b: ask(FRANCE, { model: 'm2' }) },
    { title: 'another temperature', b: ask(FRANCE, { temperature: 1 }) },
    { title: 'tools', b: ask(FRANCE, { tools: [{ name: 't', description: 'd', inputSchema: { type: 'object' } }] }) },
    {
      title: 'another system prompt',
      b: {
        model: 'm1',
        messages: [
          { role: 'system' as const, content: 'Answer in French' },
          { role: 'user' as const, content: FRANCE },
        ],
      },
    },
  ])('never reuses an answer across the exact part of the request: $title', async ({ b }) => {
    const provider = echo();
    const ai = createSemanticCache({ embedder: createTableEmbedder() }).wrap(provider);
    await ai.complete(ask(FRANCE));
    await ai.complete(b);
    expect(provider.requests).toHaveLength(2);
  });

  it('never shares answers between providers or embedders', async () => {
    const embedder = createTableEmbedder('e1');
    const cache = createSemanticCache({ embedder });
    await cache.wrap(createMockProvider({ name: 'a', replies: [{ text: 'from a' }] })).complete(ask(FRANCE));
    expect(
      (await cache.wrap(createMockProvider({ name: 'b', replies: [{ text: 'from b' }] })).complete(ask(FRANCE))).text,
    ).toBe('from b');
    const shared = new MemorySemanticStore();
    const p = echo();
    await createSemanticCache({ embedder: createTableEmbedder('e1'), store: shared })
      .wrap(p)
      .complete(ask(FRANCE));
    await createSemanticCache({ embedder: createTableEmbedder('e2'), store: shared })
      .wrap(p)
      .complete(ask(FRANCE));
    expect(p.requests).toHaveLength(2);
  });

  it('lets multi-turn conversations through without embedding them', async () => {
    const embedder = createTableEmbedder();
    const provider = echo();
    const cache = createSemanticCache({ embedder });
    const ai = cache.wrap(provider);
    const convo: CompletionRequest = {
      model: 'm1',
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: 'hello' },
        { role: 'user', content: FRANCE },
      ],
    };
    await ai.complete(convo);
    await ai.complete(convo);
    expect(provider.requests).toHaveLength(2);
    expect(embedder.calls).toEqual([]);
    expect(cache.stats().bypassed).toBe(2);
  });

  it('embeds each prompt once: a miss stores with the lookup’s vector', async () => {
    const embedder = createTableEmbedder();
    await createSemanticCache({ embedder }).wrap(echo()).complete(ask(FRANCE));
    expect(embedder.calls).toEqual([[FRANCE]]);
  });

  it('never stores an answer waiting on tool calls, nor an error', async () => {
    const provider = createMockProvider({
      replies: [
        { toolCalls: [{ id: 'c', name: 'search', arguments: {} }] },
        { error: new AiProviderError('AI_PROVIDER_OVERLOADED', 'busy') },
        { text: 'fine' },
      ],
    });
    const cache = createSemanticCache({ embedder: createTableEmbedder() });
    const ai = cache.wrap(provider);
    expect((await ai.complete(ask(FRANCE))).stopReason).toBe('tool_calls');
    await expect(ai.complete(ask(FRANCE))).rejects.toMatchObject({ code: 'AI_PROVIDER_OVERLOADED' });
    expect((await ai.complete(ask(FRANCE))).text).toBe('fine');
    expect(cache.stats().stores).toBe(1);
  });

  it('expires answers after the TTL', async () => {
    let now = 0;
    const provider = echo();
    const ai = createSemanticCache({ embedder: createTableEmbedder(), ttlMs: 1_000, now: () => now }).wrap(provider);
    await ai.complete(ask(FRANCE));
    now = 999;
    await ai.complete(ask(PARAPHRASE));
    now = 1_000;
    await ai.complete(ask(PARAPHRASE));
    expect(provider.requests).toHaveLength(2);
  });

  it('streams a miss through and replays a hit as text and done', async () => {
    const provider = echo();
    const ai = createSemanticCache({ embedder: createTableEmbedder() }).wrap(provider);
    const live = await collect(ai.stream(ask(FRANCE)));
    const replay = await collect(ai.stream(ask(PARAPHRASE)));
    expect(provider.requests).toHaveLength(1);
    expect(replay).toEqual([
      { type: 'text', text: `answer to: ${FRANCE}` },
      {
        type: 'done',
        response: expect.objectContaining({ text: `answer to: ${FRANCE}`, usage: { inputTokens: 0, outputTokens: 0 } }),
      },
    ]);
    expect(live.at(-1)).toMatchObject({ type: 'done' });
  });

  it('refuses an aborted call on a hit', async () => {
    const ai = createSemanticCache({ embedder: createTableEmbedder() }).wrap(echo());
    await ai.complete(ask(FRANCE));
    await expect(ai.complete(ask(PARAPHRASE), { signal: AbortSignal.abort() })).rejects.toMatchObject({
      code: 'AI_PROVIDER_ABORTED',
    });
  });
});

describe('semantic cache failures fail open', () => {
  it.each([
    {
      title: 'an embedder that throws',
      embed: async () => Promise.reject(new Error('embedding endpoint down')),
      code: 'AI_SEMANTIC_CACHE_EMBED_FAILED',
    },
    { title: 'a NaN in the vector', embed: async () => [[Number.NaN, 1]], code: 'AI_SEMANTIC_CACHE_INVALID_EMBEDDING' },
    { title: 'a zero vector', embed: async () => [[0, 0]], code: 'AI_SEMANTIC_CACHE_INVALID_EMBEDDING' },
    { title: 'two vectors for one text', embed: async () => [[1], [1]], code: 'AI_SEMANTIC_CACHE_INVALID_EMBEDDING' },
    { title: 'no vectors', embed: async () => undefined, code: 'AI_SEMANTIC_CACHE_INVALID_EMBEDDING' },
  ])('answers from the provider despite $title, and reports it', async ({ embed, code }) => {
    const errors: AiSemanticCacheError[] = [];
    const provider = echo();
    const cache = createSemanticCache({
      embedder: { name: 'broken', embed: embed as never },
      onError: (e) => errors.push(e),
    });
    const ai = cache.wrap(provider);
    expect((await ai.complete(ask(FRANCE))).text).toBe(`answer to: ${FRANCE}`);
    expect((await ai.complete(ask(FRANCE))).text).toBe(`answer to: ${FRANCE}`);
    expect(provider.requests).toHaveLength(2);
    expect(errors.map((e) => e.code)).toEqual([code, code]);
    expect(cache.stats()).toMatchObject({ errors: 2, stores: 0 });
  });

  it('answers from the provider when the store fails, without writing to it', async () => {
    const errors: AiSemanticCacheError[] = [];
    let puts = 0;
    const store: SemanticCacheStore = {
      search: () => Promise.reject(new Error('store down')),
      put: async () => void puts++,
      size: async () => 0,
      clear: async () => undefined,
    };
    const ai = createSemanticCache({ embedder: createTableEmbedder(), store, onError: (e) => errors.push(e) }).wrap(
      echo(),
    );
    expect((await ai.complete(ask(FRANCE))).text).toBe(`answer to: ${FRANCE}`);
    expect(puts).toBe(0);
    expect(errors.map((e) => e.code)).toEqual(['AI_SEMANTIC_CACHE_STORE_FAILED']);
    expect((errors[0]!.cause as Error).message).toBe('store down');
  });

  it('does not count an abort during embedding as a cache failure', async () => {
    const errors: unknown[] = [];
    const embedder = {
      name: 'slow',
      embed: (_: readonly string[], o?: { signal?: AbortSignal }) =>
        Promise.reject(o?.signal?.reason ?? new Error('aborted')),
    };
    const ai = createSemanticCache({ embedder, onError: (e) => errors.push(e) }).wrap(echo());
    await expect(ai.complete(ask(FRANCE), { signal: AbortSignal.abort() })).rejects.toMatchObject({
      code: 'AI_PROVIDER_ABORTED',
    });
    expect(errors).toEqual([]);
  });
});

describe('semantic cache options', () => {
  it.each([
    { title: 'no embedder', options: {}, pattern: /embedder/ },
    { title: 'a nameless embedder', options: { embedder: { name: '', embed: async () => [] } }, pattern: /embedder/ },
    { title: 'a zero threshold', options: { embedder: createTableEmbedder(), threshold: 0 }, pattern: /threshold/ },
    {
      title: 'a threshold above 1',
      options: { embedder: createTableEmbedder(), threshold: 1.01 },
      pattern: /threshold/,
    },
    { title: 'a fractional TTL', options: { embedder: createTableEmbedder(), ttlMs: 0.5 }, pattern: /ttlMs/ },
    {
      title: 'tool_calls as cacheable',
      options: { embedder: createTableEmbedder(), cacheableStopReasons: ['tool_calls'] },
      pattern: /tool_calls/,
    },
    { title: 'a store without search', options: { embedder: createTableEmbedder(), store: {} }, pattern: /store/ },
  ])('refuses $title', ({ options, pattern }) => {
    expect(() => createSemanticCache(options as SemanticCacheOptions)).toThrow(
      expect.objectContaining({ code: 'AI_SEMANTIC_CACHE_INVALID_OPTIONS', message: expect.stringMatching(pattern) }),
    );
  });
});

const services = inject('services');

describe.skipIf(!services.postgres)('semantic cache on PostgreSQL', () => {
  const schema = `semcache_${randomUUID().replaceAll('-', '')}`;
  let pool: pg.Pool;

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: services.postgres!, max: 2 });
    await pool.query(`create schema ${schema}`);
  });
  afterAll(async () => {
    await pool?.query(`drop schema if exists ${schema} cascade`);
    await pool?.end();
  });

  it('answers a paraphrase from an answer another cache instance stored', async () => {
    const store = new PostgresSemanticStore({ client: pool, schema });
    await store.init();
    const provider = echo();
    await createSemanticCache({ embedder: createTableEmbedder(), store }).wrap(provider).complete(ask(FRANCE));
    const later = createSemanticCache({
      embedder: createTableEmbedder(),
      store: new PostgresSemanticStore({ client: pool, schema }),
    });
    expect((await later.wrap(provider).complete(ask(PARAPHRASE))).text).toBe(`answer to: ${FRANCE}`);
    expect((await later.wrap(provider).complete(ask(JOKE))).text).toBe(`answer to: ${JOKE}`);
    expect(provider.requests).toHaveLength(2);
    expect(later.stats()).toMatchObject({ hits: 1, misses: 1 });
  });
});
