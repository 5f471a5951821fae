import { StringDecoder } from 'node:string_decoder';

/** One server-sent event as a vendor stream carries it: the `event:` name (null when absent) and its data lines. */
export interface SseMessage {
  event: string | null;
  data: string;
}

/**
 * An incremental server-sent-events parser that works in the caller's loop: `push` takes the bytes of one
 * network read and appends the events it completes to `out`. The SDKs parse through nested async
 * generators, which costs several promise hops per event; at hundreds of concurrent streams that is what
 * makes a burst of chunks wait. Fields other than `event` and `data` (id, retry) and comments are ignored,
 * as the vendors' SDKs ignore them; lines may end in LF, CRLF or CR, split anywhere across reads.
 */
export class SseParser {
  // StringDecoder (simdutf) rather than TextDecoder (ICU in Node 20): same characters, split sequences and
  // replacement of invalid bytes, at a fraction of the cost per read; the BOM is dropped by hand.
  readonly #decoder = new StringDecoder('utf8');
  #started = false;
  #pending = '';
  // A CR ended the previous read: an LF that starts the next one belongs to it.
  #skipLf = false;
  #event: string | null = null;
  #data: string | undefined;

  push(chunk: Uint8Array, out: SseMessage[]): void {
    this.#feed(this.#text(this.#decoder.write(chunk)), out);
  }

  /** Flushes a last event the stream ended without a blank line after (the SDKs deliver it too). */
  end(out: SseMessage[]): void {
    this.#feed(this.#text(this.#decoder.end()), out);
    if (this.#pending !== '') this.#line(this.#pending, out);
    this.#pending = '';
    this.#line('', out);
  }

  #text(text: string): string {
    if (this.#started || text === '') return text;
    this.#started = true;
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  }

  #feed(text: string, out: SseMessage[]): void {
    if (text === '') return;
    if (this.#skipLf) {
      this.#skipLf = false;
      if (text.charCodeAt(0) === 0x0a) text = text.slice(1);
    }
    let start = 0;
    if (text.indexOf('\r') < 0) {
      let end = text.indexOf('\n');
      if (end < 0) {
        this.#pending += text;
        return;
      }
      // The first line may continue what the previous read left unfinished.
      this.#line(this.#pending + text.slice(0, end), out);
      this.#pending = '';
      start = end + 1;
      while ((end = text.indexOf('\n', start)) >= 0) {
        this.#line(text.slice(start, end), out);
        start = end + 1;
      }
    } else {
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c !== 0x0a && c !== 0x0d) continue;
        this.#line(this.#pending + text.slice(start, i), out);
        this.#pending = '';
        if (c === 0x0d) {
          if (i + 1 === text.length) this.#skipLf = true;
          else if (text.charCodeAt(i + 1) === 0x0a) i++;
        }
        start = i + 1;
      }
    }
    this.#pending += text.slice(start);
  }

  #line(line: string, out: SseMessage[]): void {
    if (line === '') {
      if (this.#event || this.#data !== undefined) out.push({ event: this.#event, data: this.#data ?? '' });
      this.#event = null;
      this.#data = undefined;
      return;
    }
    const colon = line.indexOf(':');
    if (colon === 0) return;
    const field = colon < 0 ? line : line.slice(0, colon);
    if (field !== 'event' && field !== 'data') return;
    const value = colon < 0 ? '' : line.slice(line.charCodeAt(colon + 1) === 0x20 ? colon + 2 : colon + 1);
    if (field === 'event') this.#event = value;
    else this.#data = this.#data === undefined ? value : `${this.#data}\n${value}`;
  }
}
