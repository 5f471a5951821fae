import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy the test owns, so a fault test can cut a database connection mid-statement without
 * touching the shared server. Test-only; never exported from the module.
 */
export interface TcpProxy {
  readonly port: number;
  /** Destroys every open connection in both directions (the network went away). */
  cutAll(): void;
  /** Stops forwarding bytes on every open connection, leaving the sockets open (a stalled network). */
  pauseAll(): void;
  /** Number of client connections currently open. */
  openCount(): number;
  close(): Promise<void>;
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect({ host: targetHost, port: targetPort });
    sockets.add(client);
    sockets.add(upstream);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    cutAll: () => {
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    pauseAll: () => {
      for (const s of sockets) {
        s.unpipe();
        s.pause();
      }
    },
    openCount: () => sockets.size / 2,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
