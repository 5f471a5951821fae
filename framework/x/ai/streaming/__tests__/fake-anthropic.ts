// Test-only: a small server speaking the Anthropic Messages stream format, so the relay's push path runs
// against the real AnthropicProvider. The request's `model` picks the scenario.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeAnthropic {
  readonly url: string;
  /** Responses whose socket the client closed before the end (proves the upstream was aborted). */
  readonly clientAborts: number;
  /** Bytes the `flood` scenario wrote so far; it honours backpressure. */
  readonly floodWritten: number;
  close(): Promise<void>;
}

export const FLOOD = { deltas: 400, size: 64 * 1024 } as const;

const frame = (event: string, data: unknown): string => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
const delta = (text: string): string =>
  frame('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } });
const START =
  frame('message_start', {
    type: 'message_start',
    message: {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'fake',
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 3, output_tokens: 1 },
    },
  }) +
  frame('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
const STOP =
  frame('content_block_stop', { type: 'content_block_stop', index: 0 }) +
  frame('message_delta', {
    type: 'message_delta',
    delta: { stop_reason: 'end_turn', stop_sequence: null },
    usage: { output_tokens: 3 },
  }) +
  frame('message_stop', { type: 'message_stop' });

/**
 * Scenarios: `three` (three deltas in one write, then the end in another), `escaped`, `text-then-stall`, `error-mid` (a
 * delta, then a mid-stream overloaded error), `flood` (400 deltas of 64 KiB, paced by the client's reading).
 */
export async function startFakeAnthropic(): Promise<FakeAnthropic> {
  let clientAborts = 0;
  let floodWritten = 0;
  const flood = async (res: ServerResponse): Promise<void> => {
    const text = 'x'.repeat(FLOOD.size);
    for (let i = 0; i < FLOOD.deltas && !res.destroyed; i++) {
      const chunk = delta(text);
      floodWritten += chunk.length;
      if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
    }
    res.end(STOP);
  };
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const model = String((JSON.parse(raw || '{}') as { model?: unknown }).model);
      res.on('close', () => {
        if (!res.writableFinished) clientAborts += 1;
      });
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      if (model === 'three') {
        res.write(START + delta('one ') + delta('two ') + delta('three'));
        setTimeout(() => res.end(STOP), 20);
      } else if (model === 'escaped') {
        // A literal written with escapes JSON.stringify would not use: the relay must forward it as it is.
        const raw = String.raw`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"caf\u00e9 \"x\"\n"}}`;
        res.end(START + `event: content_block_delta\ndata: ${raw}\n\n` + STOP);
      } else if (model === 'text-then-stall') res.write(START + delta('Hel'));
      else if (model === 'error-mid')
        res.end(
          START + delta('part ') + frame('error', { type: 'error', error: { type: 'overloaded_error', message: 'x' } }),
        );
      else if (model === 'flood') {
        res.write(START);
        void flood(res);
      } else res.end(START + delta('?') + STOP);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get clientAborts() {
      return clientAborts;
    },
    get floodWritten() {
      return floodWritten;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
