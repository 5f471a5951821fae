import { randomUUID } from 'node:crypto';
import type { Message } from 'plumego/x/ai/provider';
import { estimateTokens, trimToBudget, type TokenCounter } from './budget.ts';
import { AI_SESSION_ERROR_CODES, AiSessionError, assertOption, isAiSessionError } from './errors.ts';
import type { SessionRecord, SessionStorage } from './storage.ts';
import { assertSummaryPolicy, isAbort, summarizeHistory, type SummaryPolicy } from './summarize.ts';

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
  /**
   * Replace older turns by a provider-written summary when the history exceeds the budget (in `getContext`,
   * stored back with a compare-and-set). Without it, older turns are only trimmed from the context.
   */
  summary?: SummaryPolicy;
  now?: () => number;
}

const DEFAULT_SESSION_MANAGER = {
  ttlMs: 86_400_000,
  maxMessages: 200,
  maxContextTokens: 8000,
  maxMessageChars: 100_000,
} as const;

const ID = /^[A-Za-z0-9_-]{1,128}$/;
// Optimistic writes retried this often before a conflict reaches the caller.
const WRITE_ATTEMPTS = 3;

function assertId(id: string): void {
  if (typeof id !== 'string' || !ID.test(id))
    throw new AiSessionError(
      AI_SESSION_ERROR_CODES.invalidId,
      'session id must be 1-128 characters of A-Z a-z 0-9 _ -',
    );
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
  if (msg['role'] === 'tool' && (typeof msg['toolCallId'] !== 'string' || msg['toolCallId'] === ''))
    bad('tool message without toolCallId');
  if (msg['toolCalls'] !== undefined) {
    if (msg['role'] !== 'assistant' || !Array.isArray(msg['toolCalls']))
      bad('toolCalls only on assistant messages, as an array');
    for (const c of msg['toolCalls'] as unknown[]) {
      const call = c as Record<string, unknown>;
      if (
        typeof call?.['id'] !== 'string' ||
        typeof call['name'] !== 'string' ||
        typeof call['arguments'] !== 'object' ||
        call['arguments'] === null
      )
        bad('tool call needs id, name and arguments');
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
  readonly #summary: SummaryPolicy | undefined;

  constructor(options: SessionManagerOptions) {
    assertOption(typeof options.storage?.read === 'function', 'storage', 'is required');
    this.#storage = options.storage;
    this.#ttlMs = options.ttlMs ?? DEFAULT_SESSION_MANAGER.ttlMs;
    this.#maxMessages = options.maxMessages ?? DEFAULT_SESSION_MANAGER.maxMessages;
    this.#maxContextTokens = options.maxContextTokens ?? DEFAULT_SESSION_MANAGER.maxContextTokens;
    this.#maxMessageChars = options.maxMessageChars ?? DEFAULT_SESSION_MANAGER.maxMessageChars;
    this.#count = options.countTokens ?? estimateTokens;
    this.#now = options.now ?? Date.now;
    this.#summary = options.summary;
    if (this.#summary !== undefined) assertSummaryPolicy(this.#summary);
    assertOption(Number.isFinite(this.#ttlMs) && this.#ttlMs >= 0, 'ttlMs', 'must be >= 0');
    assertOption(
      Number.isInteger(this.#maxMessages) && this.#maxMessages > 0,
      'maxMessages',
      'must be a positive integer',
    );
    assertOption(
      Number.isInteger(this.#maxContextTokens) && this.#maxContextTokens > 0,
      'maxContextTokens',
      'must be a positive integer',
    );
    assertOption(
      Number.isInteger(this.#maxMessageChars) && this.#maxMessageChars > 0,
      'maxMessageChars',
      'must be a positive integer',
    );
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
    const record: SessionRecord = {
      id,
      messages,
      metadata: { ...init.metadata },
      version: 1,
      createdAt: now,
      updatedAt: now,
      expiresAt: this.#expiry(now),
    };
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
      if (!current)
        throw new AiSessionError(AI_SESSION_ERROR_CODES.notFound, 'no such session (never created or expired)');
      const now = this.#now();
      const next: SessionRecord = {
        ...current,
        messages: this.#cap([...current.messages, ...messages]),
        version: current.version + 1,
        updatedAt: now,
        expiresAt: this.#expiry(now),
      };
      try {
        await this.#storage.write(next, current.version);
        return next;
      } catch (error) {
        if (!(isAiSessionError(error) && error.code === AI_SESSION_ERROR_CODES.conflict) || attempt >= WRITE_ATTEMPTS)
          throw error;
      }
    }
  }

  #cap(messages: Message[]): Message[] {
    if (messages.length <= this.#maxMessages) return messages;
    const system = messages.filter((m) => m.role === 'system');
    const rest = messages.filter((m) => m.role !== 'system');
    return [...system, ...rest.slice(rest.length - Math.max(0, this.#maxMessages - system.length))];
  }

  /**
   * The history to send to a model, within the token budget: with a `summary` policy, older turns over the
   * budget are first replaced by a summary (stored); then `trimToBudget` applies. `signal` aborts the summary call.
   */
  async getContext(id: string, options: { maxTokens?: number; signal?: AbortSignal } = {}): Promise<Message[]> {
    let record = await this.get(id);
    if (!record)
      throw new AiSessionError(AI_SESSION_ERROR_CODES.notFound, 'no such session (never created or expired)');
    const budget = options.maxTokens ?? this.#maxContextTokens;
    if (this.#summary) record = await this.#summarize(record, budget, this.#summary, options.signal);
    return trimToBudget(record.messages, budget, this.#count);
  }

  /**
   * Summarises and stores with a compare-and-set. A concurrent append only adds at the end, so a lost write
   * is rebased onto the newer record without a second summary call; any other change summarises afresh.
   */
  async #summarize(
    record: SessionRecord,
    budget: number,
    policy: SummaryPolicy,
    signal: AbortSignal | undefined,
  ): Promise<SessionRecord> {
    let base = record;
    let compacted: Message[] | undefined;
    for (let attempt = 1; ; attempt++) {
      if (compacted === undefined) {
        try {
          compacted = await summarizeHistory(base.messages, {
            maxTokens: budget,
            policy,
            count: this.#count,
            ...(signal ? { signal } : {}),
          });
        } catch (error) {
          if (isAbort(error, signal)) throw error;
          if (policy.onFailure === 'throw') {
            if (isAiSessionError(error)) throw error;
            throw new AiSessionError(
              AI_SESSION_ERROR_CODES.summaryFailed,
              'could not summarise the older turns',
              {},
              error,
            );
          }
          try {
            policy.onError?.(error);
          } catch {
            // A failing hook must not turn an absorbed failure into a failed request.
          }
          return base;
        }
        if (compacted === undefined) return base;
      }
      const now = this.#now();
      const next: SessionRecord = {
        ...base,
        messages: compacted,
        version: base.version + 1,
        updatedAt: now,
        expiresAt: this.#expiry(now),
      };
      try {
        await this.#storage.write(next, base.version);
        return next;
      } catch (error) {
        if (!(isAiSessionError(error) && error.code === AI_SESSION_ERROR_CODES.conflict) || attempt >= WRITE_ATTEMPTS)
          throw error;
      }
      const fresh = await this.#storage.read(base.id);
      if (!fresh)
        throw new AiSessionError(AI_SESSION_ERROR_CODES.notFound, 'no such session (never created or expired)');
      compacted = onlyAppended(fresh.messages, base.messages)
        ? [...compacted, ...fresh.messages.slice(base.messages.length)]
        : undefined;
      base = fresh;
    }
  }

  async delete(id: string): Promise<boolean> {
    assertId(id);
    return this.#storage.delete(id);
  }
}

/** True when `longer` is `prefix` followed by more messages (a record another writer only appended to). */
function onlyAppended(longer: readonly Message[], prefix: readonly Message[]): boolean {
  return longer.length >= prefix.length && prefix.every((m, i) => JSON.stringify(m) === JSON.stringify(longer[i]));
}

export function createSessionManager(options: SessionManagerOptions): SessionManager {
  return new SessionManager(options);
}
