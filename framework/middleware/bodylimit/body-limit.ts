import { APIError, writeError, type Middleware } from 'plumego/contract';

export interface BodyLimitOptions {
  /** Largest request body in bytes; ≤ 0 disables the middleware. Required. */
  maxBytes: number;
}

/**
 * Caps request bodies. A declared `content-length` over the limit is answered at once with 413
 * `REQUEST_BODY_TOO_LARGE` (details `max_bytes`, `seen_bytes`) and `connection: close`, without
 * reading the body. Otherwise the limit is recorded on `r.state`, and `readBody`/`readJson` enforce
 * it while streaming (so chunked bodies are capped too). Code that reads `r.body` directly must
 * honour `r.state.maxBodyBytes` itself.
 */
export function bodyLimit(options: BodyLimitOptions): Middleware {
  const max = options.maxBytes;
  if (typeof max !== 'number' || Number.isNaN(max)) throw new TypeError('bodyLimit: maxBytes must be a number');
  if (max <= 0) return (next) => next;
  return (next) => (w, r) => {
    const declared = r.headers['content-length'];
    if (declared !== undefined) {
      const n = Number(declared);
      if (n > max) {
        w.setHeader('connection', 'close');
        writeError(
          w,
          r,
          new APIError({
            type: 'payload_too_large',
            message: 'request body too large',
            details: { max_bytes: max, seen_bytes: n },
          }),
        );
        return;
      }
    }
    const st = r.state;
    if (st.maxBodyBytes < 0 || st.maxBodyBytes > max) st.maxBodyBytes = max;
    return next(w, r);
  };
}
