/** What the API records about one uploaded file. Bytes live in the file storage; this lives beside it. */
export interface FileRecord {
  id: string;
  /** '' for files uploaded without a tenant in context. */
  tenantId: string;
  /** The sanitised original file name; display only, never a storage path. */
  name: string;
  contentType: string;
  size: number;
  /** Hex SHA-256 of the bytes, computed while streaming. */
  sha256: string;
  /** '' when the caller did not say who uploaded. */
  uploadedBy: string;
  /** Storage path of the bytes. */
  storagePath: string;
  /** Unix ms. */
  createdAt: number;
  /** Unix ms of the soft delete; undefined while live. */
  deletedAt: number | undefined;
}

export interface ListFilesQuery {
  offset: number;
  limit: number;
  /** Unix ms, inclusive. */
  createdAfter?: number;
  /** Unix ms, exclusive. */
  createdBefore?: number;
}

/**
 * Where file records live. Every method is scoped by tenant, so an implementation cannot return one
 * tenant's file to another by accident; soft-deleted records are invisible to `get` and `list`.
 */
export interface FileMetadataStore {
  create(record: FileRecord): Promise<void>;
  get(tenantId: string, id: string): Promise<FileRecord | undefined>;
  /** True when a live record was marked deleted. */
  markDeleted(tenantId: string, id: string, at: number): Promise<boolean>;
  /** Live records, newest first. */
  list(tenantId: string, query: ListFilesQuery): Promise<{ items: FileRecord[]; total: number }>;
}

/** In-process metadata store for tests and single-instance services; durable ones belong in x/data. */
export class MemoryFileMetadataStore implements FileMetadataStore {
  readonly #records = new Map<string, FileRecord>();

  #key(tenantId: string, id: string): string {
    return `${tenantId}\u0000${id}`;
  }

  async create(record: FileRecord): Promise<void> {
    this.#records.set(this.#key(record.tenantId, record.id), { ...record });
  }

  async get(tenantId: string, id: string): Promise<FileRecord | undefined> {
    const rec = this.#records.get(this.#key(tenantId, id));
    return rec && rec.deletedAt === undefined ? { ...rec } : undefined;
  }

  async markDeleted(tenantId: string, id: string, at: number): Promise<boolean> {
    const rec = this.#records.get(this.#key(tenantId, id));
    if (!rec || rec.deletedAt !== undefined) return false;
    rec.deletedAt = at;
    return true;
  }

  async list(tenantId: string, query: ListFilesQuery): Promise<{ items: FileRecord[]; total: number }> {
    const live = [...this.#records.values()]
      .filter((r) => r.tenantId === tenantId && r.deletedAt === undefined)
      .filter((r) => query.createdAfter === undefined || r.createdAt >= query.createdAfter)
      .filter((r) => query.createdBefore === undefined || r.createdAt < query.createdBefore)
      .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1));
    return { items: live.slice(query.offset, query.offset + query.limit).map((r) => ({ ...r })), total: live.length };
  }
}
