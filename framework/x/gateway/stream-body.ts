import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { ResponseWriter } from 'plumego/contract';

function waitForDrain(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}

/**
 * Copies an upstream body to the writer chunk by chunk, waiting for the client socket to drain so a
 * slow client holds back the upstream instead of growing memory. Rejects with the body's error
 * (reset, timeout, abort); the caller decides what the client sees. `flushHead` sends the status
 * line and headers before the first body byte.
 */
export async function copyBody(body: Readable, w: ResponseWriter, flushHead: boolean): Promise<void> {
  const res = w.raw;
  // A streamed answer (SSE, chunked) must show its head at once, not when the first event arrives.
  if (flushHead) w.write('');
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (!w.write(chunk)) {
      body.destroy();
      return;
    }
    if (res !== undefined && res.writableNeedDrain) await waitForDrain(res);
    if (res !== undefined && res.destroyed) {
      body.destroy();
      return;
    }
  }
  w.end();
}
