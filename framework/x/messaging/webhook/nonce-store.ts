import { assertOption } from './errors.ts';

/** Remembers nonces (or delivery ids) until they expire, so a captured request cannot be replayed. */
export interface NonceStore {
  /** True when the nonce was new and is now remembered until `expiresAt` (epoch ms); false when seen. */
  claim(nonce: string, expiresAt: number): Promise<boolean>;
}

export interface MemoryNonceStoreOptions {
  /** Most nonces kept; when full the soonest-expiring are evicted first. Default 100 000. */
  readonly maxEntries?: number;
  /** Clock. Default `Date.now`. */
  readonly now?: () => number;
}

/** A bounded in-process nonce store (one process; use a shared store when several replicas receive). */
export class MemoryNonceStore implements NonceStore {
  private readonly seen = new Map<string, number>();
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: MemoryNonceStoreOptions = {}) {
    this.maxEntries = options.maxEntries ?? 100_000;
    assertOption(Number.isInteger(this.maxEntries) && this.maxEntries >= 1, 'maxEntries', 'must be a positive integer');
    this.now = options.now ?? Date.now;
  }

  async claim(nonce: string, expiresAt: number): Promise<boolean> {
    const now = this.now();
    const until = this.seen.get(nonce);
    if (until !== undefined && until > now) return false;
    if (this.seen.size >= this.maxEntries) this.evict(now);
    this.seen.set(nonce, expiresAt);
    return true;
  }

  private evict(now: number): void {
    for (const [k, until] of this.seen) if (until <= now) this.seen.delete(k);
    if (this.seen.size < this.maxEntries) return;
    // Still full of live nonces: drop the soonest to expire; they are the least useful to keep.
    const sorted = [...this.seen].sort((a, b) => a[1] - b[1]);
    for (const [k] of sorted.slice(0, Math.ceil(this.maxEntries / 10))) this.seen.delete(k);
  }
}
