import { describe, expect, it } from 'vitest';
import { SseParser, type SseMessage } from './sse-parser.ts';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Feeds `reads` as separate network reads, then ends the stream. */
function parse(...reads: (string | Uint8Array)[]): SseMessage[] {
  const parser = new SseParser();
  const out: SseMessage[] = [];
  for (const r of reads) parser.push(typeof r === 'string' ? bytes(r) : r, out);
  parser.end(out);
  return out;
}

describe('SseParser', () => {
  it('parses named events with data, in order, from one read', () => {
    expect(parse('event: a\ndata: {"x":1}\n\nevent: b\ndata: 2\n\n')).toEqual([
      { event: 'a', data: '{"x":1}' },
      { event: 'b', data: '2' },
    ]);
  });

  it('gives the same events whatever the read boundaries, byte by byte included', () => {
    const wire = 'event: a\r\ndata: one\r\n\r\nevent: b\rdata: two\r\rdata: x\ndata: y\n\n';
    const whole = parse(wire);
    expect(whole).toEqual([
      { event: 'a', data: 'one' },
      { event: 'b', data: 'two' },
      { event: null, data: 'x\ny' },
    ]);
    for (let cut = 1; cut < wire.length; cut++) expect(parse(wire.slice(0, cut), wire.slice(cut))).toEqual(whole);
    expect(parse(...wire.split(''))).toEqual(whole);
  });

  it('keeps a multi-byte character split across reads intact', () => {
    const raw = bytes('data: {"t":"héllo 🌍"}\n\n');
    const split = raw.indexOf(0xf0) + 2;
    expect(parse(raw.subarray(0, split), raw.subarray(split))).toEqual([{ event: null, data: '{"t":"héllo 🌍"}' }]);
  });

  it('ignores comments, id and retry fields, and blank lines with no event', () => {
    expect(parse(': ping\n\nid: 7\nretry: 100\n\n\n\nevent: e\nid: 8\ndata: d\n\n')).toEqual([
      { event: 'e', data: 'd' },
    ]);
  });

  it('reads fields without a space after the colon and fields without a colon', () => {
    expect(parse('event:x\ndata:1\n\nevent: y\ndata\n\n')).toEqual([
      { event: 'x', data: '1' },
      { event: 'y', data: '' },
    ]);
  });

  it('delivers a last event the stream ended without its blank line, and nothing for a dangling comment', () => {
    expect(parse('event: a\ndata: 1\n\nevent: b\ndata: 2')).toEqual([
      { event: 'a', data: '1' },
      { event: 'b', data: '2' },
    ]);
    expect(parse(': just a comm', 'ent')).toEqual([]);
    expect(parse('')).toEqual([]);
  });

  it('drops a byte-order mark at the start of the stream', () => {
    expect(parse(new Uint8Array([0xef, 0xbb, 0xbf, ...bytes('data: 1\n\n')]))).toEqual([{ event: null, data: '1' }]);
  });

  it('drops a byte-order mark split across reads, and only the one at the very start', () => {
    const raw = new Uint8Array([0xef, 0xbb, 0xbf, ...bytes('data: \ufeffx\n\n')]);
    expect(parse(raw.subarray(0, 1), raw.subarray(1, 2), raw.subarray(2))).toEqual([{ event: null, data: '\ufeffx' }]);
  });

  it('ends a stream cut inside a multi-byte character with a replacement character', () => {
    const raw = bytes('data: é');
    expect(parse(raw.subarray(0, raw.length - 1))).toEqual([{ event: null, data: '\ufffd' }]);
  });

  it('turns invalid UTF-8 into replacement characters instead of throwing', () => {
    expect(parse(new Uint8Array([...bytes('data: a'), 0xff, ...bytes('b\n\n')]))).toEqual([
      { event: null, data: 'a\ufffdb' },
    ]);
  });
});
