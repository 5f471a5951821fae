import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, it } from 'vitest';
import {
  describeResponseWriterConformance,
  type OpenWriter,
  type WrittenResponse,
} from './conformance/response-writer-suite.ts';
import { BufferedResponseWriter, NodeResponseWriter } from './response-writer.ts';

// Both writers of this module run the one suite; the buffered one also through its replay onto a
// Node response, which is how the timeout middleware and in-process requests hand it on.
let server: Server;
let port = 0;
const waiting: ((res: ServerResponse) => void)[] = [];

beforeAll(async () => {
  server = createServer((_req, res) => waiting.shift()?.(res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Sends one request and hands back the server's response object plus what the client receives. */
async function openSocket(): Promise<{ res: ServerResponse; received: Promise<WrittenResponse> }> {
  const res = new Promise<ServerResponse>((resolve) => waiting.push(resolve));
  const received = new Promise<WrittenResponse>((resolve, reject) => {
    httpRequest({ port, host: '127.0.0.1', path: '/', agent: false }, (msg: IncomingMessage) => {
      const chunks: Buffer[] = [];
      msg.on('data', (c: Buffer) => chunks.push(c));
      msg.on('end', () =>
        resolve({
          status: msg.statusCode ?? 0,
          header: (name) => msg.headersDistinct[name.toLowerCase()] ?? [],
          body: Buffer.concat(chunks),
        }),
      );
    })
      .on('error', reject)
      .end();
  });
  return { res: await res, received };
}

function readBuffered(b: BufferedResponseWriter): WrittenResponse {
  const list = b.getHeaderList();
  const header = (name: string): string[] => {
    const values: string[] = [];
    for (let i = 0; i < list.length; i += 2) if (list[i] === name.toLowerCase()) values.push(list[i + 1]!);
    return values;
  };
  return { status: b.status, header, body: b.getBody() };
}

describeResponseWriterConformance(
  { describe, it },
  {
    name: 'NodeResponseWriter over a socket',
    async open(): Promise<OpenWriter> {
      const { res, received } = await openSocket();
      return { writer: new NodeResponseWriter(res), result: () => received };
    },
  },
);

describeResponseWriterConformance(
  { describe, it },
  {
    name: 'BufferedResponseWriter in memory',
    async open(): Promise<OpenWriter> {
      const writer = new BufferedResponseWriter();
      return { writer, result: async () => readBuffered(writer) };
    },
  },
);

describeResponseWriterConformance(
  { describe, it },
  {
    name: 'BufferedResponseWriter replayed onto a socket',
    async open(): Promise<OpenWriter> {
      const writer = new BufferedResponseWriter();
      return {
        writer,
        async result() {
          const { res, received } = await openSocket();
          writer.flushTo(new NodeResponseWriter(res));
          return received;
        },
      };
    },
  },
);
