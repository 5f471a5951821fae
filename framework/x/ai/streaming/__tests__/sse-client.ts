// Test-only: a real HTTP server per test and an SSE client that parses frames as a browser would.
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ParsedEvent {
  id?: string;
  event: string;
  data: string;
}

export async function serve(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Parses an SSE body (spec rules: `data:` lines joined by \n, comments ignored, blank line dispatches). */
export function parseSse(body: string): { events: ParsedEvent[]; comments: string[]; retry?: number } {
  const events: ParsedEvent[] = [];
  const comments: string[] = [];
  let retry: number | undefined;
  for (const block of body.split('\n\n')) {
    if (!block) continue;
    let id: string | undefined;
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) comments.push(line.slice(1).trim());
      else if (line.startsWith('data: ')) data.push(line.slice(6));
      else if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('id: ')) id = line.slice(4);
      else if (line.startsWith('retry: ')) retry = Number(line.slice(7));
    }
    if (data.length) events.push({ ...(id === undefined ? {} : { id }), event, data: data.join('\n') });
  }
  return retry === undefined ? { events, comments } : { events, comments, retry };
}

/** Opens an SSE request; `read()` resolves with the whole body, `res` allows pausing or destroying. */
export function openSse(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ res: IncomingMessage; read(): Promise<string>; chunks: string[] }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      const chunks: string[] = [];
      res.setEncoding('utf8');
      res.on('data', (c: string) => chunks.push(c));
      const done = new Promise<string>((ok) => {
        res.on('end', () => ok(chunks.join('')));
        res.on('close', () => ok(chunks.join('')));
      });
      resolve({ res, chunks, read: () => done });
    });
    req.on('error', reject);
    req.end();
  });
}
