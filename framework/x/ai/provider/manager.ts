import { CircuitBreaker, isResilienceError, type CircuitBreakerOptions, type CircuitState } from 'plumego/x/resilience';
import { AI_PROVIDER_ERROR_CODES, AiProviderError, assertOption, isAiProviderError } from './errors.ts';
import { pushFromIterable, takeOnce } from './http-stream.ts';
import { STREAM_PUSH, isPushableStream, type PushableStream, type StreamPushControl, type StreamSink } from './push.ts';
import type { CallOptions, CompletionRequest, CompletionResponse, Provider, StreamEvent, Usage } from './types.ts';

export interface ProviderRoute {
  provider: Provider;
  /** Model to ask this provider for; replaces the request's model (vendors name models differently). */
  model?: string;
  /** USD per million input / output tokens, for cost accounting and the `cheapest` strategy. */
  pricing?: Pricing;
  /** Share of calls under `least_loaded` (relative to the other routes' weights). Default 1. */
  weight?: number;
}

export interface Pricing {
  inputPerMTok: number;
  outputPerMTok: number;
}

/** One step of a task's route list: a provider (by name) and optionally its model and price for this task. */
export interface TaskTarget {
  provider: string;
  /** Replaces the route's model for this task. */
  model?: string;
  /** Price of this model, when it differs from the route's. */
  pricing?: Pricing;
}

export type RoutingStrategy = 'fallback' | 'round_robin' | 'cheapest' | 'least_loaded' | 'by_task';

const STRATEGIES: readonly RoutingStrategy[] = ['fallback', 'round_robin', 'cheapest', 'least_loaded', 'by_task'];

export interface ProviderManagerOptions {
  routes: readonly ProviderRoute[];
  /**
   * Order of candidates per call: `fallback` (routes in order, default), `round_robin` (rotate the start,
   * then fall back through the rest), `cheapest` (by pricing, unpriced last), `least_loaded` (fewest calls in
   * flight per unit of `weight`, ties to the route that has had fewer calls per weight), `by_task` (the list
   * `tasks[options.task]`, in order).
   */
  strategy?: RoutingStrategy;
  /**
   * `by_task` only: task label → providers (and models) to try in order. A call naming no task uses
   * `defaultTask`, or the routes in order when there is none; a call naming an unknown task is a caller error.
   */
  tasks?: Readonly<Record<string, readonly TaskTarget[]>>;
  defaultTask?: string;
  /** Breaker per provider; only retryable failures (429, overload, 5xx, timeouts, bad streams) count. */
  breaker?: Omit<CircuitBreakerOptions, 'name' | 'isFailure'>;
}

export interface ProviderUsage extends Usage {
  /** Calls answered (a stream counts when its `done` arrives). */
  calls: number;
  failures: number;
  costUsd: number;
  /** Calls running now (a gauge, not a total): what `least_loaded` balances. */
  inFlight: number;
}

interface Route extends ProviderRoute {
  weight: number;
  breaker: CircuitBreaker;
  usage: ProviderUsage;
  /** Calls ever dispatched to this route, failed ones included. */
  started: number;
}

/** One attempt of a call: a route, and the model and price it is asked with. */
interface Candidate {
  route: Route;
  model: string | undefined;
  pricing: Pricing | undefined;
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
  readonly #tasks: ReadonlyMap<string, readonly Candidate[]>;
  readonly #defaultTask: string | undefined;
  #turn = 0;

  constructor(options: ProviderManagerOptions) {
    assertOption(Array.isArray(options.routes) && options.routes.length > 0, 'routes', 'needs at least one provider');
    const names = options.routes.map((r) => r.provider.name);
    assertOption(new Set(names).size === names.length, 'routes', 'provider names must be unique');
    this.strategy = options.strategy ?? 'fallback';
    assertOption(STRATEGIES.includes(this.strategy), 'strategy', `must be one of ${STRATEGIES.join(', ')}`);
    for (const r of options.routes) {
      assertOption(
        r.weight === undefined || (Number.isFinite(r.weight) && r.weight > 0),
        'weight',
        'must be a positive number',
      );
      if (r.pricing) assertPricing(r.pricing);
    }
    this.#routes = options.routes.map((r) => ({
      ...r,
      weight: r.weight ?? 1,
      breaker: new CircuitBreaker({
        ...options.breaker,
        name: r.provider.name,
        isFailure: (e) => isAiProviderError(e) && e.retryable,
      }),
      usage: { calls: 0, failures: 0, inputTokens: 0, outputTokens: 0, costUsd: 0, inFlight: 0 },
      started: 0,
    }));
    this.#tasks = this.#resolveTasks(options);
    this.#defaultTask = options.defaultTask;
    if (this.#defaultTask !== undefined)
      assertOption(this.#tasks.has(this.#defaultTask), 'defaultTask', 'must name one of tasks');
  }

  #resolveTasks(options: ProviderManagerOptions): Map<string, Candidate[]> {
    const tasks = new Map<string, Candidate[]>();
    if (options.tasks === undefined) {
      assertOption(this.strategy !== 'by_task', 'tasks', 'are required by the by_task strategy');
      assertOption(options.defaultTask === undefined, 'defaultTask', 'needs tasks');
      return tasks;
    }
    // A task table under another strategy would be silently ignored: a wiring bug, caught here.
    assertOption(this.strategy === 'by_task', 'tasks', 'need strategy by_task');
    assertOption(
      typeof options.tasks === 'object' && options.tasks !== null,
      'tasks',
      'must be an object of task → targets',
    );
    for (const [task, targets] of Object.entries(options.tasks)) {
      assertOption(task.length > 0, 'tasks', 'task labels must be non-empty');
      assertOption(Array.isArray(targets) && targets.length > 0, `tasks.${task}`, 'needs at least one target');
      tasks.set(
        task,
        targets.map((t) => {
          const route = this.#routes.find((r) => r.provider.name === t.provider);
          assertOption(route !== undefined, `tasks.${task}`, `names unknown provider ${JSON.stringify(t.provider)}`);
          if (t.pricing) assertPricing(t.pricing);
          return { route: route!, model: t.model ?? route!.model, pricing: t.pricing ?? route!.pricing };
        }),
      );
    }
    return tasks;
  }

  #candidates(options: CallOptions | undefined): Candidate[] {
    const plain = (routes: readonly Route[]): Candidate[] =>
      routes.map((route) => ({ route, model: route.model, pricing: route.pricing }));
    if (this.strategy === 'by_task') {
      const task = options?.task ?? this.#defaultTask;
      if (task === undefined) return plain(this.#routes);
      const list = this.#tasks.get(task);
      if (!list)
        throw new AiProviderError(
          AI_PROVIDER_ERROR_CODES.invalidRequest,
          `no routes declared for task ${JSON.stringify(task)}`,
          { task },
        );
      return [...list];
    }
    if (this.strategy === 'cheapest') {
      const price = (r: Route): number =>
        r.pricing ? r.pricing.inputPerMTok + r.pricing.outputPerMTok : Number.POSITIVE_INFINITY;
      return plain([...this.#routes].sort((a, b) => price(a) - price(b)));
    }
    if (this.strategy === 'round_robin') {
      const start = this.#turn++ % this.#routes.length;
      return plain([...this.#routes.slice(start), ...this.#routes.slice(0, start)]);
    }
    if (this.strategy === 'least_loaded') {
      // Weighted least-in-flight; among equally loaded routes the one with fewer calls per weight goes first,
      // so sequential traffic also spreads by weight. Array.sort is stable: declared order breaks exact ties.
      return plain(
        [...this.#routes].sort(
          (a, b) =>
            a.usage.inFlight / a.weight - b.usage.inFlight / b.weight || a.started / a.weight - b.started / b.weight,
        ),
      );
    }
    return plain(this.#routes);
  }

  #account(candidate: Candidate, usage: Usage): void {
    const { route, pricing } = candidate;
    route.usage.calls += 1;
    route.usage.inputTokens += usage.inputTokens;
    route.usage.outputTokens += usage.outputTokens;
    if (pricing)
      route.usage.costUsd +=
        (usage.inputTokens * pricing.inputPerMTok + usage.outputTokens * pricing.outputPerMTok) / 1e6;
  }

  #request(candidate: Candidate, request: CompletionRequest): CompletionRequest {
    return candidate.model ? { ...request, model: candidate.model } : request;
  }

  async complete(request: CompletionRequest, options?: CallOptions): Promise<CompletionResponse> {
    const attempts: AttemptRecord[] = [];
    for (const candidate of this.#candidates(options)) {
      const { route } = candidate;
      const permit = this.#admit(route, attempts);
      if (!permit) continue;
      route.started += 1;
      route.usage.inFlight += 1;
      try {
        const response = await route.provider.complete(this.#request(candidate, request), options);
        permit.success();
        this.#account(candidate, response.usage);
        return response;
      } catch (error) {
        this.#fail(route, permit, error, attempts);
      } finally {
        route.usage.inFlight -= 1;
      }
    }
    throw exhausted(attempts);
  }

  /**
   * Iterates the routes' streams, or pushes them (`STREAM_PUSH`) with the same fallback, breaker and accounting
   * rules; a route whose provider offers push mode is pushed natively, any other is pumped one event at a time.
   */
  stream(request: CompletionRequest, options?: CallOptions): AsyncGenerator<StreamEvent> & PushableStream {
    const claim = { taken: false };
    const generator = this.#iterate(request, options, claim) as AsyncGenerator<StreamEvent> & PushableStream;
    generator[STREAM_PUSH] = (sink: StreamSink): StreamPushControl => {
      takeOnce('manager', claim);
      return this.#push(request, options, sink);
    };
    return generator;
  }

  #push(request: CompletionRequest, options: CallOptions | undefined, outer: StreamSink): StreamPushControl {
    const attempts: AttemptRecord[] = [];
    const candidates = this.#candidates(options)[Symbol.iterator]();
    let current: StreamPushControl | undefined;
    let cancel: (() => void) | undefined;
    let stopped = false;
    const next = (): void => {
      for (let item = candidates.next(); !item.done; item = candidates.next()) {
        const candidate = item.value;
        const { route } = candidate;
        let permit: { success(): void; failure(e?: unknown): void } | undefined;
        try {
          permit = this.#admit(route, attempts);
        } catch (error) {
          outer.end(error);
          return;
        }
        if (!permit) continue;
        const admitted = permit;
        let started = false;
        let settled = false;
        let released = false;
        route.started += 1;
        route.usage.inFlight += 1;
        const release = (): void => {
          if (released) return;
          released = true;
          route.usage.inFlight -= 1;
          // The consumer stopped early (client went away): not the provider's fault, and the permit must not leak.
          if (!settled) admitted.success();
        };
        cancel = release;
        const sink: StreamSink = {
          events: (batch) => {
            started = true;
            for (let i = 0; i < batch.length; i++) {
              const event = batch[i]!;
              if (event.type === 'done') {
                settled = true;
                admitted.success();
                this.#account(candidate, event.response.usage);
              }
            }
            return outer.events(batch);
          },
          end: (error) => {
            if (stopped) return;
            if (error === undefined) {
              release();
              outer.end();
              return;
            }
            settled = true;
            release();
            if (!started) {
              try {
                this.#fail(route, admitted, error, attempts);
              } catch (fatal) {
                outer.end(fatal);
                return;
              }
              next();
              return;
            }
            route.usage.failures += 1;
            if (isAiProviderError(error) && error.retryable) admitted.failure(error);
            else admitted.success();
            outer.end(error);
          },
        };
        try {
          const stream = route.provider.stream(this.#request(candidate, request), options);
          current = isPushableStream(stream) ? stream[STREAM_PUSH](sink) : pushFromIterable(stream, sink);
        } catch (error) {
          sink.end(error);
        }
        return;
      }
      outer.end(exhausted(attempts));
    };
    next();
    return {
      resume: () => current?.resume(),
      cancel: () => {
        if (stopped) return;
        stopped = true;
        current?.cancel();
        cancel?.();
      },
    };
  }

  async *#iterate(
    request: CompletionRequest,
    options: CallOptions | undefined,
    claim: { taken: boolean },
  ): AsyncGenerator<StreamEvent> {
    takeOnce('manager', claim);
    const attempts: AttemptRecord[] = [];
    for (const candidate of this.#candidates(options)) {
      const { route } = candidate;
      const permit = this.#admit(route, attempts);
      if (!permit) continue;
      let started = false;
      let settled = false;
      route.started += 1;
      route.usage.inFlight += 1;
      try {
        for await (const event of route.provider.stream(this.#request(candidate, request), options)) {
          started = true;
          if (event.type === 'done') {
            settled = true;
            permit.success();
            this.#account(candidate, event.response.usage);
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
        route.usage.inFlight -= 1;
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

  #fail(
    route: Route,
    permit: { success(): void; failure(e?: unknown): void },
    error: unknown,
    attempts: AttemptRecord[],
  ): void {
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

function assertPricing(p: Pricing): void {
  const ok = (n: unknown): boolean => typeof n === 'number' && Number.isFinite(n) && n >= 0;
  assertOption(
    ok(p.inputPerMTok) && ok(p.outputPerMTok),
    'pricing',
    'inputPerMTok and outputPerMTok must be numbers >= 0',
  );
}

function exhausted(attempts: AttemptRecord[]): AiProviderError {
  return new AiProviderError(
    AI_PROVIDER_ERROR_CODES.unavailable,
    `no provider could serve the call (${attempts.length} tried)`,
    { attempts },
  );
}

export function createProviderManager(options: ProviderManagerOptions): ProviderManager {
  return new ProviderManager(options);
}
