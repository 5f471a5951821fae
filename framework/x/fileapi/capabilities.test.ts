import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Middleware } from 'plumego/contract';
import { createApp } from 'plumego/core';
import { withTenantId } from 'plumego/x/tenant';
import { createFileApi, type FileApiOptions } from './file-api.ts';
import { MemoryFileMetadataStore } from './metadata.ts';
import type { FileStorageLike } from './storage.ts';

/** A backend with the optional capabilities: ranged reads and signed URLs; it records how it was used. */
class CapableStorage implements FileStorageLike {
  readonly files = new Map<string, Buffer>();
  readonly calls: string[] = [];
  async put(path: string, source: Readable | Uint8Array | string) {
    const chunks: Buffer[] = [];
    if (typeof source === 'string' || source instanceof Uint8Array) chunks.push(Buffer.from(source));
    else for await (const c of source) chunks.push(Buffer.from(c as Uint8Array));
    this.files.set(path, Buffer.concat(chunks));
    return { path, size: this.files.get(path)!.length, modifiedAt: 0 };
  }
  async get(path: string) {
    this.calls.push(`get ${path}`);
    return Readable.from([this.files.get(path) as Buffer]);
  }
  async getRange(path: string, range: { start: number; end: number }) {
    this.calls.push(`range ${range.start}-${range.end}`);
    return Readable.from([(this.files.get(path) as Buffer).subarray(range.start, range.end + 1)]);
  }
  async createDownloadUrl(path: string, options: { expiresInSeconds: number; fileName?: string }) {
    this.calls.push(`url ${options.expiresInSeconds} ${options.fileName ?? ''}`);
    return `https://files.example/${path}?sig=abc&ttl=${options.expiresInSeconds}`;
  }
  async delete(path: string) {
    return this.files.delete(path);
  }
}

const BOUNDARY = '----plumegocap';
const tenantFromHeader: Middleware = (next) => (w, r) => {
  const t = r.header('x-tenant');
  return next(w, t ? r.withContext(withTenantId(r.ctx, t)) : r);
};

function setup(storage: FileStorageLike, options: Partial<FileApiOptions> = {}) {
  const app = createApp();
  app.use(tenantFromHeader);
  createFileApi({
    storage,
    metadata: new MemoryFileMetadataStore(),
    now: () => Date.UTC(2026, 0, 1),
    ...options,
  }).register(app);
  const upload = async (content: string, tenant = 't1') => {
    const body = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="report.txt"\r\nContent-Type: text/plain\r\n\r\n${content}\r\n--${BOUNDARY}--\r\n`;
    const res = await app.request('/files', {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, 'x-tenant': tenant },
      body,
    });
    return String(res.json<{ data: { id: string } }>().data.id);
  };
  return { app, upload };
}

describe('x/fileapi with a capable storage backend', () => {
  it('reads a range through the backend instead of slicing the whole file', async () => {
    const storage = new CapableStorage();
    const { app, upload } = setup(storage);
    const id = await upload('0123456789abcdef');
    const res = await app.request(`/files/${id}`, { headers: { range: 'bytes=4-7', 'x-tenant': 't1' } });
    expect(res.status).toBe(206);
    expect(res.text()).toBe('4567');
    expect(res.headers['content-range']).toBe('bytes 4-7/16');
    const suffix = await app.request(`/files/${id}`, { headers: { range: 'bytes=-3', 'x-tenant': 't1' } });
    expect(suffix.text()).toBe('def');
    const whole = await app.request(`/files/${id}`, { headers: { 'x-tenant': 't1' } });
    expect(whole.text()).toBe('0123456789abcdef');
    expect(storage.calls).toEqual(['range 4-7', 'range 13-15', expect.stringMatching(/^get /)]);
  });

  it('still slices ranges itself on a backend without ranged reads', async () => {
    const storage = new CapableStorage();
    const plain: FileStorageLike = {
      put: (p, s) => storage.put(p, s),
      get: (p) => storage.get(p),
      delete: (p) => storage.delete(p),
    };
    const { app, upload } = setup(plain);
    const id = await upload('0123456789');
    const res = await app.request(`/files/${id}`, { headers: { range: 'bytes=2-4', 'x-tenant': 't1' } });
    expect([res.status, res.text()]).toEqual([206, '234']);
    expect(storage.calls).toEqual([expect.stringMatching(/^get /)]);
  });

  it("hands out a temporary download URL for the tenant's own file only", async () => {
    const storage = new CapableStorage();
    const { app, upload } = setup(storage, { downloadUrlTtlSeconds: 120 });
    const id = await upload('secret');
    const res = await app.request(`/files/${id}/url`, { headers: { 'x-tenant': 't1' } });
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.json<{ data: unknown }>().data).toEqual({
      url: expect.stringMatching(/^https:\/\/files\.example\/t_dDE\/.+\?sig=abc&ttl=120$/),
      expires_at: '2026-01-01T00:02:00.000Z',
    });
    expect(storage.calls).toEqual(['url 120 report.txt']);
    const other = await app.request(`/files/${id}/url`, { headers: { 'x-tenant': 't2' } });
    expect(other.status).toBe(404);
    expect(storage.calls).toHaveLength(1);
  });

  it('answers 501 when the backend cannot sign URLs, and refuses a bad TTL option', async () => {
    const storage = new CapableStorage();
    const plain: FileStorageLike = {
      put: (p, s) => storage.put(p, s),
      get: (p) => storage.get(p),
      delete: (p) => storage.delete(p),
    };
    const { app, upload } = setup(plain);
    const id = await upload('x');
    const res = await app.request(`/files/${id}/url`, { headers: { 'x-tenant': 't1' } });
    expect(res.status).toBe(501);
    expect(res.json<{ error: { code: string } }>().error.code).toBe('FILEAPI_URL_UNSUPPORTED');
    for (const bad of [0, 86_401, 1.5]) {
      expect(() =>
        createFileApi({ storage, metadata: new MemoryFileMetadataStore(), downloadUrlTtlSeconds: bad }),
      ).toThrow(/downloadUrlTtlSeconds/);
    }
  });
});
