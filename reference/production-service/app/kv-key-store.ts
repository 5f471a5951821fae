import { parseJwtKey, serializeJwtKey, type JwtKey, type JwtKeyStore } from 'plumego/security';
import type { KvStore } from 'plumego/store';

const KEY_PREFIX = 'jwt:keys:';
const ACTIVE = 'jwt:active';

/**
 * JWT keys in the durable KV store, so tokens stay valid across restarts and every process that
 * shares the data directory signs with the same active key. The layout follows the reference
 * (`jwt:keys:<kid>`, `jwt:active`).
 */
export class KvJwtKeyStore implements JwtKeyStore {
  readonly #cache = new Map<string, JwtKey>();
  constructor(private readonly kv: KvStore) {}

  async getKey(kid: string): Promise<JwtKey | undefined> {
    const cached = this.#cache.get(kid);
    if (cached !== undefined) return cached;
    const raw = await this.kv.find(KEY_PREFIX + kid);
    if (raw === undefined) return undefined;
    const key = parseJwtKey(raw.toString('utf8'));
    this.#cache.set(kid, key);
    return key;
  }
  async putKey(key: JwtKey): Promise<void> {
    await this.kv.set(KEY_PREFIX + key.kid, serializeJwtKey(key));
    this.#cache.set(key.kid, key);
  }
  async deleteKey(kid: string): Promise<void> {
    await this.kv.delete(KEY_PREFIX + kid);
    this.#cache.delete(kid);
  }
  async listKeys(): Promise<JwtKey[]> {
    const kids = (await this.kv.keys({ prefix: KEY_PREFIX, limit: 10_000 })).map((k) => k.slice(KEY_PREFIX.length));
    const keys = await Promise.all(kids.map((kid) => this.getKey(kid)));
    return keys.filter((k): k is JwtKey => k !== undefined);
  }
  async getActiveKid(): Promise<string | undefined> {
    return (await this.kv.find(ACTIVE))?.toString('utf8');
  }
  async setActiveKid(kid: string): Promise<void> {
    await this.kv.set(ACTIVE, kid);
  }
}
