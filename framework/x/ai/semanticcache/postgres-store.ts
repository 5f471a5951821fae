import type { CompletionResponse } from 'plumego/x/ai/provider';
import { AI_SEMANTIC_CACHE_ERROR_CODES, AiSemanticCacheError } from './errors.ts';
import type { SemanticCacheEntry, SemanticCacheStore, SemanticMatch } from './store.ts';

/** What the store needs of a PostgreSQL client: `pg`'s `Pool` and `Client` both fit. */
export interface SqlClient {
  query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

export interface PostgresSemanticStoreOptions {
  client: SqlClient;
  /** Default `plumego_semantic_cache`. */
  table?: string;
  /** Default: the connection's `search_path`. */
  schema?: string;
  /** Rows kept (oldest deleted first), enforced every `pruneEvery` writes. Default 100 000. */
  maxEntries?: number;
  /** Default 100. */
  pruneEvery?: number;
}

const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * PostgreSQL storage without pgvector: vectors are `real[]` and the cosine (a dot product of normalized
 * vectors) is computed by the server over every unexpired row of the partition with the query's length —
 * a sequential scan of O(n·d) per lookup (the `(partition, dims, expires_at)` index narrows it to the
 * partition, never below). Fine for thousands of entries per partition; beyond that, use pgvector.
 */
export class PostgresSemanticStore implements SemanticCacheStore {
  readonly #client: SqlClient;
  readonly #table: string;
  readonly #maxEntries: number;
  readonly #pruneEvery: number;
  #writes = 0;

  constructor(options: PostgresSemanticStoreOptions) {
    const bad = (what: string) => new AiSemanticCacheError(AI_SEMANTIC_CACHE_ERROR_CODES.invalidOptions, `PostgreSQL store: ${what}`);
    if (typeof options?.client?.query !== 'function') throw bad('client must have query(text, values)');
    const table = options.table ?? 'plumego_semantic_cache';
    if (!IDENT.test(table)) throw bad('table must match [a-z_][a-z0-9_]{0,62}');
    if (options.schema !== undefined && !IDENT.test(options.schema)) throw bad('schema must match [a-z_][a-z0-9_]{0,62}');
    this.#maxEntries = options.maxEntries ?? 100_000;
    this.#pruneEvery = options.pruneEvery ?? 100;
    if (!Number.isInteger(this.#maxEntries) || this.#maxEntries <= 0) throw bad('maxEntries must be a positive integer');
    if (!Number.isInteger(this.#pruneEvery) || this.#pruneEvery <= 0) throw bad('pruneEvery must be a positive integer');
    this.#client = options.client;
    this.#table = options.schema === undefined ? `"${table}"` : `"${options.schema}"."${table}"`;
  }

  /** Creates the table and its index when missing; safe to run on every start. */
  async init(): Promise<void> {
    await this.#query(
      `CREATE TABLE IF NOT EXISTS ${this.#table} (
        id text PRIMARY KEY,
        partition text NOT NULL,
        dims integer NOT NULL,
        embedding real[] NOT NULL,
        response jsonb NOT NULL,
        created_at bigint NOT NULL,
        expires_at bigint NOT NULL
      )`,
    );
    const base = this.#table.replaceAll('"', '').replace('.', '_');
    await this.#query(`CREATE INDEX IF NOT EXISTS "${base}_partition_idx" ON ${this.#table} (partition, dims, expires_at)`);
    await this.#query(`CREATE INDEX IF NOT EXISTS "${base}_created_idx" ON ${this.#table} (created_at)`);
  }

  async search(partition: string, vector: Float32Array, threshold: number, now: number): Promise<SemanticMatch | undefined> {
    const { rows } = await this.#query(
      `SELECT response, score FROM (
         SELECT response, (SELECT sum(a::float8 * b::float8) FROM unnest(embedding, $2::real[]) AS v(a, b)) AS score
         FROM ${this.#table} WHERE partition = $1 AND dims = $3 AND expires_at > $4
       ) m WHERE score >= $5 ORDER BY score DESC LIMIT 1`,
      [partition, Array.from(vector), vector.length, now, threshold],
    );
    const row = rows[0];
    return row && { response: row['response'] as CompletionResponse, score: Number(row['score']) };
  }

  async put(entry: SemanticCacheEntry, now: number): Promise<void> {
    await this.#query(
      `INSERT INTO ${this.#table} (id, partition, dims, embedding, response, created_at, expires_at)
       VALUES ($1, $2, $3, $4::real[], $5::jsonb, $6, $7)
       ON CONFLICT (id) DO UPDATE SET dims = EXCLUDED.dims, embedding = EXCLUDED.embedding, response = EXCLUDED.response,
         created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at`,
      [entry.id, entry.partition, entry.vector.length, Array.from(entry.vector), JSON.stringify(entry.response), now, entry.expiresAt],
    );
    if (++this.#writes % this.#pruneEvery === 0) await this.prune(now);
  }

  /** Deletes expired rows and the oldest beyond `maxEntries`. Runs by itself every `pruneEvery` writes. */
  async prune(now: number): Promise<void> {
    await this.#query(`DELETE FROM ${this.#table} WHERE expires_at <= $1`, [now]);
    await this.#query(`DELETE FROM ${this.#table} WHERE id IN (SELECT id FROM ${this.#table} ORDER BY created_at DESC, id OFFSET $1)`, [this.#maxEntries]);
  }

  async size(): Promise<number> {
    const { rows } = await this.#query(`SELECT count(*)::int AS n FROM ${this.#table}`);
    return Number(rows[0]?.['n'] ?? 0);
  }

  async clear(): Promise<void> {
    await this.#query(`DELETE FROM ${this.#table}`);
  }

  async #query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }> {
    try {
      return await this.#client.query(text, values);
    } catch (error) {
      // The driver's message may quote values; it stays on `cause`.
      throw new AiSemanticCacheError(AI_SEMANTIC_CACHE_ERROR_CODES.storeFailed, 'the semantic cache store failed', { store: 'postgres' }, error);
    }
  }
}
