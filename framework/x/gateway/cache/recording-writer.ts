import type { Chunk, HeaderBlock, ResponseWriter } from 'plumego/contract';

/**
 * Passes every call through to the real writer while keeping a copy of status, headers and up to
 * `maxBytes` of body, so a response can be streamed to the client and stored at the same time.
 */
export class RecordingWriter implements ResponseWriter {
  readonly #inner: ResponseWriter;
  readonly #maxBytes: number;
  readonly headers: Record<string, string | string[]> = {};
  readonly chunks: Buffer[] = [];
  recordedBytes = 0;
  /** True once the body outgrew `maxBytes`; the copy is then incomplete and must not be stored. */
  overflowed = false;

  constructor(inner: ResponseWriter, maxBytes: number) {
    this.#inner = inner;
    this.#maxBytes = maxBytes;
  }

  get status(): number {
    return this.#inner.status;
  }
  get bytesWritten(): number {
    return this.#inner.bytesWritten;
  }
  get headersSent(): boolean {
    return this.#inner.headersSent;
  }
  get finished(): boolean {
    return this.#inner.finished;
  }
  get raw(): ResponseWriter['raw'] {
    return this.#inner.raw;
  }
  getHeader(name: string): string | undefined {
    return this.#inner.getHeader(name);
  }
  hasHeader(name: string): boolean {
    return this.#inner.hasHeader(name);
  }
  setHeader(name: string, value: string | number | readonly string[]): void {
    if (this.#inner.headersSent) return;
    this.headers[name.toLowerCase()] = typeof value === 'object' ? [...value] : String(value);
    this.#inner.setHeader(name, value);
  }
  appendHeader(name: string, value: string): void {
    if (this.#inner.headersSent) return;
    const lower = name.toLowerCase();
    const prev = this.headers[lower];
    this.headers[lower] = prev === undefined ? value : [...(Array.isArray(prev) ? prev : [prev]), value];
    this.#inner.appendHeader(name, value);
  }
  removeHeader(name: string): void {
    if (this.#inner.headersSent) return;
    delete this.headers[name.toLowerCase()];
    this.#inner.removeHeader(name);
  }
  addHeaderBlock(block: HeaderBlock): void {
    if (this.#inner.headersSent) return;
    for (let i = 0; i < block.length; i += 2) this.headers[block[i]!] = block[i + 1]!;
    this.#inner.addHeaderBlock(block);
  }
  writeHead(status: number): void {
    this.#inner.writeHead(status);
  }
  write(chunk: Chunk): boolean {
    this.#record(chunk);
    return this.#inner.write(chunk);
  }
  end(chunk?: Chunk): void {
    if (chunk !== undefined) this.#record(chunk);
    this.#inner.end(chunk);
  }

  #record(chunk: Chunk): void {
    if (this.overflowed) return;
    const buf =
      typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.recordedBytes + buf.byteLength > this.#maxBytes) {
      this.overflowed = true;
      this.chunks.length = 0;
      return;
    }
    // Copy: the upstream parser may reuse the memory behind a chunk once it was written.
    this.chunks.push(Buffer.from(buf));
    this.recordedBytes += buf.byteLength;
  }
}
