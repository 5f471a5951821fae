import { describe, expect, it } from 'vitest';
import { CircuitBreaker, type CircuitState } from './circuit-breaker.ts';
import { isResilienceError } from './errors.ts';

function clock(start = 1_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

const boom = (): Promise<never> => Promise.reject(new Error('boom'));
const ok = (): Promise<string> => Promise.resolve('ok');

async function expectCode(p: Promise<unknown>, code: string): Promise<void> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isResilienceError(error) ? error.code : error).toBe(code);
}

describe('CircuitBreaker', () => {
  it('trips after consecutive failures and counts them', async () => {
    const c = clock();
    const b = new CircuitBreaker({ failureThreshold: 3, now: c.now });
    await expect(b.execute(ok)).resolves.toBe('ok');
    for (let i = 0; i < 2; i++) await expect(b.execute(boom)).rejects.toThrow('boom');
    expect(b.state).toBe('closed');
    expect(b.counts).toEqual({
      requests: 3,
      totalSuccesses: 1,
      totalFailures: 2,
      consecutiveSuccesses: 0,
      consecutiveFailures: 2,
    });
    await expect(b.execute(boom)).rejects.toThrow('boom');
    expect(b.state).toBe('open');
    expect(b.counts.requests).toBe(0);
  });

  it('rejects with CIRCUIT_OPEN while open and never calls the function', async () => {
    const c = clock();
    const b = new CircuitBreaker({ failureThreshold: 1, openTimeoutMs: 5_000, now: c.now });
    await expect(b.execute(boom)).rejects.toThrow('boom');
    let called = false;
    await expectCode(
      b.execute(() => {
        called = true;
        return 1;
      }),
      'CIRCUIT_OPEN',
    );
    expect(called).toBe(false);
    const stats = b.stats();
    expect(stats.rejected).toBe(1);
    expect(stats.retryAt).toBe(1_000 + 5_000);
  });

  it('goes half-open after the open timeout and closes after enough probe successes', async () => {
    const c = clock();
    const changes: string[] = [];
    const b = new CircuitBreaker({
      failureThreshold: 1,
      openTimeoutMs: 1_000,
      halfOpenMaxRequests: 2,
      now: c.now,
      onStateChange: (from: CircuitState, to: CircuitState) => changes.push(`${from}->${to}`),
    });
    await expect(b.execute(boom)).rejects.toThrow();
    c.advance(999);
    expect(b.state).toBe('open');
    c.advance(1);
    expect(b.state).toBe('half_open');
    await b.execute(ok);
    expect(b.state).toBe('half_open');
    await b.execute(ok);
    expect(b.state).toBe('closed');
    expect(changes).toEqual(['closed->open', 'open->half_open', 'half_open->closed']);
  });

  it('reopens when a half-open probe fails', async () => {
    const c = clock();
    const b = new CircuitBreaker({ failureThreshold: 1, openTimeoutMs: 1_000, now: c.now });
    await expect(b.execute(boom)).rejects.toThrow();
    c.advance(1_000);
    expect(b.state).toBe('half_open');
    await expect(b.execute(boom)).rejects.toThrow('boom');
    expect(b.state).toBe('open');
    // The open window restarts from the failed probe, not from the first trip.
    c.advance(999);
    await expectCode(b.execute(ok), 'CIRCUIT_OPEN');
    c.advance(1);
    await expect(b.execute(ok)).resolves.toBe('ok');
    expect(b.state).toBe('closed');
  });

  it('admits only halfOpenMaxRequests concurrent probes', async () => {
    const c = clock();
    const b = new CircuitBreaker({ failureThreshold: 1, openTimeoutMs: 10, now: c.now });
    await expect(b.execute(boom)).rejects.toThrow();
    c.advance(10);
    let release!: () => void;
    const slow = b.execute(
      () =>
        new Promise<void>((r) => {
          release = r;
        }),
    );
    await expectCode(b.execute(ok), 'CIRCUIT_OPEN');
    release();
    await slow;
    expect(b.state).toBe('closed');
  });

  it('ignores the outcome of a call admitted before the state changed', async () => {
    const c = clock();
    const b = new CircuitBreaker({ failureThreshold: 1, now: c.now });
    let release!: () => void;
    const stale = b.execute(
      () =>
        new Promise<void>((r) => {
          release = r;
        }),
    );
    b.trip();
    release();
    await stale;
    expect(b.state).toBe('open');
  });

  it('does not count errors that isFailure rejects', async () => {
    const b = new CircuitBreaker({ failureThreshold: 1, isFailure: (e) => !(e instanceof TypeError) });
    await expect(b.execute(() => Promise.reject(new TypeError('client')))).rejects.toThrow('client');
    expect(b.state).toBe('closed');
    expect(b.counts.totalSuccesses).toBe(1);
  });

  it('counts only the first outcome of a permit, and a failure through isFailure on the permit too', () => {
    const b = new CircuitBreaker({ failureThreshold: 2, isFailure: (e) => !(e instanceof TypeError) });
    const first = b.acquire();
    first.failure(new Error('down'));
    first.failure(new Error('down'));
    first.success();
    expect(b.counts).toMatchObject({ requests: 1, totalFailures: 1, totalSuccesses: 0, consecutiveFailures: 1 });
    expect(b.state).toBe('closed');
    const second = b.acquire();
    second.failure(new TypeError('client'));
    second.failure(new Error('down'));
    expect(b.counts).toMatchObject({ requests: 2, totalFailures: 1, totalSuccesses: 1, consecutiveFailures: 0 });
    // Permits are independent: one settling does not settle another.
    const [a, c] = [b.acquire(), b.acquire()];
    a.failure();
    c.failure();
    expect(b.state).toBe('open');
  });

  it('ages closed-state counts out every intervalMs', async () => {
    const c = clock();
    const b = new CircuitBreaker({ failureThreshold: 2, intervalMs: 100, now: c.now });
    await expect(b.execute(boom)).rejects.toThrow();
    c.advance(100);
    await expect(b.execute(boom)).rejects.toThrow();
    expect(b.state).toBe('closed');
    expect(b.counts.consecutiveFailures).toBe(1);
  });

  it('supports a custom readyToTrip rule, manual trip and reset', async () => {
    const b = new CircuitBreaker({ readyToTrip: (c) => c.requests >= 4 && c.totalFailures / c.requests >= 0.5 });
    await b.execute(ok);
    await b.execute(ok);
    await expect(b.execute(boom)).rejects.toThrow();
    expect(b.state).toBe('closed');
    await expect(b.execute(boom)).rejects.toThrow();
    expect(b.state).toBe('open');
    b.reset();
    expect(b.state).toBe('closed');
    b.trip();
    expect(b.state).toBe('open');
  });

  it.each([
    [{ failureThreshold: 0 }, 'failureThreshold'],
    [{ halfOpenMaxRequests: 1.5 }, 'halfOpenMaxRequests'],
    [{ halfOpenMaxRequests: 1, successThreshold: 2 }, 'successThreshold'],
    [{ openTimeoutMs: 0 }, 'openTimeoutMs'],
    [{ intervalMs: -1 }, 'intervalMs'],
  ])('refuses bad options %j at construction', (options, field) => {
    expect(() => new CircuitBreaker(options)).toThrow(field);
  });
});
