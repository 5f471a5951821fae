import { APIError } from './api-error.ts';
import { ClientDisconnectedError, isClientDisconnect, type Request } from './request.ts';

/** Default body limit for `readBody`/`readJson`: 1 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 1 << 20;

export interface ReadBodyOptions {
  /** Largest body accepted, in bytes. Default 1 MiB; a bodylimit middleware's lower limit wins. */
  maxBytes?: number;
}

export interface ReadJsonOptions extends ReadBodyOptions {
  /** Reject bodies whose content type is not JSON (`application/json` or `*+json`). Default true. */
  requireJsonContentType?: boolean;
}

function tooLarge(max: number, seen: number): APIError {
  return new APIError({
    type: 'payload_too_large',
    message: 'request body too large',
    details: { max_bytes: max, seen_bytes: seen },
  });
}

function effectiveLimit(r: Request, opts: ReadBodyOptions | undefined): number {
  const own = opts?.maxBytes ?? DEFAULT_MAX_BODY_BYTES;
  const mw = r.state.maxBodyBytes;
  return mw >= 0 && mw < own ? mw : own;
}

/**
 * Reads the whole body, enforcing the size limit both from `content-length` (before reading) and
 * while streaming. Rejects with a 413 `APIError` (`REQUEST_BODY_TOO_LARGE`, details `max_bytes`,
 * `seen_bytes`) when over the limit, and with `ClientDisconnectedError` when the client goes away
 * before the body ended. A second call returns the same bytes. For `Expect: 100-continue`
 * requests the `100 Continue` goes out only after the declared length passed the limit.
 */
export function readBody(r: Request, opts?: ReadBodyOptions): Promise<Buffer> {
  const st = r.state;
  if (st.bodyBuffer !== undefined) return Promise.resolve(st.bodyBuffer);
  const max = effectiveLimit(r, opts);
  const declared = Number(r.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) return Promise.reject(tooLarge(max, declared));
  if (st.bodyConsumed) return Promise.reject(new Error('request body was already consumed as a stream'));
  st.bodyConsumed = true;
  if (st.sendContinue !== undefined) {
    // The size check passed: now ask the client for the body it is holding back.
    st.sendContinue();
    st.sendContinue = undefined;
  }
  const body = r.body;
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let seen = 0;
    const cleanup = (): void => {
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', onError);
      body.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      seen += chunk.length;
      if (seen > max) {
        cleanup();
        // Keep draining (discarding) so the connection can still carry the 413.
        body.resume();
        reject(tooLarge(max, seen));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      st.bodyBuffer = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, seen);
      resolve(st.bodyBuffer);
    };
    const onError = (err: Error): void => {
      cleanup();
      // A client that goes away mid-body is not a server failure (see ClientDisconnectedError).
      reject(isClientDisconnect(err) ? new ClientDisconnectedError() : err);
    };
    const onClose = (): void => {
      cleanup();
      reject(new ClientDisconnectedError());
    };
    body.on('data', onData);
    body.on('end', onEnd);
    body.on('error', onError);
    body.on('close', onClose);
  });
}

/** True for `application/json` and `application/<x>+json`, parameters allowed. */
export function isJsonContentType(value: string | undefined): boolean {
  if (value === undefined) return false;
  const semi = value.indexOf(';');
  const type = (semi < 0 ? value : value.slice(0, semi)).trim().toLowerCase();
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

/**
 * Reads and parses a JSON body. Errors are `APIError`s ready for `writeError`:
 * 415 `UNSUPPORTED_MEDIA_TYPE` (content type is not JSON), 413 `REQUEST_BODY_TOO_LARGE`,
 * 400 `INVALID_JSON` (empty or unparsable; the parser's message is not echoed).
 */
export async function readJson(r: Request, opts?: ReadJsonOptions): Promise<unknown> {
  if ((opts?.requireJsonContentType ?? true) && !isJsonContentType(r.header('content-type'))) {
    throw new APIError({ type: 'unsupported_media_type', message: 'content type must be application/json' });
  }
  const buf = await readBody(r, opts);
  const text = buf.toString('utf8').trim();
  if (text.length === 0) {
    throw new APIError({ type: 'bad_request', code: 'INVALID_JSON', message: 'request body is empty' });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new APIError({ type: 'bad_request', code: 'INVALID_JSON', message: 'request body is not valid JSON', cause });
  }
}
