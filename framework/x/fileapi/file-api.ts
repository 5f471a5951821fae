import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { APIError, writeError, writeResponse, type Handler, type Request, type ResponseWriter } from 'plumego/contract';
import { tenantIdFromContext } from 'plumego/x/tenant';
import { FILEAPI_ERROR_CODES, FileApiError, fileNotFound } from './errors.ts';
import type { FileMetadataStore, FileRecord } from './metadata.ts';
import { getContentDisposition } from './names.ts';
import { ByteSlice, parseByteRange } from './range.ts';
import type { FileStorageLike } from './storage.ts';
import { receiveUpload } from './upload.ts';

export interface FileApiOptions {
  /** Where bytes go: any implementation of the store file contract. Required. */
  storage: FileStorageLike;
  /** Where file records go. Required. */
  metadata: FileMetadataStore;
  /** Largest upload in bytes. Default 10 MiB. */
  maxFileBytes?: number;
  /** Allowed upload types (`application/pdf`, `image/*`). Default: any. */
  allowedContentTypes?: readonly string[];
  /** Multipart field holding the file. Default `file`. */
  fieldName?: string;
  /** Refuse requests without a tenant in context (401 `TENANT_REQUIRED`). Default false: such files share one space. */
  requireTenant?: boolean;
  /** Who is uploading, e.g. from the authenticated principal. Default: nobody (''). */
  getUploader?: (r: Request) => string;
  /** Also remove the bytes on delete instead of only marking the record deleted. Default false. */
  hardDelete?: boolean;
  /** Largest `page_size` for listing. Default 100. */
  maxPageSize?: number;
  /** Default 20. */
  defaultPageSize?: number;
  /** Clock in Unix ms. Default `Date.now`. */
  now?: () => number;
  /** File id generator; ids must match `[A-Za-z0-9_-]{1,64}`. Default: time-ordered random ids. */
  generateId?: () => string;
  /** Lifetime of URLs from `GET <prefix>/:id/url`, seconds (1–86 400). Default 300. */
  downloadUrlTtlSeconds?: number;
}

export interface ResolvedFileApiOptions extends Required<Omit<FileApiOptions, 'allowedContentTypes'>> {
  allowedContentTypes: readonly string[] | undefined;
}

export interface FileApi {
  readonly options: ResolvedFileApiOptions;
  upload: Handler;
  download: Handler;
  info: Handler;
  remove: Handler;
  list: Handler;
  /** A temporary download URL from the storage backend (501 `FILEAPI_URL_UNSUPPORTED` when it cannot sign). */
  url: Handler;
  /**
   * POST/GET `<prefix>`, GET/DELETE `<prefix>/:id`, GET `<prefix>/:id/info`, GET `<prefix>/:id/url`,
   * named `<namePrefix>.upload`, `.list`, `.download`, `.info`, `.delete`, `.url` (route names are
   * unique per app, so a second mount needs its own).
   */
  register(app: FileApiRegistrar, prefix?: string, namePrefix?: string): void;
}

export interface FileApiRegistrar {
  get(path: string, handler: Handler, options?: { name?: string; tags?: readonly string[] }): void;
  post(path: string, handler: Handler, options?: { name?: string; tags?: readonly string[] }): void;
  delete(path: string, handler: Handler, options?: { name?: string; tags?: readonly string[] }): void;
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;
const CONTENT_TYPE = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+(\/\*)?$|^[a-z0-9!#$&^_.+-]+\/\*$/;

function generateTimeOrderedId(): string {
  return Date.now().toString(36).padStart(9, '0') + randomBytes(12).toString('base64url');
}

export function resolveFileApiOptions(options: FileApiOptions): ResolvedFileApiOptions {
  const r: ResolvedFileApiOptions = {
    storage: options.storage,
    metadata: options.metadata,
    maxFileBytes: options.maxFileBytes ?? 10 * 1024 * 1024,
    allowedContentTypes: options.allowedContentTypes?.map((t) => t.toLowerCase()),
    fieldName: options.fieldName ?? 'file',
    requireTenant: options.requireTenant ?? false,
    getUploader: options.getUploader ?? (() => ''),
    hardDelete: options.hardDelete ?? false,
    maxPageSize: options.maxPageSize ?? 100,
    defaultPageSize: options.defaultPageSize ?? 20,
    now: options.now ?? Date.now,
    generateId: options.generateId ?? generateTimeOrderedId,
    downloadUrlTtlSeconds: options.downloadUrlTtlSeconds ?? 300,
  };
  const check = (ok: boolean, what: string): void => {
    if (!ok) throw new FileApiError(`invalid fileapi option: ${what}`);
  };
  check(
    typeof r.storage?.put === 'function' && typeof r.storage.get === 'function',
    'storage must implement the file storage contract',
  );
  check(
    typeof r.metadata?.get === 'function' && typeof r.metadata.list === 'function',
    'metadata must implement FileMetadataStore',
  );
  check(Number.isSafeInteger(r.maxFileBytes) && r.maxFileBytes > 0, 'maxFileBytes must be a positive integer');
  check(
    r.allowedContentTypes === undefined ||
      (r.allowedContentTypes.length > 0 && r.allowedContentTypes.every((t) => CONTENT_TYPE.test(t))),
    'allowedContentTypes must be media types',
  );
  check(r.fieldName.length > 0, 'fieldName must not be empty');
  check(Number.isInteger(r.maxPageSize) && r.maxPageSize >= 1, 'maxPageSize must be ≥ 1');
  check(
    Number.isInteger(r.defaultPageSize) && r.defaultPageSize >= 1 && r.defaultPageSize <= r.maxPageSize,
    'defaultPageSize must be within 1..maxPageSize',
  );
  check(
    Number.isSafeInteger(r.downloadUrlTtlSeconds) && r.downloadUrlTtlSeconds >= 1 && r.downloadUrlTtlSeconds <= 86_400,
    'downloadUrlTtlSeconds must be within 1..86400',
  );
  return r;
}

/** What clients see of a record: never the storage path or the tenant. */
function toPublic(rec: FileRecord): Record<string, unknown> {
  return {
    id: rec.id,
    name: rec.name,
    content_type: rec.contentType,
    size: rec.size,
    sha256: rec.sha256,
    ...(rec.uploadedBy ? { uploaded_by: rec.uploadedBy } : {}),
    created_at: new Date(rec.createdAt).toISOString(),
  };
}

function parseTime(value: string): number | undefined {
  const n = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  return Number.isFinite(n) ? n : undefined;
}

async function pipeToWriter(w: ResponseWriter, source: Readable, signal: AbortSignal, origin: Readable): Promise<void> {
  try {
    for await (const chunk of source) {
      if (!w.write(chunk as Uint8Array)) return;
      if (w.raw?.writableNeedDrain) await once(w.raw, 'drain', { signal });
    }
    w.end();
  } finally {
    // The origin holds the backend's file handle; a ranged read stops early, so close it explicitly.
    source.destroy();
    origin.destroy();
  }
}

/** Upload, download, info, delete and list handlers over a file storage and a metadata store. */
export function createFileApi(options: FileApiOptions): FileApi {
  const o = resolveFileApiOptions(options);

  /** The tenant scope, or an error response already written. */
  const getTenant = (w: ResponseWriter, r: Request): string | undefined => {
    const tenant = tenantIdFromContext(r.ctx);
    if (tenant === '' && o.requireTenant) {
      writeError(
        w,
        r,
        new APIError({
          type: 'unauthorized_request',
          code: FILEAPI_ERROR_CODES.tenantRequired,
          message: 'tenant required',
        }),
      );
      return undefined;
    }
    return tenant;
  };

  const findRecord = async (w: ResponseWriter, r: Request): Promise<FileRecord | undefined> => {
    const tenant = getTenant(w, r);
    if (tenant === undefined) return undefined;
    const id = r.param('id');
    const rec = ID.test(id) ? await o.metadata.get(tenant, id) : undefined;
    if (rec === undefined) writeError(w, r, fileNotFound());
    return rec;
  };

  const upload: Handler = async (w, r) => {
    const tenant = getTenant(w, r);
    if (tenant === undefined) return;
    const id = o.generateId();
    if (!ID.test(id)) throw new FileApiError('generateId returned an invalid id');
    // Storage paths are built from ids and an encoded tenant only; the client's file name never reaches them.
    const storagePath = `${tenant === '' ? 'shared' : `t_${Buffer.from(tenant).toString('base64url')}`}/${id}`;
    let file: Awaited<ReturnType<typeof receiveUpload>>;
    try {
      file = await receiveUpload(r, o.storage, storagePath, {
        maxFileBytes: o.maxFileBytes,
        allowedContentTypes: o.allowedContentTypes,
        fieldName: o.fieldName,
      });
    } catch (error) {
      // The rest of a refused body is never read: closing the connection after the error response is
      // cheaper than draining whatever an oversize or hostile client still sends.
      w.setHeader('connection', 'close');
      throw error;
    }
    const rec: FileRecord = {
      id,
      tenantId: tenant,
      name: file.name,
      contentType: file.contentType,
      size: file.size,
      sha256: file.sha256,
      uploadedBy: o.getUploader(r),
      storagePath,
      createdAt: o.now(),
      deletedAt: undefined,
    };
    try {
      await o.metadata.create(rec);
    } catch (error) {
      await o.storage.delete(storagePath).catch(() => undefined);
      throw error;
    }
    writeResponse(w, r, 201, toPublic(rec));
  };

  const info: Handler = async (w, r) => {
    const rec = await findRecord(w, r);
    if (rec) writeResponse(w, r, 200, toPublic(rec));
  };

  const download: Handler = async (w, r) => {
    const rec = await findRecord(w, r);
    if (!rec) return;
    const etag = `"${rec.sha256}"`;
    w.setHeader('etag', etag);
    w.setHeader('cache-control', 'private, no-cache');
    w.setHeader('accept-ranges', 'bytes');
    if (
      r
        .header('if-none-match')
        ?.split(',')
        .some((t) => t.trim().replace(/^W\//, '') === etag)
    ) {
      // RFC 9110 §8.6: a 304 may carry Content-Length only as the size a 200 would have had.
      w.setHeader('content-length', String(rec.size));
      w.writeHead(304);
      w.end();
      return;
    }
    const ifRange = r.header('if-range');
    const range =
      ifRange === undefined || ifRange.trim() === etag ? parseByteRange(r.header('range'), rec.size) : undefined;
    if (range === 'unsatisfiable') {
      w.setHeader('content-range', `bytes */${rec.size}`);
      writeError(
        w,
        r,
        new APIError({ status: 416, code: FILEAPI_ERROR_CODES.rangeNotSatisfiable, message: 'range not satisfiable' }),
      );
      return;
    }
    // User content is served as an inert download: no sniffing, no scripts, even for text/html uploads.
    w.setHeader('content-type', rec.contentType);
    w.setHeader('content-disposition', getContentDisposition(rec.name));
    w.setHeader('x-content-type-options', 'nosniff');
    w.setHeader('content-security-policy', "default-src 'none'; sandbox");
    if (range !== undefined) w.setHeader('content-range', `bytes ${range.start}-${range.end}/${rec.size}`);
    w.setHeader('content-length', String(range ? range.end - range.start + 1 : rec.size));
    // A backend that reads ranges itself sends only those bytes; otherwise the whole stream is sliced here.
    const ranged = range !== undefined && o.storage.getRange !== undefined;
    const source =
      r.method === 'HEAD'
        ? undefined
        : ranged
          ? await o.storage.getRange!(rec.storagePath, range)
          : await o.storage.get(rec.storagePath);
    w.writeHead(range ? 206 : 200);
    if (source === undefined) return w.end();
    await pipeToWriter(w, range && !ranged ? source.pipe(new ByteSlice(range)) : source, r.signal, source);
  };

  const url: Handler = async (w, r) => {
    const rec = await findRecord(w, r);
    if (!rec) return;
    if (o.storage.createDownloadUrl === undefined) {
      writeError(
        w,
        r,
        new APIError({
          status: 501,
          code: FILEAPI_ERROR_CODES.urlUnsupported,
          message: 'this storage cannot issue download URLs',
        }),
      );
      return;
    }
    const expiresAt = o.now() + o.downloadUrlTtlSeconds * 1000;
    const signed = await o.storage.createDownloadUrl(rec.storagePath, {
      expiresInSeconds: o.downloadUrlTtlSeconds,
      fileName: rec.name,
    });
    // The URL is a bearer credential for the file: never cached by anything between here and the client.
    w.setHeader('cache-control', 'no-store');
    writeResponse(w, r, 200, { url: signed, expires_at: new Date(expiresAt).toISOString() });
  };

  const remove: Handler = async (w, r) => {
    const rec = await findRecord(w, r);
    if (!rec) return;
    if (!(await o.metadata.markDeleted(rec.tenantId, rec.id, o.now()))) return void writeError(w, r, fileNotFound());
    if (o.hardDelete) await o.storage.delete(rec.storagePath);
    writeResponse(w, r, 204);
  };

  const list: Handler = async (w, r) => {
    const tenant = getTenant(w, r);
    if (tenant === undefined) return;
    const q = r.query;
    const details: Record<string, string> = {};
    const int = (name: string, def: number, min: number, max: number): number => {
      const raw = q.get(name);
      if (raw === null) return def;
      const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
      if (!(n >= min && n <= max)) details[name] = `must be an integer between ${min} and ${max}`;
      return n;
    };
    const time = (name: string): number | undefined => {
      const raw = q.get(name);
      if (raw === null) return undefined;
      const t = parseTime(raw);
      if (t === undefined) details[name] = 'must be an ISO 8601 date or Unix milliseconds';
      return t;
    };
    const page = int('page', 1, 1, 1_000_000);
    const pageSize = int('page_size', o.defaultPageSize, 1, o.maxPageSize);
    const createdAfter = time('created_after');
    const createdBefore = time('created_before');
    if (createdAfter !== undefined && createdBefore !== undefined && createdAfter >= createdBefore) {
      details['created_before'] = 'must be later than created_after';
    }
    if (Object.keys(details).length > 0) {
      writeError(w, r, new APIError({ type: 'validation_failure', message: 'query validation failed', details }));
      return;
    }
    const { items, total } = await o.metadata.list(tenant, {
      offset: (page - 1) * pageSize,
      limit: pageSize,
      ...(createdAfter === undefined ? {} : { createdAfter }),
      ...(createdBefore === undefined ? {} : { createdBefore }),
    });
    writeResponse(w, r, 200, items.map(toPublic), {
      page,
      page_size: pageSize,
      total,
      total_pages: Math.ceil(total / pageSize),
    });
  };

  return {
    options: o,
    upload,
    download,
    info,
    remove,
    list,
    url,
    register(app, prefix = '/files', namePrefix = 'fileapi') {
      const tags = ['files'];
      app.post(prefix, upload, { name: `${namePrefix}.upload`, tags });
      app.get(prefix, list, { name: `${namePrefix}.list`, tags });
      app.get(`${prefix}/:id`, download, { name: `${namePrefix}.download`, tags });
      app.get(`${prefix}/:id/info`, info, { name: `${namePrefix}.info`, tags });
      app.get(`${prefix}/:id/url`, url, { name: `${namePrefix}.url`, tags });
      app.delete(`${prefix}/:id`, remove, { name: `${namePrefix}.delete`, tags });
    },
  };
}
