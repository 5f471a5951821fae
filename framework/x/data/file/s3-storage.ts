import { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { StoreError, assertStoragePath, type FileListOptions, type FileStat, type FileStorage } from 'plumego/store';
import { DataError, assertDataOption, sanitizeDriverError } from 'plumego/x/data';

export interface S3FileStorageOptions {
  /** A configured client (endpoint, region, credentials). Required. */
  client: S3Client;
  /** Bucket name. Required. */
  bucket: string;
  /** Key prefix inside the bucket (e.g. `uploads/`); storage paths are relative to it. Default: ''. */
  prefix?: string;
  /** Part size for multipart uploads, bytes; streams larger than one part upload in parts. Default: 8 MiB (S3 minimum 5 MiB). */
  partSize?: number;
  /** Parts uploaded at once. Default: 4. */
  queueSize?: number;
  /** Longest lifetime of a presigned URL, seconds. Default: 3600. */
  maxUrlExpirySeconds?: number;
}

export interface ByteRangeRequest {
  /** First byte, inclusive. */
  start: number;
  /** Last byte, inclusive. */
  end: number;
}

/** A missing object (not a missing bucket, which is a configuration fault). */
function isNotFound(err: unknown): boolean {
  const e = err as { name?: string } | null;
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound';
}

/** S3 failures as data errors: an HTTP answer from the service is `DATA_OBJECT_STORAGE`, anything else the connection. */
function toError(err: unknown): Error {
  if (err instanceof StoreError || err instanceof DataError) return err;
  const status = (err as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
  const cause = sanitizeDriverError(err);
  if (status === undefined) return new DataError('PLUMEGO_ERR_DATA_CONNECTION_LOST', { cause });
  return new DataError('PLUMEGO_ERR_DATA_OBJECT_STORAGE', { reason: `status:${status}`, cause });
}

/**
 * store's `FileStorage` on S3 or an S3-compatible service, through `@aws-sdk/client-s3`. Writes go
 * through `@aws-sdk/lib-storage`'s `Upload`: one PUT for small bodies, a multipart upload (aborted
 * on error, so no parts linger) for large streams; either way the object appears only when
 * complete, so readers see the old object or the whole new one. Adds ranged reads and presigned
 * GET/PUT URLs with an expiry.
 */
export class S3FileStorage implements FileStorage {
  readonly #s3: S3Client;
  readonly #bucket: string;
  readonly #prefix: string;
  readonly #partSize: number;
  readonly #queueSize: number;
  readonly #maxExpiry: number;

  constructor(options: S3FileStorageOptions) {
    assertDataOption(typeof options?.client?.send === 'function', 'client');
    assertDataOption(
      typeof options.bucket === 'string' && /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(options.bucket),
      'bucket',
    );
    this.#prefix = options.prefix ?? '';
    assertDataOption(
      this.#prefix === '' ||
        (this.#prefix.endsWith('/') && !this.#prefix.startsWith('/') && assertPrefix(this.#prefix)),
      'prefix',
    );
    this.#partSize = options.partSize ?? 8 * 1024 * 1024;
    this.#queueSize = options.queueSize ?? 4;
    this.#maxExpiry = options.maxUrlExpirySeconds ?? 3600;
    assertDataOption(Number.isSafeInteger(this.#partSize) && this.#partSize >= 5 * 1024 * 1024, 'partSize');
    assertDataOption(Number.isSafeInteger(this.#queueSize) && this.#queueSize >= 1, 'queueSize');
    assertDataOption(
      Number.isSafeInteger(this.#maxExpiry) && this.#maxExpiry >= 1 && this.#maxExpiry <= 604_800,
      'maxUrlExpirySeconds',
    );
    this.#s3 = options.client;
    this.#bucket = options.bucket;
  }

  #key(path: string): string {
    return this.#prefix + assertStoragePath(path);
  }

  async #call<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (isNotFound(err)) throw new StoreError('PLUMEGO_ERR_FILE_NOT_FOUND');
      throw toError(err);
    }
  }

  async put(path: string, source: Readable | Uint8Array | string): Promise<FileStat> {
    const key = this.#key(path);
    const body = typeof source === 'string' ? Buffer.from(source) : source;
    const upload = new Upload({
      client: this.#s3,
      params: { Bucket: this.#bucket, Key: key, Body: body },
      partSize: this.#partSize,
      queueSize: this.#queueSize,
      leavePartsOnError: false,
    });
    try {
      await this.#call(() => upload.done());
    } catch (err) {
      // The caller's stream failed (a client that went away): report its error, not a storage fault.
      if (body instanceof Readable && body.errored) throw body.errored;
      throw err;
    }
    return this.stat(path);
  }

  async get(path: string): Promise<Readable> {
    const key = this.#key(path);
    const out = await this.#call(() => this.#s3.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key })));
    return out.Body as Readable;
  }

  /** Bytes `start`–`end` (inclusive) of the file; `end` past the file's last byte is clamped by the service. */
  async getRange(path: string, range: ByteRangeRequest): Promise<Readable> {
    const key = this.#key(path);
    if (
      !Number.isSafeInteger(range?.start) ||
      !Number.isSafeInteger(range.end) ||
      range.start < 0 ||
      range.end < range.start
    ) {
      throw new DataError('PLUMEGO_ERR_DATA_INVALID_OPTIONS', { reason: 'field:range' });
    }
    const out = await this.#call(() =>
      this.#s3.send(
        new GetObjectCommand({ Bucket: this.#bucket, Key: key, Range: `bytes=${range.start}-${range.end}` }),
      ),
    );
    return out.Body as Readable;
  }

  async stat(path: string): Promise<FileStat> {
    const key = this.#key(path);
    const head = await this.#call(() => this.#s3.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: key })));
    return { path, size: head.ContentLength ?? 0, modifiedAt: head.LastModified?.getTime() ?? 0 };
  }

  async exists(path: string): Promise<boolean> {
    try {
      await this.stat(path);
      return true;
    } catch (err) {
      if (err instanceof StoreError && err.code === 'PLUMEGO_ERR_FILE_NOT_FOUND') return false;
      throw err;
    }
  }

  /** True when a file was removed. S3's DELETE does not say, so this asks first (not atomic with the delete). */
  async delete(path: string): Promise<boolean> {
    const key = this.#key(path);
    if (!(await this.exists(path))) return false;
    await this.#call(() => this.#s3.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: key })));
    return true;
  }

  async list(options: FileListOptions = {}): Promise<FileStat[]> {
    const limit = options.limit ?? 1000;
    const out: FileStat[] = [];
    let token: string | undefined;
    do {
      const page = await this.#call(() =>
        this.#s3.send(
          new ListObjectsV2Command({
            // Full pages: S3 returns keys in order, and small pages only add round trips. (s3rver, the
            // local test server, cannot issue continuation tokens under OpenSSL 3, so the >1000-key
            // path is exercised against real S3 only.)
            Bucket: this.#bucket,
            Prefix: this.#prefix + (options.prefix ?? ''),
            MaxKeys: 1000,
            ContinuationToken: token,
          }),
        ),
      );
      for (const item of page.Contents ?? []) {
        if (item.Key === undefined) continue;
        out.push({
          path: item.Key.slice(this.#prefix.length),
          size: item.Size ?? 0,
          modifiedAt: item.LastModified?.getTime() ?? 0,
        });
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined && out.length < limit);
    return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)).slice(0, limit);
  }

  async copy(from: string, to: string): Promise<FileStat> {
    const source = this.#key(from);
    const target = this.#key(to);
    await this.#call(() =>
      this.#s3.send(
        new CopyObjectCommand({
          Bucket: this.#bucket,
          Key: target,
          CopySource: `${this.#bucket}/${source.split('/').map(encodeURIComponent).join('/')}`,
        }),
      ),
    );
    return this.stat(to);
  }

  /** A presigned GET URL valid for `expiresInSeconds` (≤ `maxUrlExpirySeconds`), optionally for one byte range. */
  async createDownloadUrl(path: string, options: { expiresInSeconds: number; fileName?: string }): Promise<string> {
    const key = this.#key(path);
    const expiresIn = this.#expiry(options?.expiresInSeconds);
    const disposition =
      options.fileName === undefined
        ? undefined
        : `attachment; filename*=UTF-8''${encodeURIComponent(options.fileName)}`;
    return getSignedUrl(
      this.#s3,
      new GetObjectCommand({ Bucket: this.#bucket, Key: key, ResponseContentDisposition: disposition }),
      { expiresIn },
    );
  }

  /** A presigned PUT URL valid for `expiresInSeconds`, for a client to upload directly. */
  async createUploadUrl(path: string, options: { expiresInSeconds: number; contentType?: string }): Promise<string> {
    const key = this.#key(path);
    const expiresIn = this.#expiry(options?.expiresInSeconds);
    return getSignedUrl(
      this.#s3,
      new PutObjectCommand({ Bucket: this.#bucket, Key: key, ContentType: options.contentType }),
      { expiresIn },
    );
  }

  #expiry(seconds: unknown): number {
    if (typeof seconds !== 'number' || !Number.isSafeInteger(seconds) || seconds < 1 || seconds > this.#maxExpiry) {
      throw new DataError('PLUMEGO_ERR_DATA_INVALID_OPTIONS', { reason: 'field:expiresInSeconds' });
    }
    return seconds;
  }
}

function assertPrefix(prefix: string): boolean {
  try {
    assertStoragePath(prefix.slice(0, -1));
    return true;
  } catch {
    return false;
  }
}
