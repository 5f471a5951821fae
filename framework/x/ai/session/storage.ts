import type { Message } from 'plumego/x/ai/provider';

/** One conversation as stored. `version` increases by one on every write (optimistic concurrency). */
export interface SessionRecord {
  id: string;
  messages: Message[];
  metadata: Record<string, string>;
  version: number;
  createdAt: number;
  updatedAt: number;
  /** Epoch ms after which the session reads as absent; undefined = never. */
  expiresAt: number | undefined;
}

/**
 * Where sessions live. Every implementation passes the same conformance suite
 * (`__tests__/storage-conformance.ts`): memory, SQLite, Redis.
 */
export interface SessionStorage {
  /** The record, or undefined when absent or expired. */
  read(id: string): Promise<SessionRecord | undefined>;
  /**
   * Stores `record` (whose `version` is `expectedVersion + 1`) only if the stored version is
   * `expectedVersion` (0 = must not exist); otherwise rejects with `AI_SESSION_CONFLICT`.
   */
  write(record: SessionRecord, expectedVersion: number): Promise<void>;
  /** True when a record was removed. */
  delete(id: string): Promise<boolean>;
}

export function isExpired(record: SessionRecord, now: number): boolean {
  return record.expiresAt !== undefined && record.expiresAt <= now;
}
