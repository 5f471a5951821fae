import type { Request } from 'plumego/contract';
import { GATEWAY_ERROR_CODES, GatewayError } from 'plumego/x/gateway';
import type { ProtocolAdapter } from './adapter.ts';

const NAME = /^[a-z][a-z0-9_-]{0,31}$/;

/** Adapters in registration order; the first whose `matches` is true serves a request. */
export class ProtocolRegistry {
  readonly #adapters: ProtocolAdapter[] = [];
  #closed = false;

  register(adapter: ProtocolAdapter): this {
    const fail = (rule: string): never => {
      throw new GatewayError(GATEWAY_ERROR_CODES.invalidOptions, `invalid protocol adapter: ${rule}`);
    };
    if (this.#closed) fail('the registry is closed');
    if (typeof adapter?.matches !== 'function' || typeof adapter.handle !== 'function')
      fail('matches and handle must be functions');
    if (!NAME.test(adapter.name))
      fail(`name ${JSON.stringify(adapter.name)} must be lowercase letters, digits, - or _`);
    if (this.#adapters.some((a) => a.name === adapter.name)) fail(`duplicate name ${JSON.stringify(adapter.name)}`);
    this.#adapters.push(adapter);
    return this;
  }

  get(name: string): ProtocolAdapter | undefined {
    return this.#adapters.find((a) => a.name === name);
  }

  get names(): string[] {
    return this.#adapters.map((a) => a.name);
  }

  /** The adapter for `r`, or undefined when none claims it. */
  find(r: Request): ProtocolAdapter | undefined {
    for (const a of this.#adapters) if (a.matches(r)) return a;
    return undefined;
  }

  /** Closes every adapter (all are attempted; errors are joined). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const results = await Promise.allSettled(this.#adapters.map(async (a) => a.close?.()));
    const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    if (errors.length > 0) throw new AggregateError(errors, 'protocol adapters failed to close');
  }
}
