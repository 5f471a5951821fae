// Test-only helpers: local upstreams that behave or misbehave on purpose.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  connect,
  createServer as createNetServer,
  type AddressInfo,
  type Server as NetServer,
  type Socket,
} from 'node:net';
import { NodeResponseWriter, createRequestFromNode, type Handler } from 'plumego/contract';

export interface Running {
  url: string;
  port: number;
  close(): Promise<void>;
}

function listen(server: Server | NetServer, onClose?: () => void): Promise<Running> {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      resolve({
        url: `http://127.0.0.1:${port}`,
        port,
        close: () =>
          new Promise<void>((done) => {
            onClose?.();
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

/** A plain Node upstream. */
export function startUpstream(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<Running & { server: Server }> {
  const server = createServer(handler);
  return listen(server).then((running) => ({ ...running, server }));
}

/** An upstream that speaks raw bytes (malformed answers, resets). */
export function startRawUpstream(onSocket: (socket: Socket) => void): Promise<Running> {
  return listen(createNetServer(onSocket));
}

/** Serves a Plumego handler over a real socket (the proxy under test). */
export function startHandler(
  handler: Handler,
  options: { insecureHTTPParser?: boolean } = {},
): Promise<Running & { server: Server }> {
  const server = createServer({ insecureHTTPParser: options.insecureHTTPParser ?? false }, (req, res) => {
    void handler(new NodeResponseWriter(res), createRequestFromNode(req, res));
  });
  return listen(server).then((running) => ({ ...running, server }));
}

/** A loopback port with nothing listening (bound, then released). */
export async function getClosedPort(): Promise<number> {
  const r = await listen(createNetServer());
  await r.close();
  return r.port;
}

/** Sends raw bytes and collects everything until the peer closes or `ms` pass. */
export function sendRaw(port: number, payload: string, ms = 1_000): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => s.write(payload));
    let out = '';
    s.setEncoding('utf8');
    s.on('data', (d: string) => (out += d));
    const timer = setTimeout(() => s.destroy(), ms);
    s.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
    s.on('error', () => undefined);
  });
}
