import type { FileMetadataStore, FileRecord, ListFilesQuery } from 'plumego/x/fileapi';
import { assertDataOption } from 'plumego/x/data';
import type { SqlClient } from 'plumego/x/data/sql';

export interface PgFileMetadataStoreOptions {
  /** The pool to use. Required. */
  client: SqlClient;
  /** Table name, optionally schema-qualified. Default: `plumego_files`. */
  table?: string;
}

interface Row {
  tenant_id: string;
  id: string;
  name: string;
  content_type: string;
  size: string | number;
  sha256: string;
  uploaded_by: string;
  storage_path: string;
  created_at: string | number;
  deleted_at: string | number | null;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}(\.[a-z_][a-z0-9_]{0,62})?$/;

function toRecord(row: Row): FileRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    contentType: row.content_type,
    size: Number(row.size),
    sha256: row.sha256,
    uploadedBy: row.uploaded_by,
    storagePath: row.storage_path,
    createdAt: Number(row.created_at),
    deletedAt: row.deleted_at === null ? undefined : Number(row.deleted_at),
  };
}

/**
 * x/fileapi's `FileMetadataStore` on PostgreSQL. Every statement carries the tenant in its WHERE
 * clause (the primary key is `(tenant_id, id)`), so one tenant's id never finds another's file;
 * deletes are soft (`deleted_at`), and listing pages newest first with an exact total.
 */
export class PgFileMetadataStore implements FileMetadataStore {
  readonly #client: SqlClient;
  readonly #table: string;

  constructor(options: PgFileMetadataStoreOptions) {
    assertDataOption(typeof options?.client?.query === 'function', 'client');
    this.#table = options.table ?? 'plumego_files';
    assertDataOption(IDENTIFIER.test(this.#table), 'table');
    this.#client = options.client;
  }

  /** Creates the table and its listing index if they do not exist. */
  async ensureSchema(): Promise<void> {
    await this.#client.exec(`CREATE TABLE IF NOT EXISTS ${this.#table} (
      tenant_id text NOT NULL, id text NOT NULL, name text NOT NULL, content_type text NOT NULL, size bigint NOT NULL,
      sha256 text NOT NULL, uploaded_by text NOT NULL, storage_path text NOT NULL, created_at bigint NOT NULL, deleted_at bigint,
      PRIMARY KEY (tenant_id, id))`);
    await this.#client.exec(
      `CREATE INDEX IF NOT EXISTS ${this.#table.replace('.', '_')}_live_idx ON ${this.#table} (tenant_id, created_at DESC, id DESC) WHERE deleted_at IS NULL`,
    );
  }

  async create(r: FileRecord): Promise<void> {
    await this.#client.exec(
      `INSERT INTO ${this.#table} (tenant_id, id, name, content_type, size, sha256, uploaded_by, storage_path, created_at, deleted_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        r.tenantId,
        r.id,
        r.name,
        r.contentType,
        r.size,
        r.sha256,
        r.uploadedBy,
        r.storagePath,
        r.createdAt,
        r.deletedAt ?? null,
      ],
    );
  }

  async get(tenantId: string, id: string): Promise<FileRecord | undefined> {
    const row = await this.#client.queryOne<Row>(
      `SELECT * FROM ${this.#table} WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL`,
      [tenantId, id],
    );
    return row === undefined ? undefined : toRecord(row);
  }

  async markDeleted(tenantId: string, id: string, at: number): Promise<boolean> {
    return (
      (await this.#client.exec(
        `UPDATE ${this.#table} SET deleted_at = $3 WHERE tenant_id = $1 AND id = $2 AND deleted_at IS NULL`,
        [tenantId, id, at],
      )) === 1
    );
  }

  async list(tenantId: string, query: ListFilesQuery): Promise<{ items: FileRecord[]; total: number }> {
    const after = query.createdAfter ?? null;
    const before = query.createdBefore ?? null;
    const where = `tenant_id = $1 AND deleted_at IS NULL AND ($2::bigint IS NULL OR created_at >= $2) AND ($3::bigint IS NULL OR created_at < $3)`;
    // One statement: the page and the total agree even while files are being added.
    const rows = await this.#client.query<Row & { total: string | number }>(
      `SELECT *, count(*) OVER () AS total FROM ${this.#table} WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT $4 OFFSET $5`,
      [tenantId, after, before, query.limit, query.offset],
    );
    if (rows.length > 0) return { items: rows.map(toRecord), total: Number(rows[0]?.total) };
    const counted = await this.#client.queryOne<{ total: string | number }>(
      `SELECT count(*) AS total FROM ${this.#table} WHERE ${where}`,
      [tenantId, after, before],
    );
    return { items: [], total: Number(counted?.total ?? 0) };
  }
}
