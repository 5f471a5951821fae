import { describe, it, expect, beforeAll, afterAll, inject } from 'vitest';
import { randomBytes } from 'node:crypto';
import type { FileRecord } from 'plumego/x/fileapi';
import { SqlClient } from 'plumego/x/data/sql';
import { PgFileMetadataStore } from './pg-metadata-store.ts';

const url = inject('services').postgres;
const schema = `plumego_files_${randomBytes(4).toString('hex')}`;

function record(tenantId: string, id: string, createdAt: number, overrides: Partial<FileRecord> = {}): FileRecord {
  return {
    id,
    tenantId,
    name: `${id}.pdf`,
    contentType: 'application/pdf',
    size: 1234,
    sha256: 'ab'.repeat(32),
    uploadedBy: 'u1',
    storagePath: `${tenantId}/${id}`,
    createdAt,
    deletedAt: undefined,
    ...overrides,
  };
}

describe.skipIf(!url)('PgFileMetadataStore', () => {
  let client: SqlClient;
  let store: PgFileMetadataStore;
  beforeAll(async () => {
    client = new SqlClient({ connectionString: url as string });
    await client.exec(`CREATE SCHEMA ${schema}`);
    store = new PgFileMetadataStore({ client, table: `${schema}.files` });
    await store.ensureSchema();
    await store.ensureSchema();
  });
  afterAll(async () => {
    await client.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.close();
  });

  it('round-trips a record and scopes it to its tenant', async () => {
    await store.create(record('t1', 'f1', 1000, { size: 5_000_000_000 }));
    expect(await store.get('t1', 'f1')).toEqual(record('t1', 'f1', 1000, { size: 5_000_000_000 }));
    expect(await store.get('t2', 'f1')).toBeUndefined();
    expect(await store.markDeleted('t2', 'f1', 2000)).toBe(false);
    await expect(store.create(record('t1', 'f1', 1000))).rejects.toMatchObject({
      code: 'PLUMEGO_ERR_DATA_QUERY',
      sqlState: '23505',
    });
    // The same id under another tenant is another file.
    await store.create(record('t2', 'f1', 1000));
    expect((await store.get('t2', 'f1'))?.tenantId).toBe('t2');
  });

  it('soft-deletes once and hides deleted records', async () => {
    await store.create(record('t3', 'gone', 1000));
    expect(await store.markDeleted('t3', 'gone', 5000)).toBe(true);
    expect(await store.markDeleted('t3', 'gone', 6000)).toBe(false);
    expect(await store.get('t3', 'gone')).toBeUndefined();
    expect((await store.list('t3', { offset: 0, limit: 10 })).total).toBe(0);
    const { deleted_at } = (await client.queryOne<{ deleted_at: string }>(
      `SELECT deleted_at FROM ${schema}.files WHERE tenant_id = 't3'`,
    )) as { deleted_at: string };
    expect(Number(deleted_at)).toBe(5000);
  });

  it('pages newest first with filters and an exact total', async () => {
    for (let i = 0; i < 7; i++) await store.create(record('t4', `p${i}`, 1000 + i * 100));
    await store.create(record('t5', 'other', 1300));
    const first = await store.list('t4', { offset: 0, limit: 3 });
    expect(first.items.map((r) => r.id)).toEqual(['p6', 'p5', 'p4']);
    expect(first.total).toBe(7);
    expect((await store.list('t4', { offset: 6, limit: 3 })).items.map((r) => r.id)).toEqual(['p0']);
    expect(await store.list('t4', { offset: 50, limit: 3 })).toEqual({ items: [], total: 7 });
    const window = await store.list('t4', { offset: 0, limit: 10, createdAfter: 1200, createdBefore: 1500 });
    expect(window.items.map((r) => r.id)).toEqual(['p4', 'p3', 'p2']);
    expect(window.total).toBe(3);
  });

  it('refuses unsafe table names', () => {
    expect(() => new PgFileMetadataStore({ client, table: 'files; DROP TABLE x' })).toThrow(
      expect.objectContaining({ code: 'PLUMEGO_ERR_DATA_INVALID_OPTIONS', reason: 'field:table' }),
    );
  });
});
