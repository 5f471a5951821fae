import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { NodeResponseWriter, composeMiddleware, createRequestFromNode } from 'plumego/contract';
import { createProxy } from 'plumego/x/gateway';
import { ProtocolRegistry } from 'plumego/x/gateway/protocol';
import { protocolMiddleware } from 'plumego/x/gateway/protocolmw';
import { RpcClientPool } from './client-pool.ts';
import { createGrpcAdapter } from './grpc-adapter.ts';
import { protos, startEchoServer } from './test-server.ts';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('grpc protocol adapter', () => {
  it('serves gRPC methods and HTTP upstreams from one gateway route', async () => {
    const echo = await startEchoServer();
    cleanup.push(() => echo.server.shutdown(0));
    const httpUp = await listen((_req, res) => res.end('from http'));
    const proxy = createProxy({ targets: [httpUp] });
    cleanup.push(() => proxy.close());
    const registry = new ProtocolRegistry().register(
      createGrpcAdapter({ pool: new RpcClientPool(), target: echo.target, protos }),
    );
    cleanup.push(() => registry.close());
    const handler = composeMiddleware([protocolMiddleware(registry)], proxy.handler);
    const gw = await listen((req, res) => void handler(new NodeResponseWriter(res), createRequestFromNode(req, res)));

    const rpc = await fetch(`${gw}/rpc/plumego.test.Echo/Say`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'via adapter' }),
    });
    expect(rpc.status).toBe(200);
    expect(((await rpc.json()) as { data: { text: string } }).data.text).toBe('echo:via adapter');
    expect(await (await fetch(`${gw}/anything`)).text()).toBe('from http');
    // Streaming methods and unknown ones are not claimed: they fall through to the HTTP proxy.
    expect(await (await fetch(`${gw}/rpc/plumego.test.Echo/Chat`, { method: 'POST' })).text()).toBe('from http');
    expect(await (await fetch(`${gw}/rpc/plumego.test.Echo/Nope`, { method: 'POST' })).text()).toBe('from http');
  });

  it('exposes only the listed services and rejects unknown ones when built', () => {
    const pool = new RpcClientPool();
    cleanup.push(() => pool.close());
    expect(() => createGrpcAdapter({ pool, target: 'x:1', protos, services: ['plumego.test.Missing'] })).toThrow(
      /unknown service/,
    );
    expect(() => createGrpcAdapter({ pool, target: 'x:1', protos, prefix: 'rpc' })).toThrow(/prefix/);
  });
});
