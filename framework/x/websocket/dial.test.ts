import { afterEach, describe, expect, it } from 'vitest';
import { APIError, writeError, type Middleware } from 'plumego/contract';
import { ClientConnection, dial } from './dial.ts';
import { isWebSocketError } from './errors.ts';
import { ORIGIN, startServer, waitFor, type TestServer } from './test-support.ts';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('dial', () => {
  it('rejects with WEBSOCKET_DIAL_FAILED and the HTTP status when the handshake is refused', async () => {
    server = await startServer();
    try {
      await dial(server.url, { token: 'forged', origin: ORIGIN, reconnect: { maxAttempts: 5 } });
      expect.unreachable();
    } catch (err) {
      expect(isWebSocketError(err, 'WEBSOCKET_DIAL_FAILED')).toBe(true);
      expect((err as { details: { status: number } }).details.status).toBe(401);
    }
  });

  it('reconnects with backoff after an abnormal close and resets its attempt count', async () => {
    let accepted = 0;
    server = await startServer({
      onConnection: (conn) => {
        // Drop the first two connections without a close frame (1006 at the client).
        if (++accepted <= 2) conn.terminate();
      },
    });
    const opens: number[] = [];
    const closes: [number, boolean][] = [];
    const c = await dial(server.url, {
      token: 'good',
      origin: ORIGIN,
      reconnect: { maxAttempts: 5, initialDelayMs: 5, maxDelayMs: 20, jitter: false },
      onOpen: () => opens.push(Date.now()),
      onClose: (code, _reason, again) => closes.push([code, again]),
    });
    await waitFor(() => accepted === 3 && c.isOpen);
    expect(closes).toEqual([
      [1006, true],
      [1006, true],
    ]);
    expect(opens.length).toBe(3);
    expect(c.attempts).toBe(0);
    await c.close();
  });

  it('does not reconnect after a normal close or when the user closed it', async () => {
    server = await startServer({ onConnection: (conn) => conn.close(1000, 'bye') });
    const closes: [number, string, boolean][] = [];
    const c = await dial(server.url, {
      token: 'good',
      origin: ORIGIN,
      reconnect: { maxAttempts: 5, initialDelayMs: 5 },
      onClose: (code, reason, again) => closes.push([code, reason, again]),
    });
    await waitFor(() => closes.length === 1);
    expect(closes[0]).toEqual([1000, 'bye', false]);
    expect(c.isOpen).toBe(false);
    expect(() => c.send('x')).toThrow(/not open/);
  });

  it('gives up after maxAttempts consecutive failed reconnects', async () => {
    let handshakes = 0;
    const gate: Middleware = (next) => (w, r) => {
      // The first handshake gets through; every later one is refused with a retryable 503.
      if (++handshakes === 1) return next(w, r);
      writeError(w, r, new APIError({ status: 503, code: 'SERVICE_UNAVAILABLE' }));
    };
    server = await startServer({ onConnection: (conn) => conn.terminate() }, [gate]);
    const closes: boolean[] = [];
    const c = await dial(server.url, {
      token: 'good',
      origin: ORIGIN,
      reconnect: { maxAttempts: 2, initialDelayMs: 5, jitter: false },
      onClose: (_c, _r, again) => closes.push(again),
    });
    await waitFor(() => handshakes === 3);
    await new Promise((r) => setTimeout(r, 60));
    expect(handshakes).toBe(3);
    expect(closes).toEqual([true]);
    expect(c.attempts).toBe(2);
  });

  it('checks its reconnect options when built', () => {
    expect(() => new ClientConnection('ws://x', { reconnect: { maxAttempts: -1 } })).toThrow(/maxAttempts/);
    expect(() => new ClientConnection('ws://x', { reconnect: { initialDelayMs: 100, maxDelayMs: 10 } })).toThrow(
      /reconnect/,
    );
  });
});
