import { randomUUID } from 'node:crypto';
import type { Message } from 'plumego/x/ai/provider';
import { estimateTokens, trimToBudget, type TokenCounter } from './budget.ts';
import { AI_SESSION_ERROR_CODES, AiSessionError, assertOption, isAiSessionError } from './errors.ts';
import type { SessionRecord, SessionStorage } from './storage.ts';

export interface SessionManagerOptions {
  storage: SessionStorage;
  /** Idle lifetime: every write pushes expiry this far out. Default 24 h; 0 = never expires. */
  ttlMs?: number;
  /** Stored history cap; the oldest non-system messages are dropped beyond it. Default 200. */
  maxMessages?: number;
  /** Token budget `getContext` trims to. Default 8000. */
  maxContextTokens?: number;
  /** Token counter for the budget. Default `estimateTokens` (4 chars per token + 4 per message). */
  countTokens?: TokenCounter;
  /** Largest content of one message, in characters. Default 100 000. */
  maxMessageChars?: number;
  now?: () => number;
}

const DEFAULT_SESSION_MANAGER = { ttlMs: 86_400_000, maxMessages: 200, maxContextTokens: 8000, maxMessageChars: 100_000 } as const;

const ID = /^[A-Za-z0-9_-]{1,128}$/;
// Optimistic writes retried this often before a conflict reaches the caller.
const WRITE_ATTEMPTS = 3;

function assertId(id: string): void {
  if (typeof id !== 'string' || !ID.test(id)) throw new AiSessionError(AI_SESSION_ERROR_CODES.invalidId, 'session id must be 1-128 characters of A-Z a-z 0-9 _ -');
}

/** Checks a message's shape at the boundary: stored history must be replayable to any provider. */
function assertMessage(m: unknown, maxChars: number): asserts m is Message {
  const bad = (why: string): never => {
    throw new AiSessionError(AI_SESSION_ERROR_CODES.invalidMessage, `invalid message: ${why}`);
  };
  if (typeof m !== 'object' || m === null) bad('not an object');
  const msg = m as Record<string, unknown>;
  if (!['system', 'user', 'assistant', 'tool'].includes(msg['role'] as string)) bad('unknown role');
  if (typeof msg['content'] !== 'string') bad('content must be a string');
  if ((msg['content'] as string).length > maxChars) bad(`content longer than ${maxChars} characters`);
  if (msg['role'] === 'tool' && (typeof msg['toolCallId'] !== 'string' || msg['toolCallId'] === '')) bad('tool message without toolCallId');
  if (msg['toolCalls'] !== undefined) {
    if (msg['role'] !== 'assistant' || !Array.isArray(msg['toolCalls'])) bad('toolCalls only on assistant messages, as an array');
    for (const c of msg['toolCalls'] as unknown[]) {
      const call = c as Record<string, unknown>;
      if (typeof call?.['id'] !== 'string' || typeof call['name'] !== 'string' || typeof call['arguments'] !== 'object' || call['arguments'] === null) bad('tool call needs id, name and arguments');
    }
  }
}

/** Creates, extends and trims conversations over any `SessionStorage`. */
export class SessionManager {
  readonly #storage: SessionStorage;
  readonly #ttlMs: number;
  readonly #maxMessages: number;
  readonly #maxContextTokens: number;
  readonly #maxMessageChars: number;
  readonly #count: TokenCounter;
  readonly #now: () => number;

  constructor(options: SessionManagerOptions) {
    assertOption(typeof options.storage?.read === 'function', 'storage', 'is required');
    this.#storage = options.storage;
    this.#ttlMs = options.ttlMs ?? DEFAULT_SESSION_MANAGER.ttlMs;
    this.#maxMessages = options.maxMessages ?? DEFAULT_SESSION_MANAGER.maxMessages;
    this.#maxContextTokens = options.maxContextTokens ?? DEFAULT_SESSION_MANAGER.maxContextTokens;
    this.#maxMessageChars = options.maxMessageChars ?? DEFAULT_SESSION_MANAGER.maxMessageChars;
    this.#count = options.countTokens ?? estimateTokens;
    this.#now = options.now ?? Date.now;
    assertOption(Number.isFinite(this.#ttlMs) && this.#ttlMs >= 0, 'ttlMs', 'must be >= 0');
    assertOption(Number.isInteger(this.#maxMessages) && this.#maxMessages > 0, 'maxMessages', 'must be a positive integer');
    assertOption(Number.isInteger(this.#maxContextTokens) && this.#maxContextTokens > 0, 'maxContextTokens', 'must be a positive integer');
    assertOption(Number.isInteger(this.#maxMessageChars) && this.#maxMessageChars > 0, 'maxMessageChars', 'must be a positive integer');
  }

  #expiry(now: number): number | undefined {
    return this.#ttlMs === 0 ? undefined : now + this.#ttlMs;
  }

  /** Starts a session; `id` defaults to a random UUID. A system prompt becomes the first message. */
  async create(init: { id?: string; system?: string; metadata?: Record<string, string> } = {}): Promise<SessionRecord> {
    const id = init.id ?? randomUUID();
    assertId(id);
    const messages: Message[] = init.system === undefined ? [] : [{ role: 'system', content: init.system }];
    messages.forEach((m) => assertMessage(m, this.#maxMessageChars));
    const now = this.#now();
    const record: SessionRecord = { id, messages, metadata: { ...init.metadata }, version: 1, createdAt: now, updatedAt: now, expiresAt: this.#expiry(now) };
    await this.#storage.write(record, 0);
    return record;
  }

  async get(id: string): Promise<SessionRecord | undefined> {
    assertId(id);
    return this.#storage.read(id);
  }

  /** Appends messages (retrying a concurrent write), caps the stored history and renews the expiry. */
  async append(id: string, ...messages: Message[]): Promise<SessionRecord> {
    assertId(id);
    messages.forEach((m) => assertMessage(m, this.#maxMessageChars));
    for (let attempt = 1; ; attempt++) {
      const current = await this.#storage.read(id);
      if (!current) throw new AiSessionError(AI_SESSION_ERROR_CODES.notFound, 'no such session (never created or expired)');
      const now = this.#now();
      const next: SessionRecord = { ...current, messages: this.#cap([...current.messages, ...messages]), version: current.version + 1, updatedAt: now, expiresAt: this.#expiry(now) };
      try {
        await this.#storage.write(next, current.version);
        return next;
      } catch (error) {
        if (!(isAiSessionError(error) && error.code === AI_SESSION_ERROR_CODES.conflict) || attempt >= WRITE_ATTEMPTS) throw error;
      }
    }
  }

  #cap(messages: Message[]): Message[] {
    if (messages.length <= this.#maxMessages) return messages;
    const system = messages.filter((m) => m.role === 'system');
    const rest = messages.filter((m) => m.role !== 'system');
    return [...system, ...rest.slice(rest.length - Math.max(0, this.#maxMessages - system.length))];
  }

  /** The history to send to a model: trimmed to the token budget (see `trimToBudget`). */
  async getContext(id: string, options: { maxTokens?: number } = {}): Promise<Message[]> {
    const record = await this.get(id);
    if (!record) throw new AiSessionError(AI_SESSION_ERROR_CODES.notFound, 'no such session (never created or expired)');
    return trimToBudget(record.messages, options.maxTokens ?? this.#maxContextTokens, this.#count);
  }

  async delete(id: string): Promise<boolean> {
    assertId(id);
    return this.#storage.delete(id);
  }
}

export function createSessionManager(options: SessionManagerOptions): SessionManager {
  return new SessionManager(options);
}
