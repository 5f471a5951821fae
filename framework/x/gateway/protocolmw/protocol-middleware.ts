import type { Middleware } from 'plumego/contract';
import type { ProtocolRegistry } from 'plumego/x/gateway/protocol';

/**
 * Sends each request an adapter claims to that adapter and everything else on to `next` (usually
 * the HTTP proxy), so one route can front HTTP and non-HTTP upstreams side by side.
 */
export function protocolMiddleware(registry: ProtocolRegistry): Middleware {
  return (next) => (w, r) => {
    const adapter = registry.find(r);
    return adapter === undefined ? next(w, r) : adapter.handle(w, r);
  };
}
