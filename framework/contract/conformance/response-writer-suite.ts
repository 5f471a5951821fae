import assert from 'node:assert/strict';
import { createHeaderBlock } from '../header-list.ts';
import type { ResponseWriter } from '../response-writer.ts';

/** What reached the client (or the buffer), read back after the writer ended. */
export interface WrittenResponse {
  readonly status: number;
  /** Every value of a header, in order (empty when absent); names are case-insensitive. */
  header(name: string): readonly string[];
  readonly body: Buffer;
}

/** One writer under test, open for one response. */
export interface OpenWriter {
  readonly writer: ResponseWriter;
  /** Resolves once the response ended, with what was sent. */
  result(): Promise<WrittenResponse>;
}

export interface ResponseWriterConformanceTarget {
  /** Shown in the suite title. */
  readonly name: string;
  open(): Promise<OpenWriter>;
}

/** The two functions the suite needs from a runner; vitest's `describe` and `it` fit. */
export interface ResponseWriterHarness {
  describe(name: string, fn: () => void): void;
  it(name: string, fn: () => Promise<void>): void;
}

/**
 * The semantics the `ResponseWriter` interface promises "identical for every implementation",
 * checked the same way on each one (the way Hono's routers share `common.case.test.ts`): staged
 * headers fixed by the first `writeHead`, implied 200, readable status and byte count, case-insensitive
 * header edits, repeated values kept, and writes after `end` dropped without throwing.
 */
export function describeResponseWriterConformance(
  t: ResponseWriterHarness,
  target: ResponseWriterConformanceTarget,
): void {
  const { describe, it } = t;
  describe(`ResponseWriter conformance: ${target.name}`, () => {
    it('reports nothing written before the first write', async () => {
      const { writer, result } = await target.open();
      assert.deepEqual([writer.status, writer.bytesWritten, writer.headersSent, writer.finished], [0, 0, false, false]);
      writer.end();
      await result();
    });

    it('implies 200 when the body is written without writeHead', async () => {
      const { writer, result } = await target.open();
      writer.end('ok');
      assert.deepEqual([writer.status, writer.headersSent, writer.finished], [200, true, true]);
      const out = await result();
      assert.equal(out.status, 200);
      assert.equal(out.body.toString(), 'ok');
    });

    it('fixes status and headers at the first writeHead and ignores later edits', async () => {
      const { writer, result } = await target.open();
      writer.setHeader('X-Kept', 'yes');
      writer.writeHead(201);
      assert.equal(writer.headersSent, true);
      writer.writeHead(500);
      writer.setHeader('X-Late', 'no');
      writer.appendHeader('X-Late-Append', 'no');
      writer.removeHeader('X-Kept');
      writer.addHeaderBlock(createHeaderBlock({ 'X-Late-Block': 'no' }));
      writer.end('body');
      assert.equal(writer.status, 201);
      const out = await result();
      assert.equal(out.status, 201);
      assert.deepEqual(out.header('x-kept'), ['yes']);
      for (const late of ['x-late', 'x-late-append', 'x-late-block']) assert.deepEqual(out.header(late), [], late);
    });

    it('reads and edits headers case-insensitively before they are sent', async () => {
      const { writer, result } = await target.open();
      writer.setHeader('X-Mixed', 'first');
      assert.equal(writer.getHeader('x-MIXED'), 'first');
      assert.equal(writer.hasHeader('X-MIXED'), true);
      writer.setHeader('x-mixed', 'second');
      assert.equal(writer.getHeader('X-Mixed'), 'second');
      writer.setHeader('X-Gone', 'soon');
      writer.removeHeader('x-GONE');
      assert.equal(writer.hasHeader('x-gone'), false);
      assert.equal(writer.getHeader('x-gone'), undefined);
      writer.end();
      const out = await result();
      assert.deepEqual(out.header('x-mixed'), ['second']);
      assert.deepEqual(out.header('x-gone'), []);
    });

    it('keeps every value of a repeated header (append, array, header block)', async () => {
      const { writer, result } = await target.open();
      writer.appendHeader('Set-Cookie', 'a=1');
      writer.appendHeader('set-cookie', 'b=2');
      writer.setHeader('X-List', ['one', 'two']);
      writer.addHeaderBlock(createHeaderBlock({ 'X-Block': 'from-block' }));
      writer.setHeader('X-Number', 42);
      assert.equal(writer.getHeader('set-cookie'), 'a=1');
      writer.end();
      const out = await result();
      assert.deepEqual(out.header('set-cookie'), ['a=1', 'b=2']);
      assert.deepEqual(out.header('x-list'), ['one', 'two']);
      assert.deepEqual(out.header('x-block'), ['from-block']);
      assert.deepEqual(out.header('x-number'), ['42']);
    });

    it('setHeader replaces every earlier value of the name', async () => {
      const { writer, result } = await target.open();
      writer.appendHeader('Vary', 'Origin');
      writer.appendHeader('Vary', 'Accept');
      writer.setHeader('vary', 'Accept-Encoding');
      writer.end();
      assert.deepEqual((await result()).header('vary'), ['Accept-Encoding']);
    });

    it('counts body bytes of strings (UTF-8) and byte arrays across several writes', async () => {
      const { writer, result } = await target.open();
      assert.equal(writer.write('hé'), true);
      assert.equal(writer.write(new Uint8Array([0x21, 0x21])), true);
      writer.end('€');
      assert.equal(writer.bytesWritten, 3 + 2 + 3);
      const out = await result();
      assert.equal(out.body.toString(), 'hé!!€');
    });

    it('drops writes after end without throwing', async () => {
      const { writer, result } = await target.open();
      writer.writeHead(202);
      writer.end('done');
      assert.equal(writer.write('late'), false);
      writer.end('later');
      assert.deepEqual([writer.status, writer.bytesWritten, writer.finished], [202, 4, true]);
      const out = await result();
      assert.equal(out.body.toString(), 'done');
    });

    it('ends an empty response with no body', async () => {
      const { writer, result } = await target.open();
      writer.writeHead(204);
      writer.end();
      const out = await result();
      assert.equal(out.status, 204);
      assert.equal(out.body.length, 0);
      assert.equal(writer.bytesWritten, 0);
    });
  });
}
