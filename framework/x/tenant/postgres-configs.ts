import { validateTenantConfig, type TenantConfig, type TenantConfigSource } from './config.ts';
import { assertOption, TENANT_ERROR_CODES, TenantError } from './errors.ts';

/** The slice of a `pg` Pool this store uses (the app owns the pool). */
export interface PgPoolLike {
  query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  connect(): Promise<PgListenClient>;
}

export interface PgListenClient {
  query(text: string, values?: unknown[]): Promise<unknown>;
  // One loose signature: pg types `on` as a generic over every event, which overloads cannot match.
  on(event: 'notification' | 'error', listener: (arg: any) => void): unknown;
  release(err?: Error | boolean): void;
}

export interface PostgresTenantConfigsOptions {
  pool: PgPoolLike;
  /** Table name (default `plumego_tenant_configs`); a plain identifier. */
  table?: string;
  /** NOTIFY channel (default `plumego_tenant_config`). */
  channel?: string;
  /** How long a cached config is trusted without a notification (default 30 s; 0 disables the cache). */
  cacheTtlMs?: number;
  /** Most cached tenants (default 10 000). */
  maxCached?: number;
  now?: () => number;
}

const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Tenant configs in PostgreSQL, with a bounded read cache that every instance invalidates through
 * LISTEN/NOTIFY: a `set` or `delete` on one instance reaches the others' next request. Until
 * `start()` has a listening connection (or after it broke), reads bypass the cache, so a missed
 * notification can never keep a stale config alive.
 */
export class PostgresTenantConfigs implements TenantConfigSource {
  readonly #pool: PgPoolLike;
  readonly #table: string;
  readonly #channel: string;
  readonly #ttl: number;
  readonly #max: number;
  readonly #now: () => number;
  readonly #cache = new Map<string, { config: TenantConfig | undefined; at: number }>();
  readonly #listeners = new Set<(tenantId: string) => void>();
  #listener: PgListenClient | undefined;
  #listening = false;

  constructor(options: PostgresTenantConfigsOptions) {
    assertOption(
      typeof options?.pool?.query === 'function' && typeof options.pool.connect === 'function',
      'pool',
      'must be a pg Pool',
    );
    this.#pool = options.pool;
    this.#table = options.table ?? 'plumego_tenant_configs';
    this.#channel = options.channel ?? 'plumego_tenant_config';
    assertOption(IDENT.test(this.#table), 'table', 'must be a lower-case SQL identifier');
    assertOption(IDENT.test(this.#channel), 'channel', 'must be a lower-case SQL identifier');
    this.#ttl = options.cacheTtlMs ?? 30_000;
    this.#max = options.maxCached ?? 10_000;
    assertOption(Number.isInteger(this.#ttl) && this.#ttl >= 0, 'cacheTtlMs', 'must be a non-negative integer');
    assertOption(Number.isInteger(this.#max) && this.#max > 0, 'maxCached', 'must be a positive integer');
    this.#now = options.now ?? Date.now;
  }

  async ensureSchema(): Promise<void> {
    await this.#q(
      `create table if not exists ${this.#table} (id text primary key, config jsonb not null, updated_at timestamptz not null default now())`,
    );
  }

  /** Opens the listening connection; call once at startup (and `close()` at shutdown). */
  async start(): Promise<void> {
    if (this.#listener) return;
    const client = await this.#wrap(() => this.#pool.connect());
    client.on('notification', (msg: { channel: string; payload?: string }) => {
      if (msg.channel !== this.#channel || msg.payload === undefined) return;
      this.#cache.delete(msg.payload);
      this.#announce(msg.payload);
    });
    client.on('error', () => this.#lostListener(client));
    try {
      await client.query(`listen ${this.#channel}`);
    } catch (err) {
      client.release(true);
      throw new TenantError(
        TENANT_ERROR_CODES.stateUnavailable,
        'tenant configuration store is unavailable',
        { backend: 'postgres' },
        err,
      );
    }
    this.#listener = client;
    this.#listening = true;
  }

  async close(): Promise<void> {
    const l = this.#listener;
    this.#listener = undefined;
    this.#listening = false;
    this.#cache.clear();
    if (l) {
      await l.query(`unlisten ${this.#channel}`).catch(() => undefined);
      l.release();
    }
  }

  async get(tenantId: string): Promise<TenantConfig | undefined> {
    const hit = this.#cache.get(tenantId);
    if (hit && this.#listening && this.#now() - hit.at < this.#ttl) return hit.config;
    const res = await this.#q(`select config from ${this.#table} where id = $1`, [tenantId]);
    const raw = res.rows[0]?.config;
    // A row that no longer validates (edited by hand) is treated as no tenant: closed, not open.
    let config: TenantConfig | undefined;
    try {
      config = raw === undefined ? undefined : Object.freeze(validateTenantConfig(raw));
    } catch {
      config = undefined;
    }
    if (config !== undefined && config.id !== tenantId) config = undefined;
    if (this.#listening && this.#ttl > 0) {
      if (this.#cache.size >= this.#max) this.#cache.delete(this.#cache.keys().next().value!);
      this.#cache.set(tenantId, { config, at: this.#now() });
    }
    return config;
  }

  /** Validates, stores and announces a config (one statement, so the NOTIFY commits with the row). */
  async set(config: TenantConfig): Promise<void> {
    const checked = validateTenantConfig(config);
    await this.#q(
      `with up as (insert into ${this.#table} (id, config, updated_at) values ($1, $2, now())
        on conflict (id) do update set config = excluded.config, updated_at = now() returning id)
       select pg_notify($3, id) from up`,
      [checked.id, JSON.stringify(checked), this.#channel],
    );
    this.#cache.delete(checked.id);
  }

  async delete(tenantId: string): Promise<boolean> {
    const res = await this.#q(
      `with del as (delete from ${this.#table} where id = $1 returning id) select pg_notify($2, id) from del`,
      [tenantId, this.#channel],
    );
    this.#cache.delete(tenantId);
    return res.rows.length > 0;
  }

  /** Called with the tenant id when any instance changes it; read the config again with `get`. */
  onChange(listener: (tenantId: string) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #announce(tenantId: string): void {
    for (const l of this.#listeners) l(tenantId);
  }

  #lostListener(client: PgListenClient): void {
    if (this.#listener !== client) return;
    this.#listening = false;
    this.#listener = undefined;
    this.#cache.clear();
    client.release(true);
  }

  async #q(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }> {
    return this.#wrap(() => this.#pool.query(text, values));
  }

  async #wrap<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      // The driver's message may name the host or user; only the code travels on.
      throw new TenantError(
        TENANT_ERROR_CODES.stateUnavailable,
        'tenant configuration store is unavailable',
        { backend: 'postgres' },
        err,
      );
    }
  }
}
