import { describe, it, expect, beforeAll, afterAll, inject } from 'vitest';
import { randomBytes } from 'node:crypto';
import type { Middleware } from 'plumego/contract';
import { createApp } from 'plumego/core';
import { createFileApi } from 'plumego/x/fileapi';
import { SqlClient } from 'plumego/x/data/sql';
import { withTenantId } from 'plumego/x/tenant';
import { PgFileMetadataStore } from './pg-metadata-store.ts';
import { S3FileStorage } from './s3-storage.ts';
import { startLocalS3, type LocalS3 } from './s3-server.test-support.ts';

const url = inject('services').postgres;
const schema = `plumego_fileapi_${randomBytes(4).toString('hex')}`;
const BOUNDARY = '----plumegoe2e';
const tenantFromHeader: Middleware = (next) => (w, r) => {
  const t = r.header('x-tenant');
  return next(w, t ? r.withContext(withTenantId(r.ctx, t)) : r);
};

describe.skipIf(!url)('x/fileapi on S3FileStorage and PgFileMetadataStore', () => {
  let s3: LocalS3;
  let sql: SqlClient;
  beforeAll(async () => {
    s3 = await startLocalS3();
    await s3.createBucket('plumego-e2e');
    sql = new SqlClient({ connectionString: url as string });
    await sql.exec(`CREATE SCHEMA ${schema}`);
  }, 20_000);
  afterAll(async () => {
    await sql?.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await sql?.close();
    await s3?.close();
  });

  it('uploads, lists, reads a range, signs a URL and soft-deletes, per tenant', async () => {
    const storage = new S3FileStorage({ client: s3.client(), bucket: 'plumego-e2e', prefix: 'files/' });
    const metadata = new PgFileMetadataStore({ client: sql, table: `${schema}.files` });
    await metadata.ensureSchema();
    const app = createApp();
    app.use(tenantFromHeader);
    createFileApi({ storage, metadata, requireTenant: true, hardDelete: true }).register(app);
    const content = 'The quick brown fox jumps over the lazy dog.';
    const body = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="fox.txt"\r\nContent-Type: text/plain\r\n\r\n${content}\r\n--${BOUNDARY}--\r\n`;
    const created = await app.request('/files', {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, 'x-tenant': 'acme' },
      body,
    });
    expect(created.status).toBe(201);
    const id = created.json<{ data: { id: string } }>().data.id;

    const listed = await app.request('/files', { headers: { 'x-tenant': 'acme' } });
    expect(listed.json<{ meta: { total: number } }>().meta.total).toBe(1);
    expect(
      (await app.request('/files', { headers: { 'x-tenant': 'other' } })).json<{ meta: { total: number } }>().meta
        .total,
    ).toBe(0);

    const part = await app.request(`/files/${id}`, { headers: { range: 'bytes=4-8', 'x-tenant': 'acme' } });
    expect([part.status, part.text()]).toEqual([206, 'quick']);

    const signed = await app.request(`/files/${id}/url`, { headers: { 'x-tenant': 'acme' } });
    const link = signed.json<{ data: { url: string } }>().data.url;
    const fetched = await fetch(link);
    expect([fetched.status, await fetched.text()]).toEqual([200, content]);
    expect((await app.request(`/files/${id}/url`, { headers: { 'x-tenant': 'other' } })).status).toBe(404);

    expect((await app.request(`/files/${id}`, { method: 'DELETE', headers: { 'x-tenant': 'acme' } })).status).toBe(204);
    expect((await app.request(`/files/${id}`, { headers: { 'x-tenant': 'acme' } })).status).toBe(404);
    expect(await storage.list({ prefix: '' })).toEqual([]);
  });
});
