import { createBrotliCompress, createGzip, constants as zlib, type BrotliCompress, type Gzip } from 'node:zlib';
import type { Chunk, HeaderBlock, ResponseWriter } from 'plumego/contract';
import { isCompressibleType, type Encoding } from './negotiate.ts';

export interface CompressionSettings {
  minBytes: number;
  gzipLevel: number;
  brotliQuality: number;
}

function toBuffer(chunk: Chunk): Buffer {
  return typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

function byteLength(chunk: Chunk): number {
  return typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
}

function concat(chunks: Chunk[]): Chunk {
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks.map(toBuffer));
}

const VARY_ACCEPT_ENCODING = /(^|,)\s*(accept-encoding|\*)\s*(,|$)/i;
const NO_TRANSFORM = /\bno-transform\b/i;

/**
 * Sits between a handler and the real writer. It holds the first bytes until it can decide: a
 * response that ends below `minBytes`, has a non-compressible type, is already encoded, is not
 * 2xx-with-body or says `no-transform` goes out untouched; anything else is streamed through
 * gzip or brotli. Once compression started it stays on for the rest of the response.
 */
export class CompressingWriter implements ResponseWriter {
  status = 0;
  bytesWritten = 0;
  headersSent = false;
  finished = false;
  /** True once the response reached the real writer completely (or was dropped). */
  settled = false;
  #done: Promise<void> | undefined;
  #resolveDone: (() => void) | undefined;
  #mode: 'pending' | 'identity' | 'compress' = 'pending';
  // Chunks as the handler gave them: a small response goes out as the string it was, never copied.
  #pending: Chunk[] = [];
  #pendingBytes = 0;
  #stream: Gzip | BrotliCompress | undefined;
  readonly #w: ResponseWriter;
  readonly #encoding: Encoding;
  readonly #settings: CompressionSettings;

  constructor(w: ResponseWriter, encoding: Encoding, settings: CompressionSettings) {
    this.#w = w;
    this.#encoding = encoding;
    this.#settings = settings;
  }

  /**
   * Settles when the response reached the real writer. Created on first use: the common case (a
   * small response, decided synchronously) never needs a promise.
   */
  get done(): Promise<void> {
    if (this.settled) return Promise.resolve();
    return (this.#done ??= new Promise<void>((resolve) => (this.#resolveDone = resolve)));
  }

  #settle(): void {
    this.settled = true;
    this.#resolveDone?.();
  }

  get raw() {
    return this.#w.raw;
  }
  getHeader(name: string): string | undefined {
    return this.#w.getHeader(name);
  }
  hasHeader(name: string): boolean {
    return this.#w.hasHeader(name);
  }
  setHeader(name: string, value: string | number | readonly string[]): void {
    if (!this.headersSent) this.#w.setHeader(name, value);
  }
  appendHeader(name: string, value: string): void {
    if (!this.headersSent) this.#w.appendHeader(name, value);
  }
  removeHeader(name: string): void {
    if (!this.headersSent) this.#w.removeHeader(name);
  }
  addHeaderBlock(block: HeaderBlock): void {
    if (!this.headersSent) this.#w.addHeaderBlock(block);
  }

  writeHead(status: number): void {
    if (this.headersSent) return;
    this.headersSent = true;
    this.status = status;
  }

  write(chunk: Chunk): boolean {
    if (this.finished) return false;
    if (!this.headersSent) this.writeHead(200);
    const n = byteLength(chunk);
    this.bytesWritten += n;
    if (this.#mode === 'identity') return this.#w.write(chunk);
    if (this.#mode === 'compress') {
      this.#stream?.write(toBuffer(chunk));
      return true;
    }
    this.#pending.push(chunk);
    this.#pendingBytes += n;
    if (this.#pendingBytes >= this.#settings.minBytes) this.#decide(false);
    return true;
  }

  end(chunk?: Chunk): void {
    if (this.finished) return;
    if (chunk !== undefined) this.write(chunk);
    else if (!this.headersSent) this.writeHead(200);
    this.finished = true;
    if (this.#mode === 'pending') this.#decide(true);
    else if (this.#mode === 'compress') this.#stream?.end();
    else {
      this.#w.end();
      this.#settle();
    }
  }

  /** Drops the response after a handler error; the real writer is untouched unless output began. */
  abort(): void {
    this.finished = true;
    this.#pending = [];
    this.#stream?.destroy();
    this.#settle();
  }

  /** Cheapest checks first: most responses of an API are too small, and that settles it. */
  #shouldCompress(final: boolean, compressible: boolean): boolean {
    if (!compressible || (final && this.#pendingBytes < this.#settings.minBytes)) return false;
    const w = this.#w;
    const status = this.status;
    if (status < 200 || status === 204 || status === 206 || status === 304) return false;
    if (w.hasHeader('content-encoding') || w.hasHeader('content-range')) return false;
    return !NO_TRANSFORM.test(w.getHeader('cache-control') ?? '');
  }

  #decide(final: boolean): void {
    const w = this.#w;
    const compressible = isCompressibleType(w.getHeader('content-type'));
    if (compressible) {
      // Whether this response is compressed depends on Accept-Encoding, even when it was not.
      const vary = w.getHeader('vary');
      if (vary === undefined) w.appendHeader('vary', 'Accept-Encoding');
      else if (!VARY_ACCEPT_ENCODING.test(vary)) w.appendHeader('vary', 'Accept-Encoding');
    }
    const pending = this.#pending;
    this.#pending = [];
    if (!this.#shouldCompress(final, compressible)) {
      this.#mode = 'identity';
      w.writeHead(this.status);
      if (final) {
        if (pending.length === 0) w.end();
        else w.end(concat(pending));
        this.#settle();
      } else {
        for (const chunk of pending) w.write(chunk);
      }
      return;
    }
    this.#mode = 'compress';
    w.setHeader('content-encoding', this.#encoding);
    w.removeHeader('content-length');
    w.writeHead(this.status);
    const stream =
      this.#encoding === 'br'
        ? createBrotliCompress({ params: { [zlib.BROTLI_PARAM_QUALITY]: this.#settings.brotliQuality } })
        : createGzip({ level: this.#settings.gzipLevel });
    this.#stream = stream;
    stream.on('data', (out: Buffer) => w.write(out));
    stream.on('end', () => {
      w.end();
      this.#settle();
    });
    stream.on('error', () => {
      // Compression of in-memory bytes does not fail in practice; if it does, cut the response.
      w.raw?.destroy();
      this.#settle();
    });
    for (const chunk of pending) stream.write(toBuffer(chunk));
    if (final) stream.end();
  }
}
