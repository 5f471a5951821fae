import type { ServerResponse } from 'node:http';
import { getHeaderValue, indexOfHeader, removeHeaderValues, setHeaderValue, type HeaderBlock } from './header-list.ts';

/** A body chunk. */
export type Chunk = string | Uint8Array;

/**
 * Where a handler writes its response: the reference's `http.ResponseWriter`, shaped for Node.
 *
 * Semantics (identical for every implementation):
 * - Headers are staged until `writeHead`; the first `writeHead` fixes status and headers, later
 *   calls and later header edits are ignored. `write`/`end` without `writeHead` imply 200.
 * - Nothing reaches the socket before the first `write`/`end`, so a single `end(body)` goes out as
 *   one `writeHead` + one `end` with a computed `content-length`.
 * - `status` and `bytesWritten` are readable afterwards by outer middleware (logs, metrics).
 * - Writes after `end` (or after a buffering writer was abandoned) are dropped, never thrown.
 */
export interface ResponseWriter {
  /** Status fixed by `writeHead` (or implied by the first write); 0 while nothing was written. */
  readonly status: number;
  /** Body bytes accepted so far (counted even for HEAD, where Node drops the body). */
  readonly bytesWritten: number;
  /** True once `writeHead` ran (explicitly or implied); headers can no longer change. */
  readonly headersSent: boolean;
  /** True once `end` ran. */
  readonly finished: boolean;
  /** The Node response underneath, when there is one (streaming, upgrades, interop adapters). */
  readonly raw: ServerResponse | undefined;
  /** First staged value of `name` (case-insensitive). */
  getHeader(name: string): string | undefined;
  hasHeader(name: string): boolean;
  /** Replaces every value of `name`; an array sets several values. */
  setHeader(name: string, value: string | number | readonly string[]): void;
  /** Adds one more value of `name` (Set-Cookie, Vary). */
  appendHeader(name: string, value: string): void;
  removeHeader(name: string): void;
  /** Appends a precomputed block of constant headers (see `createHeaderBlock`). */
  addHeaderBlock(block: HeaderBlock): void;
  writeHead(status: number): void;
  /** Returns false when the chunk was dropped (response finished or abandoned). */
  write(chunk: Chunk): boolean;
  end(chunk?: Chunk): void;
}

// The last string measured and its UTF-8 length. A buffered response (timeout middleware) measures
// its body when the handler writes it and again when it is replayed onto the real writer; the
// second measurement is a native call over the whole string. Equal strings have equal lengths, so
// a hit is always right; at most one string is held, and `end` on a real response lets it go.
let lastString: string | undefined = undefined;
let lastStringLength = 0;

function byteLength(chunk: Chunk): number {
  if (typeof chunk !== 'string') return chunk.byteLength;
  if (chunk === lastString) return lastStringLength;
  lastString = chunk;
  return (lastStringLength = Buffer.byteLength(chunk));
}

/**
 * The writer over a real `ServerResponse`. Never adds properties to, or re-parents, the Node object:
 * staged headers live in this writer's own flat list and are handed to Node in one `writeHead`.
 */
export class NodeResponseWriter implements ResponseWriter {
  readonly raw: ServerResponse;
  status = 0;
  bytesWritten = 0;
  #headers: string[] = [];
  #fixed = false;
  #flushed = false;
  #finished = false;

  constructor(res: ServerResponse) {
    this.raw = res;
  }

  get headersSent(): boolean {
    return this.#fixed || this.raw.headersSent;
  }
  get finished(): boolean {
    return this.#finished || this.raw.writableEnded;
  }
  getHeader(name: string): string | undefined {
    const v = getHeaderValue(this.#headers, name);
    if (v !== undefined || this.raw.headersSent) return v;
    // Interop: connect-style middleware may have called res.setHeader directly.
    const nodeValue = this.raw.getHeader(name);
    return nodeValue === undefined ? undefined : Array.isArray(nodeValue) ? nodeValue[0] : String(nodeValue);
  }
  hasHeader(name: string): boolean {
    return this.getHeader(name) !== undefined;
  }
  setHeader(name: string, value: string | number | readonly string[]): void {
    if (!this.headersSent) setHeaderValue(this.#headers, name, value);
  }
  appendHeader(name: string, value: string): void {
    if (!this.headersSent) this.#headers.push(name.toLowerCase(), value);
  }
  removeHeader(name: string): void {
    if (this.headersSent) return;
    removeHeaderValues(this.#headers, name.toLowerCase());
    if (this.raw.hasHeader(name)) this.raw.removeHeader(name);
  }
  addHeaderBlock(block: HeaderBlock): void {
    if (this.headersSent) return;
    for (let i = 0; i < block.length; i++) this.#headers.push(block[i]!);
  }
  writeHead(status: number): void {
    if (this.headersSent) return;
    this.#fixed = true;
    this.status = status;
  }
  write(chunk: Chunk): boolean {
    if (this.finished) return false;
    if (!this.#flushed) this.#flush(-1);
    this.bytesWritten += byteLength(chunk);
    this.raw.write(chunk);
    return true;
  }
  end(chunk?: Chunk): void {
    if (this.finished) return;
    this.#finished = true;
    if (chunk === undefined) {
      if (!this.#flushed) this.#flush(0);
      this.raw.end();
      return;
    }
    const n = byteLength(chunk);
    lastString = undefined;
    if (!this.#flushed) this.#flush(n);
    this.bytesWritten += n;
    this.raw.end(chunk);
  }

  /** Hands status and headers to Node once; `length` ≥ 0 sets content-length when none was staged. */
  #flush(length: number): void {
    this.#flushed = true;
    if (this.status === 0) this.status = 200;
    this.#fixed = true;
    if (this.raw.headersSent) {
      // Someone wrote through the raw response (interop); its status wins.
      this.status = this.raw.statusCode;
      return;
    }
    const h = this.#headers;
    if (length >= 0 && indexOfHeader(h, 'content-length') < 0 && indexOfHeader(h, 'transfer-encoding') < 0) {
      h.push('content-length', String(length));
    }
    if (this.raw.getHeaderNames().length === 0) {
      this.raw.writeHead(this.status, h);
      return;
    }
    // Interop headers are staged on the raw response: Node 20 merges a flat list into them with
    // setHeader, so a repeated name (Set-Cookie, Vary) would keep only its last value. Ours replace
    // theirs name by name, and repeats are appended.
    for (let i = 0; i < h.length; i += 2) this.raw.removeHeader(h[i]!);
    for (let i = 0; i < h.length; i += 2) this.raw.appendHeader(h[i]!, h[i + 1]!);
    this.raw.writeHead(this.status);
  }
}

/**
 * A writer that keeps the whole response in memory: used by the timeout middleware (which must be
 * able to discard a late response) and by in-process requests. `flushTo` replays it onto another
 * writer; `abandon` makes every later write a no-op.
 */
export class BufferedResponseWriter implements ResponseWriter {
  readonly raw: ServerResponse | undefined;
  status = 0;
  bytesWritten = 0;
  headersSent = false;
  finished = false;
  /** True when the body outgrew `maxBytes`; the content is then incomplete and must not be sent. */
  overflowed = false;
  /** True after `abandon()`. */
  abandoned = false;
  /** Called once when `end` runs (in-process requests wait on it). */
  onEnd: (() => void) | undefined = undefined;
  readonly #headers: string[] = [];
  readonly #chunks: Chunk[] = [];
  readonly #maxBytes: number;

  /** `maxBytes` ≤ 0 means unbounded; `raw` is exposed for code that needs the Node response. */
  constructor(maxBytes = 0, raw?: ServerResponse) {
    this.#maxBytes = maxBytes;
    this.raw = raw;
  }

  getHeader(name: string): string | undefined {
    return getHeaderValue(this.#headers, name);
  }
  hasHeader(name: string): boolean {
    return indexOfHeader(this.#headers, name.toLowerCase()) >= 0;
  }
  setHeader(name: string, value: string | number | readonly string[]): void {
    if (!this.headersSent && !this.abandoned) setHeaderValue(this.#headers, name, value);
  }
  appendHeader(name: string, value: string): void {
    if (!this.headersSent && !this.abandoned) this.#headers.push(name.toLowerCase(), value);
  }
  removeHeader(name: string): void {
    if (!this.headersSent && !this.abandoned) removeHeaderValues(this.#headers, name.toLowerCase());
  }
  addHeaderBlock(block: HeaderBlock): void {
    if (this.headersSent || this.abandoned) return;
    for (let i = 0; i < block.length; i++) this.#headers.push(block[i]!);
  }
  writeHead(status: number): void {
    if (this.headersSent || this.abandoned) return;
    this.headersSent = true;
    this.status = status;
  }
  write(chunk: Chunk): boolean {
    if (this.finished || this.abandoned) return false;
    if (!this.headersSent) this.writeHead(200);
    const n = byteLength(chunk);
    this.bytesWritten += n;
    if (this.#maxBytes > 0 && this.bytesWritten > this.#maxBytes) {
      this.overflowed = true;
      return false;
    }
    this.#chunks.push(chunk);
    return true;
  }
  end(chunk?: Chunk): void {
    if (this.finished || this.abandoned) return;
    if (chunk !== undefined) this.write(chunk);
    else if (!this.headersSent) this.writeHead(200);
    this.finished = true;
    this.onEnd?.();
  }
  /** Drops everything written so far and everything written later. */
  abandon(): void {
    this.abandoned = true;
    this.#chunks.length = 0;
  }
  /** Staged headers as `[lowercase-name, value, …]`. */
  getHeaderList(): readonly string[] {
    return this.#headers;
  }
  /** The body collected so far. */
  getBody(): Buffer {
    return Buffer.concat(this.#chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c)));
  }
  /**
   * Replays status, headers and body onto `target` and ends it. Buffered headers replace the
   * target's values of the same name; other target headers (set by outer middleware) stay.
   */
  flushTo(target: ResponseWriter): void {
    const h = this.#headers;
    for (let i = 0; i < h.length; i += 2) {
      const name = h[i]!;
      // The first occurrence replaces the target's values; repeats (Set-Cookie) are appended.
      if (indexOfHeader(h, name) < i) target.appendHeader(name, h[i + 1]!);
      else target.setHeader(name, h[i + 1]!);
    }
    target.writeHead(this.status || 200);
    if (this.#chunks.length === 0) target.end();
    else if (this.#chunks.length === 1) target.end(this.#chunks[0]);
    else target.end(this.getBody());
  }
}
