import busboy from 'busboy';
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { APIError, type Request } from 'plumego/contract';
import { FILEAPI_ERROR_CODES, fileTooLarge, invalidMultipart, unsupportedMediaType } from './errors.ts';
import { isAllowedContentType, sanitizeFileName } from './names.ts';
import type { FileStorageLike } from './storage.ts';

export interface UploadLimits {
  /** Largest file accepted, in bytes. */
  maxFileBytes: number;
  /** Allowed part content types (`image/png`, `image/*`); undefined allows any. */
  allowedContentTypes: readonly string[] | undefined;
  /** The multipart field that carries the file. */
  fieldName: string;
}

export interface ReceivedFile {
  name: string;
  contentType: string;
  size: number;
  sha256: string;
}

/** Multipart framing, headers and small fields on top of the file itself. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

/** Hashes and counts bytes on their way to storage. */
class Digest extends Transform {
  readonly hash = createHash('sha256');
  size = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    cb(null, chunk);
  }
}

function fileRequired(): APIError {
  return new APIError({
    type: 'bad_request',
    code: FILEAPI_ERROR_CODES.fileRequired,
    message: 'a file part is required',
  });
}

/**
 * Streams the first `fieldName` file part of a multipart request into `storage` at `path`. The size cap
 * is enforced twice while streaming — on the part (busboy's `fileSize`) and on the whole body — and once
 * up front from Content-Length, so an oversize upload is refused without being read or buffered.
 * On any failure nothing is left in storage.
 */
export function receiveUpload(
  r: Request,
  storage: FileStorageLike,
  path: string,
  limits: UploadLimits,
): Promise<ReceivedFile> {
  const contentType = r.header('content-type') ?? '';
  if (!/^multipart\/form-data\s*;/i.test(contentType)) {
    return Promise.reject(unsupportedMediaType('content type must be multipart/form-data'));
  }
  let maxRequest = limits.maxFileBytes + MULTIPART_OVERHEAD_BYTES;
  if (r.state.maxBodyBytes >= 0) maxRequest = Math.min(maxRequest, r.state.maxBodyBytes);
  const declared = Number(r.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxRequest) return Promise.reject(fileTooLarge(limits.maxFileBytes));
  let bb: busboy.Busboy;
  try {
    bb = busboy({
      headers: r.headers,
      // Browsers send file names as raw UTF-8, not busboy's default latin1.
      defParamCharset: 'utf8',
      // busboy reports 'limit' on reaching fileSize, so one byte of headroom lets a file of exactly
      // maxFileBytes through while anything larger still trips it.
      limits: { fileSize: limits.maxFileBytes + 1, files: 1, fields: 16, fieldSize: 4096, parts: 32, headerPairs: 32 },
    });
  } catch {
    return Promise.reject(invalidMultipart());
  }
  if (r.state.bodyConsumed) return Promise.reject(new Error('request body was already consumed'));
  r.state.bodyConsumed = true;

  return new Promise<ReceivedFile>((resolve, reject) => {
    const body = r.body;
    /** Set once the upload failed or succeeded; later events are ignored. */
    let failed = false;
    let seen = 0;
    let storing: Promise<unknown> | undefined;
    let digest: Digest | undefined;
    let info: { name: string; contentType: string } | undefined;

    const onAbort = (): void => fail(invalidMultipart('upload aborted'));
    const fail = (error: unknown): void => {
      if (failed) return;
      failed = true;
      r.signal.removeEventListener('abort', onAbort);
      body.off('data', onData);
      body.unpipe(bb);
      // Discard the rest so the connection can still carry the error response.
      body.resume();
      digest?.destroy(error instanceof Error ? error : new Error('upload failed'));
      reject(error);
      // Whatever the backend kept (it should keep nothing: puts are atomic) goes once the put settles.
      const remove = (): void => void storage.delete(path).catch(() => undefined);
      storing?.then(remove, remove);
    };
    const onData = (chunk: Buffer): void => {
      seen += chunk.length;
      if (seen > maxRequest) fail(fileTooLarge(limits.maxFileBytes));
    };

    bb.on('file', (field, stream, meta) => {
      if (failed || field !== limits.fieldName || storing !== undefined) {
        stream.resume();
        return;
      }
      const type = (meta.mimeType || 'application/octet-stream').toLowerCase();
      if (!isAllowedContentType(type, limits.allowedContentTypes)) {
        stream.resume();
        fail(unsupportedMediaType('file type is not allowed'));
        return;
      }
      info = { name: sanitizeFileName(meta.filename), contentType: type };
      const d = new Digest();
      // Failures are reported through `fail`; this listener only keeps a destroyed stream's error from
      // surfacing as an unhandled 'error' event when the backend reads without one.
      d.on('error', () => undefined);
      digest = d;
      stream.on('limit', () => fail(fileTooLarge(limits.maxFileBytes)));
      stream.pipe(d);
      storing = storage.put(path, d);
      storing.catch(fail);
    });
    bb.on('error', () => fail(invalidMultipart()));
    bb.on('close', () => {
      if (failed) return;
      if (storing === undefined || digest === undefined || info === undefined) return fail(fileRequired());
      const d = digest;
      const i = info;
      storing.then(() => {
        if (failed) return;
        // Settled: a disconnect from here on must not delete a file the caller is about to record.
        failed = true;
        r.signal.removeEventListener('abort', onAbort);
        resolve({ name: i.name, contentType: i.contentType, size: d.size, sha256: d.hash.digest('hex') });
      }, fail);
    });
    r.signal.addEventListener('abort', onAbort, { once: true });
    body.on('data', onData);
    body.pipe(bb);
  });
}
