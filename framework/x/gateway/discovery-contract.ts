import type { TargetOptions } from './backend.ts';

/**
 * Where a proxy's targets come from when they change at run time (x/gateway/discovery implements it:
 * static lists, DNS, a watched file). The proxy subscribes once; implementations keep the last known
 * list when their source fails, so an outage never empties a pool.
 */
export interface ServiceDiscovery {
  /**
   * Calls `listener` with the current targets as soon as they are known and again on every change.
   * Returns the function that unsubscribes.
   */
  subscribe(listener: (targets: readonly TargetOptions[]) => void): () => void;
  /** Stops refreshing and watching. */
  close(): void | Promise<void>;
}
