import { AI_SESSION_ERROR_CODES, AiSessionError } from './errors.ts';
import { isExpired, type SessionRecord, type SessionStorage } from './storage.ts';

/** In-process storage: the default, and the reference for the conformance suite. Records are copied in and out. */
export class MemorySessionStorage implements SessionStorage {
  readonly #records = new Map<string, string>();
  readonly #now: () => number;

  constructor(options: { now?: () => number } = {}) {
    this.#now = options.now ?? Date.now;
  }

  #load(id: string): SessionRecord | undefined {
    const raw = this.#records.get(id);
    if (raw === undefined) return undefined;
    const record = JSON.parse(raw) as SessionRecord;
    if (!isExpired(record, this.#now())) return record;
    this.#records.delete(id);
    return undefined;
  }

  async read(id: string): Promise<SessionRecord | undefined> {
    return this.#load(id);
  }

  async write(record: SessionRecord, expectedVersion: number): Promise<void> {
    const current = this.#load(record.id)?.version ?? 0;
    if (current !== expectedVersion)
      throw new AiSessionError(AI_SESSION_ERROR_CODES.conflict, 'session changed concurrently', {
        expectedVersion,
        actualVersion: current,
      });
    this.#records.set(record.id, JSON.stringify(record));
  }

  async delete(id: string): Promise<boolean> {
    const existed = this.#load(id) !== undefined;
    this.#records.delete(id);
    return existed;
  }
}
