import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Middleware } from 'plumego/contract';
import { createApp } from 'plumego/core';
import { LocalFileStorage } from 'plumego/store';
import { withTenantId } from 'plumego/x/tenant';
import { isFileApiError } from './errors.ts';
import { createFileApi, type FileApiOptions } from './file-api.ts';
import { MemoryFileMetadataStore } from './metadata.ts';
import { getContentDisposition, sanitizeFileName } from './names.ts';
import type { FileStorageLike } from './storage.ts';

/** Atomic in-memory storage, faithful to the contract: a failed put leaves nothing behind. */
class MemoryStorage implements FileStorageLike {
  readonly files = new Map<string, Buffer>();
  async put(path: string, source: Readable | Uint8Array | string) {
    const chunks: Buffer[] = [];
    if (typeof source === 'string' || source instanceof Uint8Array) chunks.push(Buffer.from(source));
    else for await (const c of source) chunks.push(Buffer.from(c as Uint8Array));
    const buf = Buffer.concat(chunks);
    this.files.set(path, buf);
    return { path, size: buf.length, modifiedAt: Date.now() };
  }
  async get(path: string) {
    const buf = this.files.get(path);
    if (!buf) throw new Error('not found');
    // Several small chunks so ranged reads cross chunk boundaries.
    const parts: Buffer[] = [];
    for (let i = 0; i < buf.length; i += 7) parts.push(buf.subarray(i, i + 7));
    return Readable.from(parts);
  }
  async delete(path: string) {
    return this.files.delete(path);
  }
}

const BOUNDARY = '----plumegotest';
function multipart(
  parts: Array<{ field: string; filename?: string; type?: string; content: string | Buffer }>,
): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = `form-data; name="${p.field}"${p.filename === undefined ? '' : `; filename="${p.filename}"`}`;
    const head = `--${BOUNDARY}\r\nContent-Disposition: ${disposition}\r\n${p.type ? `Content-Type: ${p.type}\r\n` : ''}\r\n`;
    chunks.push(Buffer.from(head), Buffer.from(p.content), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(chunks);
}
const MP = { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` };

const tenantFromHeader: Middleware = (next) => (w, r) => {
  const t = r.header('x-tenant');
  return next(w, t ? r.withContext(withTenantId(r.ctx, t)) : r);
};

function setup(options: Partial<FileApiOptions> = {}) {
  let clock = Date.UTC(2026, 0, 1);
  const storage = new MemoryStorage();
  const metadata = new MemoryFileMetadataStore();
  const api = createFileApi({ storage, metadata, maxFileBytes: 1024, now: () => (clock += 1000), ...options });
  const app = createApp();
  app.use(tenantFromHeader);
  api.register(app);
  const upload = (content: string | Buffer, extra: { filename?: string; type?: string; tenant?: string } = {}) =>
    app.request('/files', {
      method: 'POST',
      headers: { ...MP, ...(extra.tenant ? { 'x-tenant': extra.tenant } : {}) },
      body: multipart([
        { field: 'file', filename: extra.filename ?? 'report.txt', type: extra.type ?? 'text/plain', content },
      ]),
    });
  return { app, storage, metadata, upload };
}

type Data = { data: Record<string, unknown>; meta?: Record<string, unknown> };
type ErrorBody = { error: { code: string; details?: Record<string, string> } };
const CONTENT = 'The quick brown fox jumps over the lazy dog.';

describe('x/fileapi upload', () => {
  it('streams a file into storage and records its metadata', async () => {
    const { upload, storage } = setup();
    const res = await upload(CONTENT, { filename: 'report.txt' });
    expect(res.status).toBe(201);
    const { data } = res.json<Data>();
    expect(data).toMatchObject({ name: 'report.txt', content_type: 'text/plain', size: CONTENT.length });
    expect(data['sha256']).toBe(createHash('sha256').update(CONTENT).digest('hex'));
    const [[path, bytes]] = [...storage.files.entries()] as [[string, Buffer]];
    expect(bytes.toString()).toBe(CONTENT);
    expect(path).toBe(`shared/${String(data['id'])}`);
  });

  it('records who uploaded when the app says so', async () => {
    const { upload } = setup({ getUploader: (r) => r.header('x-user') ?? '' });
    const res = await upload('x');
    expect(res.json<Data>().data['uploaded_by']).toBeUndefined();
    const s2 = setup({ getUploader: () => 'user-42' });
    expect((await s2.upload('x')).json<Data>().data['uploaded_by']).toBe('user-42');
  });

  it('never uses the client file name as a storage path', async () => {
    const { upload, storage } = setup();
    const res = await upload('x', { filename: '../../etc/passwd' });
    expect(res.json<Data>().data['name']).toBe('passwd');
    expect([...storage.files.keys()].join()).not.toContain('passwd');
  });

  it('refuses an upload whose declared length is over the limit before reading it', async () => {
    const { upload, storage } = setup();
    const res = await upload('x'.repeat(200 * 1024));
    expect(res.status).toBe(413);
    expect(res.json<ErrorBody>().error.code).toBe('REQUEST_BODY_TOO_LARGE');
    expect(storage.files.size).toBe(0);
  });

  it('refuses an oversize file while streaming when no length is declared', async () => {
    const { app, storage } = setup();
    const res = await app.request('/files', {
      method: 'POST',
      headers: { ...MP, 'transfer-encoding': 'chunked' },
      body: multipart([
        { field: 'file', filename: 'big.bin', type: 'application/octet-stream', content: Buffer.alloc(1025, 1) },
      ]),
    });
    expect(res.status).toBe(413);
    expect(res.json<ErrorBody>().error.code).toBe('REQUEST_BODY_TOO_LARGE');
    expect(res.headers['connection']).toBe('close');
    expect(storage.files.size).toBe(0);
  });

  it('accepts a file of exactly the limit', async () => {
    const { upload } = setup();
    expect((await upload(Buffer.alloc(1024, 2))).status).toBe(201);
  });

  it('refuses a disallowed file type with 415 and stores nothing', async () => {
    const { upload, storage } = setup({ allowedContentTypes: ['image/*', 'application/pdf'] });
    const res = await upload('<script>', { type: 'text/html', filename: 'x.html' });
    expect(res.status).toBe(415);
    expect(res.json<ErrorBody>().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(storage.files.size).toBe(0);
    expect((await upload('png', { type: 'image/png', filename: 'x.png' })).status).toBe(201);
  });

  it.each([
    {
      title: 'a non-multipart request',
      headers: { 'content-type': 'application/json' },
      body: '{}',
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
    {
      title: 'multipart without a boundary',
      headers: { 'content-type': 'multipart/form-data;' },
      body: 'x',
      status: 400,
      code: 'FILEAPI_INVALID_MULTIPART',
    },
    {
      title: 'a form without the file field',
      headers: MP,
      body: multipart([{ field: 'note', content: 'hi' }]),
      status: 400,
      code: 'FILEAPI_FILE_REQUIRED',
    },
    {
      title: 'a file under another field name',
      headers: MP,
      body: multipart([{ field: 'other', filename: 'a.txt', type: 'text/plain', content: 'x' }]),
      status: 400,
      code: 'FILEAPI_FILE_REQUIRED',
    },
    {
      title: 'a truncated multipart body',
      headers: MP,
      body: multipart([{ field: 'file', filename: 'a.txt', type: 'text/plain', content: 'abc' }]).subarray(0, 80),
      status: 400,
      code: 'FILEAPI_INVALID_MULTIPART',
    },
  ])('refuses $title', async ({ headers, body, status, code }) => {
    const { app, storage } = setup();
    const res = await app.request('/files', { method: 'POST', headers, body });
    expect(res.status).toBe(status);
    expect(res.json<ErrorBody>().error.code).toBe(code);
    expect(storage.files.size).toBe(0);
  });

  it('refuses an oversize chunked upload over a real socket', async () => {
    const { app, storage } = setup();
    const { port } = (await app.listen(0, '127.0.0.1')) as AddressInfo;
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const req = httpRequest(
          {
            port,
            host: '127.0.0.1',
            method: 'POST',
            path: '/files',
            headers: { ...MP, 'transfer-encoding': 'chunked' },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.write(
          `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`,
        );
        for (let i = 0; i < 8; i++) req.write(Buffer.alloc(512, 3));
        req.end(`\r\n--${BOUNDARY}--\r\n`);
      });
      expect(status).toBe(413);
      expect(storage.files.size).toBe(0);
    } finally {
      await app.shutdown();
    }
  });
});

describe('x/fileapi aborted uploads', () => {
  it('leaves nothing in storage when the client hangs up mid-file', async () => {
    let putStarted!: () => void;
    const started = new Promise<void>((resolve) => (putStarted = resolve));
    let putSettled!: (outcome: string) => void;
    const settled = new Promise<string>((resolve) => (putSettled = resolve));
    class WatchedStorage extends MemoryStorage {
      override async put(path: string, source: Readable | Uint8Array | string) {
        putStarted();
        try {
          const stat = await super.put(path, source);
          putSettled('stored');
          return stat;
        } catch (error) {
          putSettled('failed');
          throw error;
        }
      }
    }
    const storage = new WatchedStorage();
    const app = createApp();
    createFileApi({ storage, metadata: new MemoryFileMetadataStore(), maxFileBytes: 1 << 20 }).register(app);
    const { port } = (await app.listen(0, '127.0.0.1')) as AddressInfo;
    try {
      const req = httpRequest({
        port,
        host: '127.0.0.1',
        method: 'POST',
        path: '/files',
        headers: { ...MP, 'transfer-encoding': 'chunked' },
      });
      req.on('error', () => undefined);
      req.write(
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="half.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`,
      );
      req.write(Buffer.alloc(4096, 7));
      // Once the server is streaming the file into storage, vanish without finishing the body.
      await started;
      req.destroy();
      expect(await settled).toBe('failed');
      expect(storage.files.size).toBe(0);
    } finally {
      await app.shutdown();
    }
  });
});

describe('x/fileapi download, info and delete', () => {
  async function uploaded(options: Partial<FileApiOptions> = {}) {
    const s = setup(options);
    const id = String((await s.upload(CONTENT, { filename: 'résumé final.txt' })).json<Data>().data['id']);
    return { ...s, id };
  }

  it('downloads as an inert attachment with a strong ETag', async () => {
    const { app, id } = await uploaded();
    const res = await app.request(`/files/${id}`);
    expect(res.status).toBe(200);
    expect(res.text()).toBe(CONTENT);
    expect(res.headers['content-type']).toBe('text/plain');
    expect(res.headers['content-disposition']).toBe(
      `attachment; filename="r_sum_ final.txt"; filename*=UTF-8''r%C3%A9sum%C3%A9%20final.txt`,
    );
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain('sandbox');
    expect(
      (await app.request(`/files/${id}`, { headers: { 'if-none-match': String(res.headers['etag']) } })).status,
    ).toBe(304);
  });

  it('serves ranges across storage chunks, and 416 past the end', async () => {
    const { app, id } = await uploaded();
    const part = await app.request(`/files/${id}`, { headers: { range: 'bytes=4-18' } });
    expect(part.status).toBe(206);
    expect(part.text()).toBe(CONTENT.slice(4, 19));
    expect(part.headers['content-range']).toBe(`bytes 4-18/${CONTENT.length}`);
    const tail = await app.request(`/files/${id}`, { headers: { range: 'bytes=-5' } });
    expect(tail.text()).toBe(' dog.');
    const past = await app.request(`/files/${id}`, { headers: { range: `bytes=${CONTENT.length}-` } });
    expect(past.status).toBe(416);
    expect(past.headers['content-range']).toBe(`bytes */${CONTENT.length}`);
    const stale = await app.request(`/files/${id}`, { headers: { range: 'bytes=0-1', 'if-range': '"old"' } });
    expect(stale.status).toBe(200);
  });

  it('answers HEAD without reading the bytes', async () => {
    const { app, id } = await uploaded();
    const res = await app.request(`/files/${id}`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers['content-length']).toBe(String(CONTENT.length));
    expect(res.body.length).toBe(0);
  });

  it('returns info without the storage path', async () => {
    const { app, id } = await uploaded();
    const res = await app.request(`/files/${id}/info`);
    expect(res.json<Data>().data).toEqual({
      id,
      name: 'résumé final.txt',
      content_type: 'text/plain',
      size: CONTENT.length,
      sha256: createHash('sha256').update(CONTENT).digest('hex'),
      created_at: '2026-01-01T00:00:01.000Z',
    });
  });

  it('soft-deletes by default and hard-deletes on request', async () => {
    const soft = await uploaded();
    expect((await soft.app.request(`/files/${soft.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await soft.app.request(`/files/${soft.id}`)).status).toBe(404);
    expect((await soft.app.request(`/files/${soft.id}`, { method: 'DELETE' })).status).toBe(404);
    expect(soft.storage.files.size).toBe(1);
    const hard = await uploaded({ hardDelete: true });
    await hard.app.request(`/files/${hard.id}`, { method: 'DELETE' });
    expect(hard.storage.files.size).toBe(0);
  });

  it('never resolves an encoded traversal id to a file', async () => {
    const { app } = await uploaded();
    const res = await app.request('/files/..%2F..%2Fshared/info');
    expect(res.status).toBe(404);
  });

  it('never reaches a handler with a dot-segment id (the router refuses it with 400)', async () => {
    const { app } = await uploaded();
    expect((await app.request('/files/../info')).status).toBe(400);
  });

  it.each(['nope', 'x'.repeat(65)])('answers 404 FILEAPI_FILE_NOT_FOUND for id %s', async (id) => {
    const { app } = await uploaded();
    const res = await app.request(`/files/${id}/info`);
    expect(res.status).toBe(404);
    expect(res.json<ErrorBody>().error.code).toBe('FILEAPI_FILE_NOT_FOUND');
  });
});

describe('x/fileapi tenants', () => {
  it('scopes every operation to the tenant in context', async () => {
    const { app, upload, storage } = setup();
    const id = String((await upload(CONTENT, { tenant: 'acme' })).json<Data>().data['id']);
    expect([...storage.files.keys()][0]).toMatch(/^t_[\w-]+\//);
    const as = (tenant: string, path: string, method = 'GET') =>
      app.request(path, { method, headers: { 'x-tenant': tenant } });
    expect((await as('acme', `/files/${id}`)).status).toBe(200);
    expect((await as('globex', `/files/${id}`)).status).toBe(404);
    expect((await as('globex', `/files/${id}`, 'DELETE')).status).toBe(404);
    expect((await app.request(`/files/${id}`)).status).toBe(404);
    expect((await as('globex', '/files')).json<Data>().meta?.['total']).toBe(0);
    expect((await as('acme', '/files')).json<Data>().meta?.['total']).toBe(1);
  });

  it('answers 401 TENANT_REQUIRED without a tenant when one is required', async () => {
    const { app, upload, storage } = setup({ requireTenant: true });
    const res = await upload(CONTENT);
    expect(res.status).toBe(401);
    expect(res.json<ErrorBody>().error.code).toBe('TENANT_REQUIRED');
    expect(storage.files.size).toBe(0);
    expect((await app.request('/files')).status).toBe(401);
    expect((await upload(CONTENT, { tenant: 'acme' })).status).toBe(201);
  });
});

describe('x/fileapi list', () => {
  it('pages newest first with pagination meta and time filters', async () => {
    const { app, upload } = setup();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(String((await upload(`file ${i}`)).json<Data>().data['id']));
    const page2 = (await app.request('/files?page=2&page_size=2')).json<{
      data: Array<{ id: string }>;
      meta: object;
    }>();
    expect(page2.data.map((f) => f.id)).toEqual([ids[2], ids[1]]);
    expect(page2.meta).toEqual({ page: 2, page_size: 2, total: 5, total_pages: 3 });
    const after = (await app.request('/files?created_after=2026-01-01T00:00:04Z')).json<{ data: unknown[] }>();
    expect(after.data).toHaveLength(2);
    const between = (
      await app.request(
        `/files?created_after=${Date.UTC(2026, 0, 1, 0, 0, 2)}&created_before=${Date.UTC(2026, 0, 1, 0, 0, 4)}`,
      )
    ).json<{ data: unknown[] }>();
    expect(between.data).toHaveLength(2);
  });

  it('refuses bad paging and filter values field by field', async () => {
    const { app } = setup();
    const res = await app.request('/files?page=0&page_size=500&created_after=yesterday');
    expect(res.status).toBe(400);
    const err = res.json<ErrorBody>().error;
    expect(err.code).toBe('VALIDATION_ERROR');
    expect(Object.keys(err.details ?? {}).sort()).toEqual(['created_after', 'page', 'page_size']);
    const inverted = await app.request('/files?created_after=2026-02-01&created_before=2026-01-01');
    expect(Object.keys(inverted.json<ErrorBody>().error.details ?? {})).toEqual(['created_before']);
  });
});

describe('x/fileapi on the store LocalFileStorage backend', () => {
  it('round-trips, ranges and cleans up a refused upload on disk', async () => {
    const root = mkdtempSync(join(tmpdir(), 'plumego-fileapi-'));
    try {
      const storage = new LocalFileStorage({ root });
      const api = createFileApi({ storage, metadata: new MemoryFileMetadataStore(), maxFileBytes: 64 });
      const app = createApp();
      app.use(tenantFromHeader);
      api.register(app, '/v1/files');
      const up = await app.request('/v1/files', {
        method: 'POST',
        headers: { ...MP, 'x-tenant': 'acme' },
        body: multipart([{ field: 'file', filename: 'a.txt', type: 'text/plain', content: CONTENT }]),
      });
      expect(up.status).toBe(201);
      const id = String(up.json<Data>().data['id']);
      const part = await app.request(`/v1/files/${id}`, { headers: { 'x-tenant': 'acme', range: 'bytes=10-14' } });
      expect(part.text()).toBe('brown');
      const big = await app.request('/v1/files', {
        method: 'POST',
        headers: { ...MP, 'x-tenant': 'acme', 'transfer-encoding': 'chunked' },
        body: multipart([
          { field: 'file', filename: 'b.bin', type: 'application/octet-stream', content: Buffer.alloc(65) },
        ]),
      });
      expect(big.status).toBe(413);
      const onDisk = readdirSync(root, { recursive: true, withFileTypes: true }).filter((d) => d.isFile());
      expect(onDisk.map((d) => d.name)).toEqual([id]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('x/fileapi mounting', () => {
  it('mounts twice in one app with distinct route names', async () => {
    const app = createApp();
    const make = () => createFileApi({ storage: new MemoryStorage(), metadata: new MemoryFileMetadataStore() });
    make().register(app, '/avatars', 'avatars');
    make().register(app, '/docs', 'docs');
    expect(
      app
        .routes()
        .map((r) => r.name)
        .filter((n) => n.endsWith('.upload'))
        .sort(),
    ).toEqual(['avatars.upload', 'docs.upload']);
    expect((await app.request('/docs')).status).toBe(200);
  });
});

describe('x/fileapi helpers and options', () => {
  it.each([
    ['report.pdf', 'report.pdf'],
    ['C:\\Users\\me\\secret.doc', 'secret.doc'],
    ['../../etc/passwd', 'passwd'],
    ['a\u0000b\r\nc.txt', 'abc.txt'],
    ['..', 'file'],
    ['', 'file'],
  ])('sanitises file name %j to %j', (raw, expected) => {
    expect(sanitizeFileName(raw)).toBe(expected);
  });

  it('keeps Content-Disposition free of header-splitting characters and bare quotes', () => {
    expect(getContentDisposition('a\r\nb.txt')).not.toMatch(/[\r\n]/);
    expect(getContentDisposition('say "hi".txt')).toBe(
      `attachment; filename="say _hi_.txt"; filename*=UTF-8''say%20%22hi%22.txt`,
    );
  });

  it.each([
    { title: 'no storage', options: { storage: undefined } },
    { title: 'a zero size limit', options: { maxFileBytes: 0 } },
    { title: 'an empty type allow-list', options: { allowedContentTypes: [] } },
    { title: 'a malformed media type', options: { allowedContentTypes: ['images'] } },
    { title: 'a default page size above the maximum', options: { defaultPageSize: 200, maxPageSize: 100 } },
  ])('refuses $title at construction', ({ options }) => {
    let error: unknown;
    try {
      createFileApi({
        storage: new MemoryStorage(),
        metadata: new MemoryFileMetadataStore(),
        ...options,
      } as unknown as FileApiOptions);
    } catch (e) {
      error = e;
    }
    expect(isFileApiError(error)).toBe(true);
  });
});
