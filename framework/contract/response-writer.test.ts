import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createHeaderBlock } from './header-list.ts';
import { BufferedResponseWriter, NodeResponseWriter, type ResponseWriter } from './response-writer.ts';

async function serve(
  fn: (w: ResponseWriter) => void,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  const server = createServer((_req, res) => fn(new NodeResponseWriter(res)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  try {
    return await new Promise((resolve, reject) => {
      httpRequest({ port, host: '127.0.0.1', path: '/' }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      })
        .on('error', reject)
        .end();
    });
  } finally {
    server.close();
  }
}

describe('NodeResponseWriter', () => {
  it('sends staged headers in one writeHead with a computed content-length', async () => {
    const block = createHeaderBlock({ 'X-Frame-Options': 'DENY' });
    const out = await serve((w) => {
      w.addHeaderBlock(block);
      w.setHeader('X-A', '1');
      w.setHeader('x-a', '2');
      w.appendHeader('Vary', 'Origin');
      w.writeHead(201);
      w.setHeader('x-late', 'ignored');
      w.end('héllo');
    });
    expect(out.status).toBe(201);
    expect(out.headers['x-frame-options']).toBe('DENY');
    expect(out.headers['x-a']).toBe('2');
    expect(out.headers['vary']).toBe('Origin');
    expect(out.headers['x-late']).toBeUndefined();
    expect(out.headers['content-length']).toBe('6');
    expect(out.body).toBe('héllo');
  });

  it('gives a replayed body its UTF-8 length, also when the string before it had the same length in characters', async () => {
    // The second measurement of a replayed body is answered from the first; other strings never are.
    const sent: Array<{ length: string | undefined; bytes: number; body: string }> = [];
    for (const body of ['aé€😀\n', 'abcde\n', 'aé€😀\n', 'x']) {
      let bytes = -1;
      const out = await serve((w) => {
        const buf = new BufferedResponseWriter();
        buf.end(body);
        buf.flushTo(w);
        bytes = w.bytesWritten;
      });
      sent.push({ length: out.headers['content-length'], bytes, body: out.body });
    }
    expect(sent).toEqual([
      { length: '11', bytes: 11, body: 'aé€😀\n' },
      { length: '6', bytes: 6, body: 'abcde\n' },
      { length: '11', bytes: 11, body: 'aé€😀\n' },
      { length: '1', bytes: 1, body: 'x' },
    ]);
    // A string measured once by a writer and then sent by another is measured afresh.
    const b = new BufferedResponseWriter();
    b.write('ü');
    const direct = await serve((w) => w.end('üü'));
    expect(direct.headers['content-length']).toBe('4');
    expect(b.bytesWritten).toBe(2);
  });

  it('streams several writes and counts bytes', async () => {
    let writer: ResponseWriter | undefined;
    const out = await serve((w) => {
      writer = w;
      w.write('a');
      w.write(Buffer.from('bc'));
      w.end();
      expect(w.write('late')).toBe(false);
    });
    expect(out.body).toBe('abc');
    expect(out.headers['transfer-encoding']).toBe('chunked');
    expect([writer!.status, writer!.bytesWritten, writer!.finished]).toEqual([200, 3, true]);
  });

  it('keeps headers that connect-style code set on the raw response', async () => {
    const out = await serve((w) => {
      w.raw!.setHeader('x-raw', 'yes');
      expect(w.getHeader('X-Raw')).toBe('yes');
      w.setHeader('x-own', 'mine');
      w.end('ok');
    });
    expect(out.headers['x-raw']).toBe('yes');
    expect(out.headers['x-own']).toBe('mine');
  });

  it('rejects an invalid header block at creation', () => {
    expect(() => createHeaderBlock({ 'bad name': 'x' })).toThrow();
    expect(() => createHeaderBlock({ ok: 'bad\nvalue' })).toThrow();
  });
});

describe('BufferedResponseWriter', () => {
  it('replays onto another writer, buffered headers replacing the target values', () => {
    const target = new BufferedResponseWriter();
    target.setHeader('x-outer', 'keep');
    target.setHeader('x-both', 'outer');
    const b = new BufferedResponseWriter();
    b.setHeader('x-both', 'inner');
    b.appendHeader('set-cookie', 'a=1');
    b.appendHeader('set-cookie', 'b=2');
    b.writeHead(202);
    b.write('x');
    b.end('y');
    b.flushTo(target);
    expect(target.status).toBe(202);
    expect(target.getHeaderList()).toEqual([
      'x-outer',
      'keep',
      'x-both',
      'inner',
      'set-cookie',
      'a=1',
      'set-cookie',
      'b=2',
    ]);
    expect(target.getBody().toString()).toBe('xy');
  });

  it('drops writes after abandon and flags overflow', () => {
    const b = new BufferedResponseWriter(4);
    expect(b.write('abc')).toBe(true);
    expect(b.write('de')).toBe(false);
    expect(b.overflowed).toBe(true);
    b.abandon();
    b.end('late');
    expect(b.finished).toBe(false);
    expect(b.getBody().length).toBe(0);
  });
});
