import { describe, expect, it } from 'vitest';
import {
  AI_PROVIDER_ERROR_CODES,
  AiProviderError,
  createMockProvider,
  createProviderManager,
  type Message,
  type MockReply,
} from 'plumego/x/ai/provider';
import { trimToBudget } from './budget.ts';
import { createSessionManager } from './manager.ts';
import { MemorySessionStorage } from './memory-storage.ts';
import type { SessionRecord, SessionStorage } from './storage.ts';
import { SUMMARY_PREFIX, isSummaryMessage, summarizeHistory, type SummaryPolicy } from './summarize.ts';

// One token per message: budgets in these tests read as message counts.
const perMessage = (messages: readonly Message[]) => messages.length;
const sys: Message = { role: 'system', content: 'be nice' };
const u = (n: number | string): Message => ({ role: 'user', content: `u${n}` });
const a = (n: number | string): Message => ({ role: 'assistant', content: `a${n}` });
const call: Message = {
  role: 'assistant',
  content: '',
  toolCalls: [{ id: 'c1', name: 'get_weather', arguments: { city: 'Paris' } }],
};
const result: Message = { role: 'tool', toolCallId: 'c1', content: '21C' };
const summary = (text: string): Message => ({ role: 'system', content: SUMMARY_PREFIX + text });

const summariser = (...replies: MockReply[]) =>
  createMockProvider({ name: 'summariser', replies: replies.length ? replies : [{ text: 'They talked.' }] });
// A summary costs at most 1 token here, plus 1 for its message: 2 tokens of every budget are reserved.
const policy = (provider: SummaryPolicy['provider'], extra: Partial<SummaryPolicy> = {}): SummaryPolicy => ({
  provider,
  model: 'small',
  maxSummaryTokens: 1,
  ...extra,
});

describe('summarizeHistory', () => {
  it('leaves a history that fits alone and calls nobody', async () => {
    const p = summariser();
    expect(
      await summarizeHistory([sys, u(1), a(1)], { maxTokens: 3, policy: policy(p), count: perMessage }),
    ).toBeUndefined();
    expect(p.requests).toHaveLength(0);
  });

  it('replaces the older turns by one summary after the system prompt and keeps the newest up to the target', async () => {
    const p = summariser({ text: '  The user asked twice.  ' });
    const out = await summarizeHistory([sys, u(1), a(1), u(2), a(2), u(3)], {
      maxTokens: 5,
      policy: policy(p, { targetTokens: 5 }),
      count: perMessage,
    });
    // Target 5 − 2 reserved = 3 for the system prompt and recent turns: [sys, a2, u3] fits, but the kept part
    // must open with a user turn, so a2 goes into the summary.
    expect(out).toEqual([sys, summary('The user asked twice.'), u(3)]);
    const asked = p.requests[0]!;
    expect(asked).toMatchObject({ model: 'small', maxTokens: 1, messages: [{ role: 'system' }, { role: 'user' }] });
    expect(asked.messages[1]!.content).toContain('User: u1\nAssistant: a1');
    expect(asked.messages[1]!.content).not.toContain('be nice');
  });

  it('keeps exactly the turns that fit the target, at the boundary', async () => {
    const history = [sys, u(1), a(1), u(2), a(2), u(3), a(3), u(4)];
    // Target 4 → 2 for system + recent: [sys, u4].
    expect(
      await summarizeHistory(history, {
        maxTokens: 7,
        policy: policy(summariser(), { targetTokens: 4 }),
        count: perMessage,
      }),
    ).toEqual([sys, summary('They talked.'), u(4)]);
    // Target 6 → 4: [sys, u3, a3, u4] fits exactly.
    expect(
      await summarizeHistory(history, {
        maxTokens: 7,
        policy: policy(summariser(), { targetTokens: 6 }),
        count: perMessage,
      }),
    ).toEqual([sys, summary('They talked.'), u(3), a(3), u(4)]);
    // A target above the budget is capped by it: 7 − 2 = 5 leaves [sys, a2, u3, a3, u4], cut to its user turn.
    expect(
      await summarizeHistory(history, {
        maxTokens: 7,
        policy: policy(summariser(), { targetTokens: 50 }),
        count: perMessage,
      }),
    ).toEqual([sys, summary('They talked.'), u(3), a(3), u(4)]);
  });

  it('never separates a tool result from its call, whatever the target', async () => {
    const history = [u(1), a(1), u(2), call, result, a(2), u(3)];
    for (let target = 1; target <= 9; target++) {
      const p = summariser();
      const out = await summarizeHistory(history, {
        maxTokens: 6,
        policy: policy(p, { targetTokens: target }),
        count: perMessage,
      });
      const kept = out!.slice(1);
      expect(kept[0]?.role, `target ${target}`).toBe('user');
      expect(kept.includes(call), `target ${target}`).toBe(kept.includes(result));
      const sent = p.requests[0]!.messages[1]!.content;
      expect(sent.includes('called tool get_weather'), `target ${target}`).toBe(
        sent.includes('Tool result for c1: 21C'),
      );
    }
  });

  it('summarises the assistant turns cut off at the front of the kept part instead of losing them', async () => {
    const p = summariser();
    const out = await summarizeHistory([u(0), u(1), a(1), a('late'), u(2)], {
      maxTokens: 4,
      policy: policy(p, { targetTokens: 4 }),
      count: perMessage,
    });
    expect(out).toEqual([summary('They talked.'), u(2)]);
    expect(p.requests[0]!.messages[1]!.content).toContain('Assistant: alate');
  });

  it('keeps the newest turn word for word past the target, reaching back to its user turn', async () => {
    const long = (n: number): Message => ({ role: 'assistant', content: 'x'.repeat(n) });
    const chars = (ms: readonly Message[]) => ms.reduce((n, m) => n + m.content.length, 0);
    // Reserve: 10 + the prefix; the target leaves nothing for recent turns, the hard limit (70) room for u2 + reply.
    const maxTokens = 10 + SUMMARY_PREFIX.length + 70;
    const history = [u(1), long(60), u(2), long(60)];
    expect(chars(history)).toBeGreaterThan(maxTokens);
    const out = await summarizeHistory(history, {
      maxTokens,
      policy: { provider: summariser(), model: 'm', maxSummaryTokens: 10, targetTokens: 5 },
      count: chars,
    });
    expect(out).toEqual([summary('They talked.'), u(2), long(60)]);
  });

  it('merges a previous summary into the new one and stores only one', async () => {
    const p = summariser({ text: 'merged' });
    const out = await summarizeHistory([sys, summary('old facts'), u(4), a(4), u(5)], {
      maxTokens: 4,
      policy: policy(p, { targetTokens: 4 }),
      count: perMessage,
    });
    expect(out).toEqual([sys, summary('merged'), u(5)]);
    expect(out!.filter(isSummaryMessage)).toHaveLength(1);
    expect(p.requests[0]!.messages[1]!.content).toMatch(
      /^Summary so far:\nold facts\n\nConversation since:\nUser: u4\nAssistant: a4$/,
    );
  });

  it('returns nothing when not even the newest turn would fit beside a summary (the caller trims, and fails)', async () => {
    const p = summariser();
    expect(
      await summarizeHistory([sys, u(1), a(1)], { maxTokens: 2, policy: policy(p), count: perMessage }),
    ).toBeUndefined();
    expect(await summarizeHistory([u(1)], { maxTokens: 0, policy: policy(p), count: perMessage })).toBeUndefined();
    expect(p.requests).toHaveLength(0);
  });

  it('rejects an empty summary with AI_SESSION_SUMMARY_FAILED', async () => {
    await expect(
      summarizeHistory([u(1), a(1), u(2), a(2), u(3)], {
        maxTokens: 3,
        policy: policy(summariser({ text: '   ' })),
        count: perMessage,
      }),
    ).rejects.toMatchObject({ code: 'AI_SESSION_SUMMARY_FAILED', status: 502 });
  });

  it('passes the task label to the provider, so a by_task manager can route the summary', async () => {
    const cheap = summariser({ text: 'cheap summary' });
    const big = createMockProvider({ name: 'big', replies: [{ text: 'big summary' }] });
    const manager = createProviderManager({
      strategy: 'by_task',
      routes: [{ provider: big }, { provider: cheap, model: 'tiny' }],
      tasks: { summarize: [{ provider: 'summariser' }] },
    });
    const history = [u(1), a(1), u(2), a(2), u(3)];
    const out = await summarizeHistory(history, {
      maxTokens: 3,
      policy: { provider: manager, model: 'ignored', maxSummaryTokens: 1, task: 'summarize' },
      count: perMessage,
    });
    expect(out).toEqual([summary('cheap summary'), u(3)]);
    expect(cheap.requests[0]?.model).toBe('tiny');
    expect(big.requests).toHaveLength(0);
    // Without a label the manager's default order applies: no task is invented.
    expect(
      await summarizeHistory(history, {
        maxTokens: 3,
        policy: { provider: manager, model: 'm', maxSummaryTokens: 1 },
        count: perMessage,
      }),
    ).toEqual([summary('big summary'), u(3)]);
  });
});

describe('session manager with a summary policy', () => {
  const history = [u(1), a(1), u(2), call, result, a(2), u(3)];
  const setup = (summary: SummaryPolicy, storage: SessionStorage = new MemorySessionStorage()) => {
    const manager = createSessionManager({ storage, countTokens: perMessage, maxContextTokens: 5, summary });
    return { manager, storage };
  };

  it('stores the summary in place of the older turns and does not summarise again while the history fits', async () => {
    const p = summariser({ text: 'Weather in Paris was 21C.' });
    const { manager } = setup(policy(p, { targetTokens: 5 }));
    await manager.create({ id: 's1', system: 'be nice' });
    await manager.append('s1', ...history);
    const context = await manager.getContext('s1');
    // The tool round trip and a2 went into the summary together; u3 stays word for word.
    expect(context).toEqual([sys, summary('Weather in Paris was 21C.'), u(3)]);
    expect(p.requests[0]!.messages[1]!.content).toContain(
      'Assistant called tool get_weather (call c1) with {"city":"Paris"}\nTool result for c1: 21C\nAssistant: a2',
    );
    const stored = (await manager.get('s1'))!;
    expect(stored.version).toBe(3);
    expect(stored.messages).toEqual(context);
    await manager.getContext('s1');
    expect(p.requests).toHaveLength(1);
  });

  it('truncates by default when the summariser fails, leaving the stored history as it was and telling onError', async () => {
    const busy = new AiProviderError(AI_PROVIDER_ERROR_CODES.overloaded, 'busy');
    const seen: unknown[] = [];
    const { manager } = setup(policy(summariser({ error: busy }), { targetTokens: 5, onError: (e) => seen.push(e) }));
    await manager.create({ id: 's2', system: 'be nice' });
    await manager.append('s2', ...history);
    expect(await manager.getContext('s2')).toEqual(await trimToBudget([sys, ...history], 5, perMessage));
    expect((await manager.get('s2'))!.version).toBe(2);
    expect(seen).toEqual([busy]);
    // A hook that throws does not turn the absorbed failure into a failed request.
    const { manager: m2 } = setup(
      policy(summariser({ error: busy }), {
        onError: () => {
          throw new Error('hook broke');
        },
      }),
    );
    await m2.create({ id: 's2b' });
    await m2.append('s2b', ...history);
    expect(await m2.getContext('s2b')).toEqual(await trimToBudget(history, 5, perMessage));
  });

  it("rejects with AI_SESSION_SUMMARY_FAILED under onFailure 'throw', keeping the provider error as the cause", async () => {
    const cause = new AiProviderError(AI_PROVIDER_ERROR_CODES.upstream, 'down');
    const { manager } = setup(policy(summariser({ error: cause }), { onFailure: 'throw' }));
    await manager.create({ id: 's3' });
    await manager.append('s3', ...history);
    const error = await manager.getContext('s3').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'AI_SESSION_SUMMARY_FAILED', status: 502 });
    expect((error as Error).cause).toBe(cause);
    expect((await manager.get('s3'))!.version).toBe(2);
  });

  it("rejects when the caller aborts the summary, even under 'truncate'", async () => {
    const { manager } = setup(policy(summariser({ text: 'late', delayMs: 10_000 })));
    await manager.create({ id: 's4' });
    await manager.append('s4', ...history);
    const controller = new AbortController();
    const pending = manager.getContext('s4', { signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'AI_PROVIDER_ABORTED' });
    expect((await manager.get('s4'))!.version).toBe(2);
  });

  it('rebases the summary onto turns appended while it was being written, without a second summary call', async () => {
    const storage = new MemorySessionStorage();
    // The provider's script needs the manager, and the manager needs the provider: assigned once, below.
    // eslint-disable-next-line prefer-const
    let manager!: ReturnType<typeof createSessionManager>;
    const p = createMockProvider({
      replies: (_req, n) => {
        // Another request appends to the session while the summary is being written.
        if (n === 0) void manager.append('s5', a(3), u(4));
        return { text: 'summary one' };
      },
    });
    manager = createSessionManager({
      storage,
      countTokens: perMessage,
      maxContextTokens: 6,
      summary: policy(p, { targetTokens: 5 }),
    });
    await manager.create({ id: 's5' });
    await manager.append('s5', ...history);
    await manager.getContext('s5');
    const stored = (await manager.get('s5'))!;
    expect(p.requests).toHaveLength(1);
    expect(stored.messages[0]).toEqual(summary('summary one'));
    expect(stored.messages.slice(-2)).toEqual([a(3), u(4)]);
    expect(stored.version).toBe(4);
  });

  it('summarises afresh when another writer changed the older turns meanwhile', async () => {
    const inner = new MemorySessionStorage();
    let raced = false;
    const racy: SessionStorage = {
      read: (id) => inner.read(id),
      delete: (id) => inner.delete(id),
      write: async (r: SessionRecord, v: number) => {
        if (!raced && r.messages.some(isSummaryMessage)) {
          raced = true;
          // Another instance summarised first, with its own words.
          const cur = (await inner.read(r.id))!;
          await inner.write(
            { ...cur, messages: [summary('theirs'), u(2), call, result, a(2), u(3)], version: cur.version + 1 },
            cur.version,
          );
        }
        return inner.write(r, v);
      },
    };
    const p = summariser({ text: 'mine' });
    const { manager } = setup(policy(p, { targetTokens: 4 }), racy);
    await manager.create({ id: 's6' });
    await manager.append('s6', ...history);
    const context = await manager.getContext('s6');
    expect(p.requests).toHaveLength(2);
    expect(p.requests[1]!.messages[1]!.content).toContain('Summary so far:\ntheirs');
    expect(context[0]).toEqual(summary('mine'));
  });

  it.each([
    { title: 'a missing provider', summary: { model: 'm' }, match: /summary\.provider/ },
    { title: 'an empty model', summary: { provider: summariser(), model: '' }, match: /summary\.model/ },
    {
      title: 'a zero summary size',
      summary: { provider: summariser(), model: 'm', maxSummaryTokens: 0 },
      match: /maxSummaryTokens/,
    },
    {
      title: 'a fractional target',
      summary: { provider: summariser(), model: 'm', targetTokens: 1.5 },
      match: /targetTokens/,
    },
    {
      title: 'an unknown failure policy',
      summary: { provider: summariser(), model: 'm', onFailure: 'ignore' },
      match: /onFailure/,
    },
    {
      title: 'blank instructions',
      summary: { provider: summariser(), model: 'm', instructions: ' ' },
      match: /instructions/,
    },
    { title: 'a negative timeout', summary: { provider: summariser(), model: 'm', timeoutMs: -1 }, match: /timeoutMs/ },
    { title: 'an empty task label', summary: { provider: summariser(), model: 'm', task: '' }, match: /summary\.task/ },
    {
      title: 'a hook that is not a function',
      summary: { provider: summariser(), model: 'm', onError: 'log' },
      match: /onError/,
    },
  ])('rejects $title when built', ({ summary: bad, match }) => {
    expect(() =>
      createSessionManager({ storage: new MemorySessionStorage(), summary: bad as unknown as SummaryPolicy }),
    ).toThrow(match);
  });
});
