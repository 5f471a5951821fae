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
  readonly done: Promise<void>;
  #resolveDone: () => void = () => {};
  #mode: 'pending' | 'identity' | 'compress' = 'pending';
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #stream: Gzip | BrotliCompress | undefined;
  readonly #w: ResponseWriter;
  readonly #encoding: Encoding;
  readonly #settings: CompressionSettings;

  constructor(w: ResponseWriter, encoding: Encoding, settings: CompressionSettings) {
    this.#w = w;
    this.#encoding = encoding;
    this.#settings = settings;
    this.done = new Promise<void>((resolve) => (this.#resolveDone = resolve));
  }

  get raw() { return this.#w.raw; }
  getHeader(name: string): string | undefined { return this.#w.getHeader(name); }
  hasHeader(name: string): boolean { return this.#w.hasHeader(name); }
  setHeader(name: string, value: string | number | readonly string[]): void { if (!this.headersSent) this.#w.setHeader(name, value); }
  appendHeader(name: string, value: string): void { if (!this.headersSent) this.#w.appendHeader(name, value); }
  removeHeader(name: string): void { if (!this.headersSent) this.#w.removeHeader(name); }
  addHeaderBlock(block: HeaderBlock): void { if (!this.headersSent) this.#w.addHeaderBlock(block); }

  writeHead(status: number): void {
    if (this.headersSent) return;
    this.headersSent = true;
    this.status = status;
  }

  write(chunk: Chunk): boolean {
    if (this.finished) return false;
    if (!this.headersSent) this.writeHead(200);
    const bytes = toBuffer(chunk);
    this.bytesWritten += bytes.byteLength;
    if (this.#mode === 'identity') return this.#w.write(bytes);
    if (this.#mode === 'compress') {
      this.#stream?.write(bytes);
      return true;
    }
    this.#pending.push(bytes);
    this.#pendingBytes += bytes.byteLength;
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
      this.#resolveDone();
    }
  }

  /** Drops the response after a handler error; the real writer is untouched unless output began. */
  abort(): void {
    this.finished = true;
    this.#pending = [];
    this.#stream?.destroy();
    this.#resolveDone();
  }

  #shouldCompress(final: boolean): boolean {
    const w = this.#w;
    const status = this.status;
    if (status < 200 || status === 204 || status === 206 || status === 304) return false;
    if (w.hasHeader('content-encoding') || w.hasHeader('content-range')) return false;
    if (/\bno-transform\b/i.test(w.getHeader('cache-control') ?? '')) return false;
    if (!isCompressibleType(w.getHeader('content-type'))) return false;
    return !final || this.#pendingBytes >= this.#settings.minBytes;
  }

  #decide(final: boolean): void {
    const w = this.#w;
    if (isCompressibleType(w.getHeader('content-type'))) {
      const vary = w.getHeader('vary') ?? '';
      if (!/(^|,)\s*(accept-encoding|\*)\s*(,|$)/i.test(vary)) w.appendHeader('vary', 'Accept-Encoding');
    }
    const pending = this.#pending;
    this.#pending = [];
    if (!this.#shouldCompress(final)) {
      this.#mode = 'identity';
      w.writeHead(this.status);
      if (final) {
        w.end(pending.length === 1 ? pending[0] : Buffer.concat(pending));
        this.#resolveDone();
      } else {
        for (const chunk of pending) w.write(chunk);
      }
      return;
    }
    this.#mode = 'compress';
    w.setHeader('content-encoding', this.#encoding);
    w.removeHeader('content-length');
    w.writeHead(this.status);
    const stream = this.#encoding === 'br'
      ? createBrotliCompress({ params: { [zlib.BROTLI_PARAM_QUALITY]: this.#settings.brotliQuality } })
      : createGzip({ level: this.#settings.gzipLevel });
    this.#stream = stream;
    stream.on('data', (out: Buffer) => w.write(out));
    stream.on('end', () => {
      w.end();
      this.#resolveDone();
    });
    stream.on('error', () => {
      // Compression of in-memory bytes does not fail in practice; if it does, cut the response.
      w.raw?.destroy();
      this.#resolveDone();
    });
    for (const chunk of pending) stream.write(chunk);
    if (final) stream.end();
  }
}
