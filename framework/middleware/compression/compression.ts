import { isPromise, type Handler, type Middleware } from 'plumego/contract';
import { CompressingWriter } from './compressing-writer.ts';
import { negotiateEncoding, type Encoding } from './negotiate.ts';

export interface CompressionOptions {
  /** Encodings offered, in server preference order. Default: `['br', 'gzip']`. */
  encodings?: readonly Encoding[];
  /** Responses smaller than this (bytes) are sent as they are. Default: 1024. */
  minBytes?: number;
  /** gzip level 1–9. Default: 6. */
  gzipLevel?: number;
  /** Brotli quality 0–11. Default: 4 (brotli's top levels cost far more CPU than they save on the wire). */
  brotliQuality?: number;
}

export interface ResolvedCompressionOptions {
  encodings: readonly Encoding[];
  minBytes: number;
  gzipLevel: number;
  brotliQuality: number;
}

export const DEFAULT_COMPRESSION_OPTIONS: ResolvedCompressionOptions = {
  encodings: ['br', 'gzip'],
  minBytes: 1024,
  gzipLevel: 6,
  brotliQuality: 4,
};

export function resolveCompressionOptions(options: CompressionOptions = {}): ResolvedCompressionOptions {
  const o = { ...DEFAULT_COMPRESSION_OPTIONS, ...options };
  const inRange = (v: number, min: number, max: number) => Number.isInteger(v) && v >= min && v <= max;
  if (o.encodings.length === 0 || !o.encodings.every((e) => e === 'br' || e === 'gzip'))
    throw new TypeError('compression: encodings must be a non-empty list of "br" and "gzip"');
  if (!inRange(o.minBytes, 0, 1 << 30)) throw new TypeError('compression: minBytes must be a non-negative integer');
  if (!inRange(o.gzipLevel, 1, 9)) throw new TypeError('compression: gzipLevel must be 1-9');
  if (!inRange(o.brotliQuality, 0, 11)) throw new TypeError('compression: brotliQuality must be 0-11');
  return { ...o, encodings: [...o.encodings] };
}

/**
 * Compresses responses with brotli or gzip, as negotiated from `Accept-Encoding`. HEAD requests
 * and upgrade requests (WebSocket) pass straight through; responses that are small, already
 * encoded, of a binary type (images, video, audio, archives, PDF, octet streams), SSE, partial
 * content or `no-transform` are sent untouched. It holds at most `minBytes` before deciding, then
 * streams — but it is a buffering writer, so do not rely on `w.raw` for streaming beneath it.
 */
export function compression(options: CompressionOptions = {}): Middleware {
  const o = resolveCompressionOptions(options);
  const settings = { minBytes: o.minBytes, gzipLevel: o.gzipLevel, brotliQuality: o.brotliQuality };
  // Clients send the same few Accept-Encoding strings over and over: remember the last answer
  // instead of splitting and weighing the header on every request.
  let lastHeader: string | undefined;
  let lastEncoding: Encoding | undefined;
  const negotiate = (header: string | undefined): Encoding | undefined => {
    if (header === undefined) return undefined;
    if (header !== lastHeader) {
      lastEncoding = negotiateEncoding(header, o.encodings);
      lastHeader = header;
    }
    return lastEncoding;
  };
  // Not an async function: a synchronous handler whose response is too small to compress stays
  // synchronous for every outer layer (no promise, no extra microtask per request).
  return (next: Handler): Handler =>
    (w, r) => {
      if (r.method === 'HEAD') return next(w, r);
      const encoding = negotiate(r.header('accept-encoding'));
      if (encoding === undefined || r.header('upgrade') !== undefined) return next(w, r);
      const cw = new CompressingWriter(w, encoding, settings);
      let p;
      try {
        p = next(cw, r);
      } catch (err) {
        cw.abort();
        throw err;
      }
      if (!isPromise(p)) return cw.finished && !cw.settled ? cw.done : undefined;
      return p.then(
        () => finish(cw),
        (err: unknown) => {
          cw.abort();
          throw err;
        },
      );
    };
}

/** Outer middleware (access log, metrics) should see the finished response when there is one. */
function finish(cw: CompressingWriter): Promise<void> | undefined {
  return cw.finished && !cw.settled ? cw.done : undefined;
}
