import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  copyResponseHeaders,
  getConnectionTokens,
  getFramingProblem,
  hasRequestBody,
  readInboundHead,
  removeHopByHopHeaders,
  type HeaderRecord,
} from './headers.ts';

/** Node's own header object for a raw list (what `req.headers` would be). */
function nodeHeaders(raw: string[]): IncomingMessage['headers'] {
  const msg = new IncomingMessage(new Socket());
  (msg as unknown as { _addHeaderLines(h: string[], n: number): void })._addHeaderLines(raw, raw.length);
  return msg.headers;
}

/** The copy as the proxy made it before the single pass: everything, then hop-by-hop fields deleted. */
function referenceCopy(raw: string[]): HeaderRecord {
  const out: HeaderRecord = {};
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    const prev = out[name];
    if (prev === undefined) out[name] = raw[i + 1]!;
    else if (Array.isArray(prev)) prev.push(raw[i + 1]!);
    else out[name] = [prev, raw[i + 1]!];
  }
  return removeHopByHopHeaders(out);
}

const FIELDS: [string, string[]][] = [
  ['Host', ['api.test', 'other.test:8080']],
  ['Content-Length', ['0', '12', '12 ', '-1', '1e3', '']],
  ['Transfer-Encoding', ['chunked', 'gzip, chunked', ' Chunked ', 'identity']],
  ['Connection', ['keep-alive', 'close', 'X-Private, keep-alive', 'upgrade, TE', '']],
  ['X-Private', ['secret']],
  ['Keep-Alive', ['timeout=5']],
  ['TE', ['trailers']],
  ['Upgrade', ['websocket']],
  ['Proxy-Authorization', ['Basic eA==']],
  ['Expect', ['100-continue']],
  ['Set-Cookie', ['a=1', 'b=2']],
  ['Accept', ['*/*', 'text/html']],
  ['X-Line', ['ok', 'bad\r\nInjected: 1', 'bad\nfold']],
];

// A fixed-seed generator: the same 600 heads every run, many with several faults at once.
function* heads(): Generator<string[]> {
  let seed = 12345;
  const next = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  for (let k = 0; k < 600; k++) {
    const raw: string[] = [];
    const count = next(7);
    for (let j = 0; j < count; j++) {
      const [name, values] = FIELDS[next(FIELDS.length)]!;
      raw.push(next(2) === 0 ? name : name.toLowerCase(), values[next(values.length)]!);
    }
    yield raw;
  }
}

describe('readInboundHead', () => {
  it('agrees with the framing check, body test, Host and hop-by-hop copy it replaces', () => {
    let faulty = 0;
    for (const raw of heads()) {
      const head = readInboundHead(raw);
      const headers = nodeHeaders(raw);
      const label = JSON.stringify(raw);
      expect(head.problem, label).toBe(getFramingProblem(headers, raw));
      expect(head.hasBody, label).toBe(hasRequestBody(headers));
      expect(head.host, label).toBe(headers.host ?? '');
      expect(head.headers, label).toEqual(referenceCopy(raw));
      if (head.problem !== undefined) faulty++;
    }
    // The sample must exercise both outcomes, or the comparison above proves little.
    expect(faulty).toBeGreaterThan(50);
    expect(faulty).toBeLessThan(550);
  });

  it('drops fields named by Connection and every fixed hop-by-hop field, keeping repeats as arrays', () => {
    const head = readInboundHead([
      'Host',
      'api.test',
      'Connection',
      'keep-alive, X-Private',
      'X-Private',
      'secret',
      'Keep-Alive',
      'timeout=5',
      'Set-Cookie',
      'a=1',
      'set-cookie',
      'b=2',
      'Proxy-Authorization',
      'Basic eA==',
    ]);
    expect(head.headers).toEqual({ host: 'api.test', 'set-cookie': ['a=1', 'b=2'] });
    expect(head).toMatchObject({ problem: undefined, host: 'api.test', hasBody: false });
  });

  it('names the first framing fault in the documented order', () => {
    expect(readInboundHead(['Content-Length', '5', 'Transfer-Encoding', 'chunked']).problem).toBe(
      'content_length_with_transfer_encoding',
    );
    expect(readInboundHead(['Transfer-Encoding', 'chunked', 'Transfer-Encoding', 'chunked']).problem).toBe(
      'unsupported_transfer_encoding',
    );
    expect(readInboundHead(['X-A', 'a\r\nb', 'Content-Length', '1', 'Content-Length', '1']).problem).toBe(
      'line_break_in_header',
    );
    expect(readInboundHead(['Content-Length', '1', 'content-length', '1']).problem).toBe('repeated_content_length');
    expect(readInboundHead(['Content-Length', '0x10']).problem).toBe('invalid_content_length');
    expect(readInboundHead(['Transfer-Encoding', 'chunked'])).toMatchObject({ problem: undefined, hasBody: true });
    expect(readInboundHead([])).toEqual({ headers: {}, problem: undefined, host: '', hasBody: false });
  });
});

describe('copyResponseHeaders', () => {
  it('drops fixed and Connection-named hop-by-hop fields and keeps the rest as given', () => {
    expect(
      copyResponseHeaders({
        'content-type': 'application/json',
        connection: 'keep-alive, X-Upstream-Private',
        'keep-alive': 'timeout=5',
        'x-upstream-private': 'secret',
        'transfer-encoding': 'chunked',
        'set-cookie': ['a=1', 'b=2'],
        'x-missing': undefined,
      }),
    ).toEqual({ 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'] });
    expect(copyResponseHeaders({ connection: ['close', 'x-a'], 'x-a': '1', 'x-b': '2' })).toEqual({ 'x-b': '2' });
    expect(copyResponseHeaders({})).toEqual({});
  });
});

describe('getConnectionTokens', () => {
  it('lists the extra hop-by-hop names of a Connection value, lowercase, without close and keep-alive', () => {
    expect(getConnectionTokens(undefined)).toEqual([]);
    expect(getConnectionTokens('keep-alive')).toEqual([]);
    expect(getConnectionTokens('close')).toEqual([]);
    expect(getConnectionTokens(' Keep-Alive ')).toEqual([]);
    expect(getConnectionTokens('CLOSE')).toEqual([]);
    expect(getConnectionTokens('')).toEqual([]);
    expect(getConnectionTokens(' X-Private ')).toEqual(['x-private']);
    expect(getConnectionTokens('keep-alive, X-A,,x-b ')).toEqual(['x-a', 'x-b']);
    expect(getConnectionTokens(['close', 'X-A, keep-alive'])).toEqual(['x-a']);
  });

  it('drops a single Connection-named field from a response copy', () => {
    expect(copyResponseHeaders({ connection: 'X-Solo', 'x-solo': '1', 'x-kept': '2' })).toEqual({ 'x-kept': '2' });
    expect(copyResponseHeaders({ connection: 'keep-alive', 'keep-alive': 'timeout=5', 'x-kept': '2' })).toEqual({
      'x-kept': '2',
    });
  });
});
