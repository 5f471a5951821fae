import type { CompletionResponse } from 'plumego/x/ai/provider';
import { AI_SEMANTIC_CACHE_ERROR_CODES, AiSemanticCacheError } from './errors.ts';
import { MemorySemanticStore, type SemanticCacheEntry, type SemanticCacheStore, type SemanticMatch } from './store.ts';

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
  /** Rows kept in the table (oldest deleted first), enforced every `pruneEvery` writes. Default 100 000. */
  maxEntries?: number;
  /** Default 100. */
  pruneEvery?: number;
  /** Entries this process keeps in its in-memory index (the newest; across partitions). Default 10 000. */
  maxIndexedEntries?: number;
}

const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * PostgreSQL storage under an in-memory vector index (no pgvector on the target machines). Rows hold the
 * vector as `real[]`; every lookup first pulls the partition's rows added since the last pull (one indexed
 * query on `(partition, seq)`, so answers stored by other instances are found), then scans the in-memory
 * index exactly: O(n·d) multiply-adds in JS for n entries of d dimensions. The first lookup of a partition
 * loads its newest `maxIndexedEntries` rows. Deletions by other instances are seen only through expiry.
 */
export class PostgresSemanticStore implements SemanticCacheStore {
  readonly #client: SqlClient;
  readonly #table: string;
  readonly #indexName: string;
  readonly #maxEntries: number;
  readonly #pruneEvery: number;
  readonly #maxIndexed: number;
  readonly #index: MemorySemanticStore;
  /** Highest `seq` pulled per partition (a bigint, kept as text). */
  readonly #watermarks = new Map<string, string>();
  #writes = 0;

  constructor(options: PostgresSemanticStoreOptions) {
    const bad = (what: string) =>
      new AiSemanticCacheError(AI_SEMANTIC_CACHE_ERROR_CODES.invalidOptions, `PostgreSQL store: ${what}`);
    if (typeof options?.client?.query !== 'function') throw bad('client must have query(text, values)');
    const table = options.table ?? 'plumego_semantic_cache';
    if (!IDENT.test(table)) throw bad('table must match [a-z_][a-z0-9_]{0,62}');
    if (options.schema !== undefined && !IDENT.test(options.schema))
      throw bad('schema must match [a-z_][a-z0-9_]{0,62}');
    this.#maxEntries = options.maxEntries ?? 100_000;
    this.#pruneEvery = options.pruneEvery ?? 100;
    this.#maxIndexed = options.maxIndexedEntries ?? 10_000;
    if (!Number.isInteger(this.#maxEntries) || this.#maxEntries <= 0)
      throw bad('maxEntries must be a positive integer');
    if (!Number.isInteger(this.#pruneEvery) || this.#pruneEvery <= 0)
      throw bad('pruneEvery must be a positive integer');
    if (!Number.isInteger(this.#maxIndexed) || this.#maxIndexed <= 0)
      throw bad('maxIndexedEntries must be a positive integer');
    this.#client = options.client;
    this.#table = options.schema === undefined ? `"${table}"` : `"${options.schema}"."${table}"`;
    this.#indexName = options.schema === undefined ? table : `${options.schema}_${table}`;
    this.#index = new MemorySemanticStore({ maxEntries: this.#maxIndexed });
  }

  /** Creates the table and its indexes when missing; safe to run on every start. */
  async init(): Promise<void> {
    await this.#query(
      `CREATE TABLE IF NOT EXISTS ${this.#table} (
        id text PRIMARY KEY,
        seq bigserial NOT NULL,
        partition text NOT NULL,
        dims integer NOT NULL,
        embedding real[] NOT NULL,
        response jsonb NOT NULL,
        created_at bigint NOT NULL,
        expires_at bigint NOT NULL
      )`,
    );
    await this.#query(
      `CREATE INDEX IF NOT EXISTS "${this.#indexName}_partition_seq_idx" ON ${this.#table} (partition, seq)`,
    );
    await this.#query(`CREATE INDEX IF NOT EXISTS "${this.#indexName}_created_idx" ON ${this.#table} (created_at)`);
  }

  async search(
    partition: string,
    vector: Float32Array,
    threshold: number,
    now: number,
  ): Promise<SemanticMatch | undefined> {
    await this.#pull(partition, now);
    return this.#index.search(partition, vector, threshold, now);
  }

  async put(entry: SemanticCacheEntry, now: number): Promise<void> {
    await this.#query(
      `INSERT INTO ${this.#table} (id, partition, dims, embedding, response, created_at, expires_at)
       VALUES ($1, $2, $3, $4::real[], $5::jsonb, $6, $7)
       ON CONFLICT (id) DO UPDATE SET seq = DEFAULT, dims = EXCLUDED.dims, embedding = EXCLUDED.embedding,
         response = EXCLUDED.response, created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at`,
      [
        entry.id,
        entry.partition,
        entry.vector.length,
        Array.from(entry.vector),
        JSON.stringify(entry.response),
        now,
        entry.expiresAt,
      ],
    );
    await this.#index.put(entry);
    if (++this.#writes % this.#pruneEvery === 0) await this.prune(now);
  }

  /** Rows of `partition` added since the last pull (by any instance) into the index; the newest first time. */
  async #pull(partition: string, now: number): Promise<void> {
    const since = this.#watermarks.get(partition);
    const columns = 'id, seq::text AS seq, embedding, response, expires_at::float8 AS expires_at';
    const { rows } =
      since === undefined
        ? await this.#query(
            `SELECT ${columns} FROM ${this.#table} WHERE partition = $1 AND expires_at > $2 ORDER BY seq DESC LIMIT $3`,
            [partition, now, this.#maxIndexed],
          )
        : await this.#query(
            `SELECT ${columns} FROM ${this.#table} WHERE partition = $1 AND seq > $2::bigint ORDER BY seq LIMIT $3`,
            [partition, since, this.#maxIndexed],
          );
    if (since === undefined) rows.reverse();
    let watermark = since ?? '0';
    for (const row of rows) {
      const seq = String(row['seq']);
      if (BigInt(seq) > BigInt(watermark)) watermark = seq;
      const embedding = row['embedding'] as number[];
      await this.#index.put({
        id: String(row['id']),
        partition,
        vector: Float32Array.from(embedding),
        response: row['response'] as CompletionResponse,
        expiresAt: Number(row['expires_at']),
      });
    }
    this.#watermarks.set(partition, watermark);
  }

  /** Deletes expired rows and the oldest beyond `maxEntries`. Runs by itself every `pruneEvery` writes. */
  async prune(now: number): Promise<void> {
    await this.#query(`DELETE FROM ${this.#table} WHERE expires_at <= $1`, [now]);
    await this.#query(
      `DELETE FROM ${this.#table} WHERE id IN (SELECT id FROM ${this.#table} ORDER BY created_at DESC, id OFFSET $1)`,
      [this.#maxEntries],
    );
  }

  /** Rows in the table (all partitions, expired ones until pruned). */
  async size(): Promise<number> {
    const { rows } = await this.#query(`SELECT count(*)::int AS n FROM ${this.#table}`);
    return Number(rows[0]?.['n'] ?? 0);
  }

  async clear(): Promise<void> {
    await this.#query(`DELETE FROM ${this.#table}`);
    await this.#index.clear();
    this.#watermarks.clear();
  }

  async #query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }> {
    try {
      return await this.#client.query(text, values);
    } catch (error) {
      // The driver's message may quote values; it stays on `cause`.
      throw new AiSemanticCacheError(
        AI_SEMANTIC_CACHE_ERROR_CODES.storeFailed,
        'the semantic cache store failed',
        { store: 'postgres' },
        error,
      );
    }
  }
}
