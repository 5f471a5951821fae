import { CircuitBreaker, isResilienceError, type CircuitBreakerOptions, type CircuitState } from 'plumego/x/resilience';
import { AI_PROVIDER_ERROR_CODES, AiProviderError, assertOption, isAiProviderError } from './errors.ts';
import type { CallOptions, CompletionRequest, CompletionResponse, Provider, StreamEvent, Usage } from './types.ts';

export interface ProviderRoute {
  provider: Provider;
  /** Model to ask this provider for; replaces the request's model (vendors name models differently). */
  model?: string;
  /** USD per million input / output tokens, for cost accounting and the `cheapest` strategy. */
  pricing?: { inputPerMTok: number; outputPerMTok: number };
}

export type RoutingStrategy = 'fallback' | 'round_robin' | 'cheapest';

export interface ProviderManagerOptions {
  routes: readonly ProviderRoute[];
  /**
   * Order of candidates per call: `fallback` (routes in order, default), `round_robin` (rotate the start,
   * then fall back through the rest), `cheapest` (by pricing, unpriced last).
   */
  strategy?: RoutingStrategy;
  /** Breaker per provider; only retryable failures (429, overload, 5xx, timeouts, bad streams) count. */
  breaker?: Omit<CircuitBreakerOptions, 'name' | 'isFailure'>;
}

export interface ProviderUsage extends Usage {
  calls: number;
  failures: number;
  costUsd: number;
}

interface Route extends ProviderRoute {
  breaker: CircuitBreaker;
  usage: ProviderUsage;
}

export interface AttemptRecord {
  provider: string;
  code: string;
}

/**
 * Routes calls over several providers: a breaker per provider skips one that keeps failing, a retryable
 * failure moves on to the next candidate, and a caller error (bad request, abort) stops at once because
 * another vendor would fail the same way. A stream only falls back before its first event: once text has
 * reached the caller, switching vendors would splice two answers.
 */
export class ProviderManager {
  readonly strategy: RoutingStrategy;
  readonly #routes: Route[];
  #turn = 0;

  constructor(options: ProviderManagerOptions) {
    assertOption(Array.isArray(options.routes) && options.routes.length > 0, 'routes', 'needs at least one provider');
    const names = options.routes.map((r) => r.provider.name);
    assertOption(new Set(names).size === names.length, 'routes', 'provider names must be unique');
    this.strategy = options.strategy ?? 'fallback';
    assertOption(['fallback', 'round_robin', 'cheapest'].includes(this.strategy), 'strategy', 'must be fallback, round_robin or cheapest');
    this.#routes = options.routes.map((r) => ({
      ...r,
      breaker: new CircuitBreaker({ ...options.breaker, name: r.provider.name, isFailure: (e) => isAiProviderError(e) && e.retryable }),
      usage: { calls: 0, failures: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 },
    }));
  }

  #candidates(): Route[] {
    if (this.strategy === 'cheapest') {
      const price = (r: Route): number => (r.pricing ? r.pricing.inputPerMTok + r.pricing.outputPerMTok : Number.POSITIVE_INFINITY);
      return [...this.#routes].sort((a, b) => price(a) - price(b));
    }
    if (this.strategy === 'round_robin') {
      const start = this.#turn++ % this.#routes.length;
      return [...this.#routes.slice(start), ...this.#routes.slice(0, start)];
    }
    return this.#routes;
  }

  #account(route: Route, usage: Usage): void {
    route.usage.calls += 1;
    route.usage.inputTokens += usage.inputTokens;
    route.usage.outputTokens += usage.outputTokens;
    if (route.pricing) route.usage.costUsd += (usage.inputTokens * route.pricing.inputPerMTok + usage.outputTokens * route.pricing.outputPerMTok) / 1e6;
  }

  async complete(request: CompletionRequest, options?: CallOptions): Promise<CompletionResponse> {
    const attempts: AttemptRecord[] = [];
    for (const route of this.#candidates()) {
      const permit = this.#admit(route, attempts);
      if (!permit) continue;
      try {
        const response = await route.provider.complete(route.model ? { ...request, model: route.model } : request, options);
        permit.success();
        this.#account(route, response.usage);
        return response;
      } catch (error) {
        this.#fail(route, permit, error, attempts);
      }
    }
    throw exhausted(attempts);
  }

  async *stream(request: CompletionRequest, options?: CallOptions): AsyncGenerator<StreamEvent> {
    const attempts: AttemptRecord[] = [];
    for (const route of this.#candidates()) {
      const permit = this.#admit(route, attempts);
      if (!permit) continue;
      let started = false;
      let settled = false;
      try {
        for await (const event of route.provider.stream(route.model ? { ...request, model: route.model } : request, options)) {
          started = true;
          if (event.type === 'done') {
            settled = true;
            permit.success();
            this.#account(route, event.response.usage);
          }
          yield event;
        }
        return;
      } catch (error) {
        settled = true;
        if (!started) {
          this.#fail(route, permit, error, attempts);
          continue;
        }
        route.usage.failures += 1;
        if (isAiProviderError(error) && error.retryable) permit.failure(error);
        else permit.success();
        throw error;
      } finally {
        // The consumer stopped early (client went away): not the provider's fault, and the permit must not leak.
        if (!settled) permit.success();
      }
    }
    throw exhausted(attempts);
  }

  #admit(route: Route, attempts: AttemptRecord[]): { success(): void; failure(e?: unknown): void } | undefined {
    try {
      return route.breaker.acquire();
    } catch (error) {
      if (!isResilienceError(error)) throw error;
      attempts.push({ provider: route.provider.name, code: error.code });
      return undefined;
    }
  }

  #fail(route: Route, permit: { success(): void; failure(e?: unknown): void }, error: unknown, attempts: AttemptRecord[]): void {
    route.usage.failures += 1;
    if (isAiProviderError(error) && error.retryable) {
      permit.failure(error);
      attempts.push({ provider: route.provider.name, code: error.code });
      return;
    }
    // Not the provider's fault (bad request, abort): the breaker must not count it, and no fallback helps.
    permit.success();
    throw error;
  }

  /** Per-provider calls, tokens and cost since start. */
  getUsage(): Record<string, ProviderUsage> {
    return Object.fromEntries(this.#routes.map((r) => [r.provider.name, { ...r.usage }]));
  }

  getBreakerStates(): Record<string, CircuitState> {
    return Object.fromEntries(this.#routes.map((r) => [r.provider.name, r.breaker.state]));
  }
}

function exhausted(attempts: AttemptRecord[]): AiProviderError {
  return new AiProviderError(AI_PROVIDER_ERROR_CODES.unavailable, `no provider could serve the call (${attempts.length} tried)`, { attempts });
}

export function createProviderManager(options: ProviderManagerOptions): ProviderManager {
  return new ProviderManager(options);
}
