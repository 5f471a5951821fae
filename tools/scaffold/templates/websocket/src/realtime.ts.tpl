import { timingSafeEqual } from 'node:crypto';
import { Hub, createWebSocketEndpoint, type WebSocketEndpoint } from 'plumego/x/websocket';

export interface RealtimeOptions {
  /** The bearer token clients present; empty refuses every connection (fail closed). */
  readonly token: string;
  /** Browser origins allowed to connect; clients without an Origin header are refused too. */
  readonly allowedOrigins: readonly string[];
}

function sameToken(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return expected !== '' && a.length === b.length && timingSafeEqual(a, b);
}

/**
 * A room chat: a client joins the room named in the path and every text it sends goes to the other
 * members. Replace the token check with your identity provider (plumego/security's JwtManager).
 */
export function createRealtime(options: RealtimeOptions): { hub: Hub; endpoint: WebSocketEndpoint } {
  const hub = new Hub();
  const endpoint = createWebSocketEndpoint({
    authenticate: (token) => {
      if (!sameToken(options.token, token)) throw new Error('unknown token');
      return { subject: 'client' };
    },
    allowedOrigins: options.allowedOrigins,
    room: (r) => r.param('room'),
    hub,
    onMessage: (conn, data, binary) => {
      for (const room of conn.rooms) hub.broadcast(room, binary ? data : data.toString(), { except: conn });
    },
  });
  return { hub, endpoint };
}
