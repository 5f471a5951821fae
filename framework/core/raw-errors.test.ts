import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { APIError } from 'plumego/contract';
import { createTestResponse } from './in-process.ts';
import {
  endSocketWith,
  formatBody,
  getClientErrorResponse,
  hasAmbiguousFraming,
  serializeErrorResponse,
} from './raw-errors.ts';

const req = (rawHeaders: string[], minor = 1, major = 1): IncomingMessage =>
  ({ rawHeaders, httpVersionMinor: minor, httpVersionMajor: major }) as unknown as IncomingMessage;

describe('hasAmbiguousFraming', () => {
  it.each([
    ['one Host', ['Host', 'a'], false],
    ['a lower-case host', ['host', 'a'], false],
    ['two Host headers', ['Host', 'a', 'host', 'b'], true],
    ['two HOST headers', ['HOST', 'a', 'HOST', 'a'], true],
    ['no Host on HTTP/1.1', ['Accept', '*/*'], true],
    ['a single chunked coding, in any case and spacing', ['Host', 'a', 'Transfer-Encoding', ' Chunked '], false],
    ['gzip, chunked', ['Host', 'a', 'transfer-encoding', 'gzip, chunked'], true],
    ['identity', ['Host', 'a', 'TRANSFER-ENCODING', 'identity'], true],
    ['a four-letter header that is not Host', ['Date', 'x', 'Host', 'a'], false],
    ['a 17-letter header that is not Transfer-Encoding', ['X-Something-Long1', 'gzip', 'Host', 'a'], false],
  ])('%s → %s', (_title, headers, expected) => {
    expect(hasAmbiguousFraming(req(headers))).toBe(expected);
  });

  it('does not require Host before HTTP/1.1', () => {
    expect(hasAmbiguousFraming(req([], 0, 1))).toBe(false);
    expect(hasAmbiguousFraming(req([], 0, 2))).toBe(false);
    expect(hasAmbiguousFraming(req([], 1, 2))).toBe(false);
  });
});

describe('client error responses', () => {
  it('maps Node parser codes to envelopes with their statuses', () => {
    expect(getClientErrorResponse('HPE_HEADER_OVERFLOW')).toMatchObject({ status: 431, code: 'HEADERS_TOO_LARGE' });
    expect(getClientErrorResponse('ERR_HTTP_REQUEST_TIMEOUT').status).toBe(408);
    expect(getClientErrorResponse('HPE_CHUNK_EXTENSIONS_OVERFLOW').status).toBe(413);
    expect(getClientErrorResponse('HPE_INVALID_METHOD')).toMatchObject({ status: 400, code: 'MALFORMED_REQUEST' });
    expect(getClientErrorResponse(undefined).status).toBe(400);
  });

  it('serialises a complete close-delimited response whose length counts bytes', () => {
    const err = new APIError({ status: 431, code: 'HEADERS_TOO_LARGE', message: 'zu groß' });
    const bytes = serializeErrorResponse(err, undefined).toString('latin1');
    const [head, body] = bytes.split('\r\n\r\n') as [string, string];
    expect(head.split('\r\n')).toEqual([
      'HTTP/1.1 431 Request Header Fields Too Large',
      'content-type: application/json',
      'x-content-type-options: nosniff',
      'cache-control: no-store',
      `content-length: ${Buffer.byteLength(Buffer.from(body, 'latin1'))}`,
      'connection: close',
    ]);
    expect(JSON.parse(Buffer.from(body, 'latin1').toString('utf8'))).toMatchObject({
      error: { code: 'HEADERS_TOO_LARGE', message: 'zu groß' },
    });
    expect(
      serializeErrorResponse(new APIError({ status: 599, code: 'ODD', message: 'odd' }), undefined)
        .toString('latin1')
        .startsWith('HTTP/1.1 599 Error\r\n'),
    ).toBe(true);
  });

  it('uses the app formatter, and the envelope when the formatter throws', () => {
    const err = new APIError({ status: 400, code: 'X', message: 'x' });
    expect(formatBody(err, () => 'custom')).toBe('custom');
    expect(
      formatBody(err, () => {
        throw new Error('broken');
      }),
    ).toBe(formatBody(err, undefined));
    expect(
      serializeErrorResponse(err, () => 'custom')
        .toString()
        .endsWith('content-length: 6\r\nconnection: close\r\n\r\ncustom'),
    ).toBe(true);
  });
});

describe('endSocketWith', () => {
  const socket = (writable: boolean, headersSent?: boolean) => {
    const calls: string[] = [];
    const s = {
      writable,
      ...(headersSent === undefined ? {} : { _httpMessage: { headersSent } }),
      destroy: () => {
        calls.push('destroy');
      },
      end: (data: Buffer, cb: () => void) => {
        calls.push(`end ${data.length}`);
        cb();
      },
    };
    return { s: s as unknown as Socket, calls };
  };

  it('writes the response and then closes a writable socket', () => {
    const { s, calls } = socket(true, false);
    endSocketWith(s, Buffer.from('abc'));
    expect(calls).toEqual(['end 3', 'destroy']);
    const bare = socket(true);
    endSocketWith(bare.s, Buffer.from('ab'));
    expect(bare.calls).toEqual(['end 2', 'destroy']);
  });

  it('only destroys a socket that cannot take it, or one whose response already started', () => {
    const closed = socket(false);
    endSocketWith(closed.s, Buffer.from('abc'));
    expect(closed.calls).toEqual(['destroy']);
    const started = socket(true, true);
    endSocketWith(started.s, Buffer.from('abc'));
    expect(started.calls).toEqual(['destroy']);
  });
});

describe('createTestResponse', () => {
  it('joins repeated headers, keeps set-cookie as a list, and reads the body as text or JSON', () => {
    const res = createTestResponse(
      201,
      ['x-a', '1', 'set-cookie', 'a=1', 'x-a', '2', 'set-cookie', 'b=2', 'content-type', 'application/json'],
      Buffer.from('{"ok":true}'),
    );
    expect(res.status).toBe(201);
    expect(res.headers).toEqual({ 'x-a': '1, 2', 'set-cookie': ['a=1', 'b=2'], 'content-type': 'application/json' });
    expect(res.text()).toBe('{"ok":true}');
    expect(res.json()).toEqual({ ok: true });
  });
});
