import { createServer as createNetServer, connect, type AddressInfo, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  APIError,
  BufferedResponseWriter,
  composeMiddleware,
  createRequest,
  writeError,
  writeResponse,
} from 'plumego/contract';
import { ProtocolRegistry, type ProtocolAdapter } from 'plumego/x/gateway/protocol';
import { protocolMiddleware } from './protocol-middleware.ts';

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((resolve) => s.close(resolve));
});

/** A real non-HTTP upstream: a line protocol that answers `PONG <arg>` to `PING <arg>`. */
async function startLineServer(): Promise<number> {
  const server = createNetServer((socket) => {
    socket.setEncoding('utf8');
    socket.on('data', (line: string) =>
      socket.end(line.startsWith('PING ') ? `PONG ${line.slice(5)}` : 'ERR unknown command\n'),
    );
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function lineAdapter(port: number): ProtocolAdapter {
  return {
    name: 'line',
    matches: (r) => r.path.startsWith('/line/'),
    handle: (w, r) =>
      new Promise<void>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => socket.write(`PING ${r.path.slice(6)}\n`));
        let reply = '';
        socket.setEncoding('utf8');
        socket.on('data', (d: string) => (reply += d));
        socket.on('end', () => {
          if (reply.startsWith('PONG ')) writeResponse(w, r, 200, { reply: reply.slice(5).trim() });
          else
            writeError(
              w,
              r,
              new APIError({ type: 'bad_gateway', code: 'GATEWAY_BAD_GATEWAY', message: 'upstream failed' }),
            );
          resolve();
        });
        socket.on('error', () => {
          writeError(
            w,
            r,
            new APIError({ type: 'bad_gateway', code: 'GATEWAY_BAD_GATEWAY', message: 'upstream failed' }),
          );
          resolve();
        });
      }),
  };
}

describe('protocol middleware', () => {
  it('sends claimed requests to the adapter and the rest to the next handler', async () => {
    const port = await startLineServer();
    const registry = new ProtocolRegistry().register(lineAdapter(port));
    const handler = composeMiddleware([protocolMiddleware(registry)], (w, r) =>
      writeResponse(w, r, 200, { by: 'http' }),
    );
    const claimed = new BufferedResponseWriter();
    await handler(claimed, createRequest({ url: '/line/hello' }));
    expect(JSON.parse(claimed.getBody().toString())).toEqual({ data: { reply: 'hello' } });
    const passed = new BufferedResponseWriter();
    await handler(passed, createRequest({ url: '/api/x' }));
    expect(JSON.parse(passed.getBody().toString())).toEqual({ data: { by: 'http' } });
  });

  it('lets the adapter answer an unreachable upstream with the envelope', async () => {
    const port = await startLineServer();
    servers.splice(0).forEach((s) => s.close());
    const registry = new ProtocolRegistry().register(lineAdapter(port));
    const handler = composeMiddleware([protocolMiddleware(registry)], () => undefined);
    const w = new BufferedResponseWriter();
    await handler(w, createRequest({ url: '/line/x' }));
    expect(w.status).toBe(502);
  });
});
