import type { Request, ResponseWriter } from 'plumego/contract';

/**
 * How the gateway talks to a non-HTTP upstream (gRPC, a message bus, a line protocol): the adapter
 * claims the HTTP requests it understands and answers them itself, failures included, in the
 * canonical envelope. Adapters are stateless per request; pooling lives inside them.
 */
export interface ProtocolAdapter {
  /** Unique, lowercase name (`grpc`, `graphql`). */
  readonly name: string;
  /** Cheap and synchronous: whether this adapter serves `r` (by path, method or content type). */
  matches(r: Request): boolean;
  /** Serves `r` against the upstream; must write a response (or the error envelope) before resolving. */
  handle(w: ResponseWriter, r: Request): Promise<void>;
  /** Releases connections; called once when the registry closes. */
  close?(): void | Promise<void>;
}
