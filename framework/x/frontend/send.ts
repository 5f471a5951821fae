import { once } from 'node:events';
import type { Readable } from 'node:stream';
import type { ResponseWriter } from 'plumego/contract';

/**
 * Streams `body` into `w`, honouring the socket's backpressure when there is one, and always destroys
 * the source (a client that hangs up must not leave a file descriptor open).
 */
export async function sendStream(w: ResponseWriter, body: Readable, signal: AbortSignal): Promise<void> {
  try {
    for await (const chunk of body) {
      if (!w.write(chunk as Uint8Array)) return;
      const raw = w.raw;
      if (raw !== undefined && raw.writableNeedDrain) await once(raw, 'drain', { signal });
    }
    w.end();
  } finally {
    body.destroy();
  }
}
