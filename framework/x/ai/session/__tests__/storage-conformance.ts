// Test-only: the one suite every SessionStorage passes (memory, SQLite, Redis).
import { describe, expect, it } from 'vitest';
import { createMockProvider, type Message } from 'plumego/x/ai/provider';
import { createSessionManager } from '../manager.ts';
import type { SessionRecord, SessionStorage } from '../storage.ts';
import { SUMMARY_PREFIX } from '../summarize.ts';

export interface StorageFixture {
  storage: SessionStorage;
  /** Moves the storage's clock forward. */
  advance(ms: number): void;
}

const record = (id: string, version: number, extra: Partial<SessionRecord> = {}): SessionRecord => ({
  id,
  messages: [{ role: 'user', content: `v${version} — ünïcödé "quoted"\nnewline` }],
  metadata: { tenant: 'acme' },
  version,
  createdAt: 1,
  updatedAt: version,
  expiresAt: undefined,
  ...extra,
});

export function describeSessionStorage(name: string, make: () => StorageFixture): void {
  describe(`session storage conformance: ${name}`, () => {
    const id = () => `s-${Math.random().toString(36).slice(2)}`;

    it(`${name}: reads back exactly what was written`, async () => {
      const { storage } = make();
      const r = record(id(), 1, {
        messages: [
          { role: 'assistant', content: '', toolCalls: [{ id: 'c', name: 'n', arguments: { a: [1, { b: null }] } }] },
          { role: 'tool', toolCallId: 'c', content: 'ok', isError: true },
        ],
      });
      await storage.write(r, 0);
      expect(await storage.read(r.id)).toEqual(r);
    });

    it(`${name}: reads an unknown id as undefined`, async () => {
      expect(await make().storage.read(id())).toBeUndefined();
    });

    it(`${name}: refuses to create over an existing record`, async () => {
      const { storage } = make();
      const sid = id();
      await storage.write(record(sid, 1), 0);
      await expect(storage.write(record(sid, 1), 0)).rejects.toMatchObject({ code: 'AI_SESSION_CONFLICT' });
    });

    it(`${name}: compare-and-set accepts the expected version and refuses a stale one`, async () => {
      const { storage } = make();
      const sid = id();
      await storage.write(record(sid, 1), 0);
      await storage.write(record(sid, 2), 1);
      await expect(storage.write(record(sid, 2), 1)).rejects.toMatchObject({
        code: 'AI_SESSION_CONFLICT',
        status: 409,
      });
      await expect(storage.write(record(sid, 4), 3)).rejects.toMatchObject({ code: 'AI_SESSION_CONFLICT' });
      expect((await storage.read(sid))?.version).toBe(2);
    });

    it(`${name}: refuses an update of a record that does not exist`, async () => {
      await expect(make().storage.write(record(id(), 2), 1)).rejects.toMatchObject({ code: 'AI_SESSION_CONFLICT' });
    });

    it(`${name}: lets exactly one of two concurrent writers of one version win`, async () => {
      const { storage } = make();
      const sid = id();
      await storage.write(record(sid, 1), 0);
      const results = await Promise.allSettled([
        storage.write(record(sid, 2, { metadata: { w: 'a' } }), 1),
        storage.write(record(sid, 2, { metadata: { w: 'b' } }), 1),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    });

    it(`${name}: hides an expired record and lets it be created again`, async () => {
      const fx = make();
      const sid = id();
      await fx.storage.write(record(sid, 1, { expiresAt: 1_000_000 + 5_000 }), 0);
      expect(await fx.storage.read(sid)).toBeDefined();
      fx.advance(5_001);
      expect(await fx.storage.read(sid)).toBeUndefined();
      await fx.storage.write(record(sid, 1), 0);
      expect((await fx.storage.read(sid))?.version).toBe(1);
    });

    it(`${name}: deletes and reports whether something was there`, async () => {
      const { storage } = make();
      const sid = id();
      await storage.write(record(sid, 1), 0);
      expect(await storage.delete(sid)).toBe(true);
      expect(await storage.read(sid)).toBeUndefined();
      expect(await storage.delete(sid)).toBe(false);
    });

    it(`${name}: stores a summarised history through the session manager and reads it back`, async () => {
      const { storage } = make();
      const summariser = createMockProvider({ replies: [{ text: 'They checked the weather in Paris.' }] });
      // One token per message; a 1-token summary reserves 2 of the 6, the target leaves 3 for system + recent turns.
      const manager = createSessionManager({
        storage,
        ttlMs: 0,
        countTokens: (ms: readonly Message[]) => ms.length,
        maxContextTokens: 6,
        summary: { provider: summariser, model: 'm', maxSummaryTokens: 1, targetTokens: 5 },
      });
      const sid = id();
      await manager.create({ id: sid, system: 'be nice' });
      await manager.append(
        sid,
        { role: 'user', content: 'weather?' },
        {
          role: 'assistant',
          content: '',
          toolCalls: [{ id: 'c1', name: 'get_weather', arguments: { city: 'Paris' } }],
        },
        { role: 'tool', toolCallId: 'c1', content: '21C' },
        { role: 'assistant', content: 'It is 21C.' },
        { role: 'user', content: 'and tomorrow?' },
        {
          role: 'assistant',
          content: '',
          toolCalls: [{ id: 'c2', name: 'get_weather', arguments: { city: 'Paris', day: 1 } }],
        },
        { role: 'tool', toolCallId: 'c2', content: '19C' },
      );
      await manager.getContext(sid);
      const stored = await storage.read(sid);
      expect(stored?.version).toBe(3);
      // The newest round trip does not fit the target alone without its user turn, so both stay, whole.
      expect(stored?.messages).toEqual([
        { role: 'system', content: 'be nice' },
        { role: 'system', content: `${SUMMARY_PREFIX}They checked the weather in Paris.` },
        { role: 'user', content: 'and tomorrow?' },
        {
          role: 'assistant',
          content: '',
          toolCalls: [{ id: 'c2', name: 'get_weather', arguments: { city: 'Paris', day: 1 } }],
        },
        { role: 'tool', toolCallId: 'c2', content: '19C' },
      ]);
    });
  });
}
