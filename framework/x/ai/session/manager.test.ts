import { describe, expect, it } from 'vitest';
import type { Message } from 'plumego/x/ai/provider';
import { estimateTokens, trimToBudget } from './budget.ts';
import { createSessionManager } from './manager.ts';
import { MemorySessionStorage } from './memory-storage.ts';
import type { SessionRecord, SessionStorage } from './storage.ts';

// One token per message: budgets in these tests read as message counts.
const perMessage = (messages: readonly Message[]) => messages.length;

describe('trimToBudget', () => {
  const sys: Message = { role: 'system', content: 'be nice' };
  const u = (n: number): Message => ({ role: 'user', content: `u${n}` });
  const a = (n: number): Message => ({ role: 'assistant', content: `a${n}` });
  const call: Message = { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 't', arguments: {} }] };
  const result: Message = { role: 'tool', toolCallId: 'c1', content: 'r' };

  it.each([
    { title: 'keeps everything under the budget', input: [sys, u(1), a(1)], budget: 10, expected: [sys, u(1), a(1)] },
    {
      title: 'keeps the system prompt and the newest turns, exactly at the boundary',
      input: [sys, u(1), a(1), u(2), a(2)],
      budget: 3,
      expected: [sys, u(2), a(2)],
    },
    {
      title: 'drops an assistant turn left at the front',
      input: [sys, u(1), a(1), u(2), a(2)],
      budget: 4,
      expected: [sys, u(2), a(2)],
    },
    {
      title: 'never separates a tool result from its call',
      input: [u(1), call, result, a(2)],
      budget: 3,
      expected: [] as Message[],
    },
    {
      title: 'keeps a tool round trip whole when it fits',
      input: [u(0), u(1), call, result, a(2)],
      budget: 4,
      expected: [u(1), call, result, a(2)],
    },
  ])('$title', async ({ input, budget, expected }) => {
    if (expected.length === 0) {
      await expect(trimToBudget(input, budget, perMessage)).rejects.toMatchObject({
        code: 'AI_SESSION_BUDGET_EXCEEDED',
        status: 413,
      });
    } else {
      expect(await trimToBudget(input, budget, perMessage)).toEqual(expected);
    }
  });

  it('fails when the newest turn alone exceeds the budget', async () => {
    await expect(trimToBudget([sys, u(1)], 1, perMessage)).rejects.toMatchObject({
      code: 'AI_SESSION_BUDGET_EXCEEDED',
    });
  });

  it('estimates 4 characters per token plus 4 per message', () => {
    expect(estimateTokens([{ role: 'user', content: 'x'.repeat(40) }])).toBe(14);
  });
});

describe('session manager', () => {
  const setup = (options: Partial<Parameters<typeof createSessionManager>[0]> = {}) => {
    let now = 1_000;
    const storage = new MemorySessionStorage({ now: () => now });
    const manager = createSessionManager({ storage, now: () => now, ...options });
    return { manager, storage, advance: (ms: number) => (now += ms) };
  };

  it('creates with a system prompt, appends turns and renews expiry', async () => {
    const { manager, advance } = setup({ ttlMs: 1_000 });
    const s = await manager.create({ id: 'chat-1', system: 'be brief', metadata: { user: 'u1' } });
    expect(s).toMatchObject({
      id: 'chat-1',
      version: 1,
      expiresAt: 2_000,
      messages: [{ role: 'system', content: 'be brief' }],
    });
    advance(900);
    const after = await manager.append(
      'chat-1',
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: 'hello' },
    );
    expect(after).toMatchObject({ version: 2, expiresAt: 2_900 });
    advance(900);
    expect((await manager.get('chat-1'))?.messages).toHaveLength(3);
    advance(1_001);
    expect(await manager.get('chat-1')).toBeUndefined();
    await expect(manager.append('chat-1', { role: 'user', content: 'late' })).rejects.toMatchObject({
      code: 'AI_SESSION_NOT_FOUND',
      status: 404,
    });
  });

  it('generates a UUID id when none is given', async () => {
    const { manager } = setup();
    expect((await manager.create()).id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('caps the stored history but keeps the system prompt', async () => {
    const { manager } = setup({ maxMessages: 3 });
    await manager.create({ id: 'cap', system: 's' });
    for (let i = 0; i < 5; i++) await manager.append('cap', { role: 'user', content: `m${i}` });
    expect((await manager.get('cap'))?.messages.map((m) => m.content)).toEqual(['s', 'm3', 'm4']);
  });

  it('trims the context to the token budget', async () => {
    const { manager } = setup({ countTokens: perMessage, maxContextTokens: 3 });
    await manager.create({ id: 'ctx', system: 's' });
    await manager.append(
      'ctx',
      { role: 'user', content: 'u1' },
      { role: 'assistant', content: 'a1' },
      { role: 'user', content: 'u2' },
    );
    expect((await manager.getContext('ctx')).map((m) => m.content)).toEqual(['s', 'u2']);
    expect((await manager.getContext('ctx', { maxTokens: 10 })).map((m) => m.content)).toEqual(['s', 'u1', 'a1', 'u2']);
  });

  it('retries an append that lost a concurrent write, then gives up with a conflict', async () => {
    const inner = new MemorySessionStorage();
    let competing = 1;
    const racy: SessionStorage = {
      read: (id) => inner.read(id),
      delete: (id) => inner.delete(id),
      write: async (r: SessionRecord, v: number) => {
        if (r.version > 1 && competing-- > 0) {
          // Another writer lands between our read and our write.
          const cur = (await inner.read(r.id))!;
          await inner.write(
            {
              ...cur,
              messages: [...cur.messages, { role: 'user', content: 'other writer' }],
              version: cur.version + 1,
            },
            cur.version,
          );
        }
        return inner.write(r, v);
      },
    };
    const manager = createSessionManager({ storage: racy });
    await manager.create({ id: 'race' });
    const after = await manager.append('race', { role: 'user', content: 'mine' });
    expect(after.messages.map((m) => m.content)).toEqual(['other writer', 'mine']);
    expect(after.version).toBe(3);

    let attempts = 0;
    const hopeless: SessionStorage = {
      ...racy,
      write: (r, v) => (r.version === 1 ? inner.write(r, v) : (attempts++, inner.write(r, v + 100))),
    };
    const m2 = createSessionManager({ storage: hopeless });
    await m2.create({ id: 'race2' });
    await expect(m2.append('race2', { role: 'user', content: 'x' })).rejects.toMatchObject({
      code: 'AI_SESSION_CONFLICT',
      status: 409,
    });
    expect(attempts).toBe(3);
  });

  it.each([
    {
      title: 'an id with a slash',
      call: (m: ReturnType<typeof setup>['manager']) => m.get('../etc'),
      code: 'AI_SESSION_INVALID_ID',
    },
    {
      title: 'an empty id',
      call: (m: ReturnType<typeof setup>['manager']) => m.create({ id: '' }),
      code: 'AI_SESSION_INVALID_ID',
    },
    {
      title: 'an unknown role',
      call: (m: ReturnType<typeof setup>['manager']) =>
        m.append('ok', { role: 'root', content: 'x' } as unknown as Message),
      code: 'AI_SESSION_INVALID_MESSAGE',
    },
    {
      title: 'non-string content',
      call: (m: ReturnType<typeof setup>['manager']) =>
        m.append('ok', { role: 'user', content: 42 } as unknown as Message),
      code: 'AI_SESSION_INVALID_MESSAGE',
    },
    {
      title: 'a tool message without its call id',
      call: (m: ReturnType<typeof setup>['manager']) =>
        m.append('ok', { role: 'tool', content: 'x' } as unknown as Message),
      code: 'AI_SESSION_INVALID_MESSAGE',
    },
    {
      title: 'tool calls on a user message',
      call: (m: ReturnType<typeof setup>['manager']) =>
        m.append('ok', { role: 'user', content: 'x', toolCalls: [] } as unknown as Message),
      code: 'AI_SESSION_INVALID_MESSAGE',
    },
    {
      title: 'an oversized message',
      call: (m: ReturnType<typeof setup>['manager']) => m.append('ok', { role: 'user', content: 'x'.repeat(101) }),
      code: 'AI_SESSION_INVALID_MESSAGE',
    },
  ])('rejects $title', async ({ call, code }) => {
    const s = setup({ maxMessageChars: 100 });
    await s.manager.create({ id: 'ok' });
    await expect(call(s.manager)).rejects.toMatchObject({ code, status: 400 });
    expect((await s.manager.get('ok'))?.version).toBe(1);
  });

  it('rejects bad options when built', () => {
    expect(() => createSessionManager({ storage: new MemorySessionStorage(), maxMessages: 0 })).toThrow(/maxMessages/);
    expect(() => createSessionManager({} as never)).toThrow(/storage/);
  });
});
