import type { TargetOptions } from 'plumego/x/gateway';

/** Listener bookkeeping shared by every discovery source: replay the last list, notify on change only. */
export class TargetFeed {
  readonly #listeners = new Set<(targets: readonly TargetOptions[]) => void>();
  #current: readonly TargetOptions[] | undefined;
  #key = '';

  get current(): readonly TargetOptions[] | undefined {
    return this.#current;
  }

  subscribe(listener: (targets: readonly TargetOptions[]) => void): () => void {
    this.#listeners.add(listener);
    if (this.#current !== undefined) listener(this.#current);
    return () => this.#listeners.delete(listener);
  }

  /** Publishes `targets` when they differ from the last list (order-insensitive). */
  publish(targets: readonly TargetOptions[]): void {
    const key = targets
      .map((t) => `${t.url}#${t.weight ?? 1}`)
      .sort()
      .join('\n');
    if (this.#current !== undefined && key === this.#key) return;
    this.#key = key;
    this.#current = Object.freeze([...targets]);
    for (const l of this.#listeners) l(this.#current);
  }

  clear(): void {
    this.#listeners.clear();
  }
}
