import { CoreError } from './errors.ts';

/** A component with an optional start, stop and readiness check. */
export interface Component {
  start?(): void | Promise<void>;
  stop?(): void | Promise<void>;
  /** Resolve when ready to serve; throw or reject when not. */
  ready?(): void | Promise<void>;
}

interface Member {
  readonly name: string;
  readonly component: Component;
}

/**
 * Starts components in registration order and stops them in reverse. If a start fails, the ones
 * already started are stopped (in reverse) and the failure is re-thrown as a `CoreError` naming the
 * component. `start` runs once; `stop` is safe to call again; `ready` checks every started
 * component and aggregates failures.
 */
export class LifecycleGroup {
  readonly #members: Member[] = [];
  readonly #started: Member[] = [];
  #state: 'idle' | 'starting' | 'started' | 'stopped' = 'idle';

  /** Adds a component; names must be unique; only before `start`. */
  add(name: string, component: Component): this {
    if (this.#state !== 'idle')
      throw new CoreError('lifecycle_start', 'CORE_LIFECYCLE_STARTED', `name=${name}: cannot add after start`);
    if (!name || this.#members.some((m) => m.name === name)) {
      throw new CoreError(
        'lifecycle_start',
        'CORE_LIFECYCLE_DUPLICATE',
        `name=${JSON.stringify(name)}: component names must be unique and non-empty`,
      );
    }
    this.#members.push({ name, component });
    return this;
  }

  get names(): string[] {
    return this.#members.map((m) => m.name);
  }

  async start(): Promise<void> {
    if (this.#state !== 'idle')
      throw new CoreError('lifecycle_start', 'CORE_LIFECYCLE_STARTED', 'the group was already started');
    this.#state = 'starting';
    for (const m of this.#members) {
      try {
        await m.component.start?.();
        this.#started.push(m);
      } catch (cause) {
        const rollback = await this.#stopStarted();
        this.#state = 'stopped';
        throw new CoreError(
          'lifecycle_start',
          'CORE_LIFECYCLE_START_FAILED',
          `component=${m.name}: start failed${rollback.length ? `; rollback errors: ${rollback.length}` : ''}`,
          {
            cause: rollback.length ? new AggregateError([cause, ...rollback], 'start and rollback failures') : cause,
          },
        );
      }
    }
    this.#state = 'started';
  }

  /** Stops started components in reverse order; all are attempted, errors are joined. */
  async stop(): Promise<void> {
    const errors = await this.#stopStarted();
    this.#state = 'stopped';
    if (errors.length > 0)
      throw new CoreError(
        'lifecycle_stop',
        'CORE_LIFECYCLE_STOP_FAILED',
        `${errors.length} component(s) failed to stop`,
        { cause: new AggregateError(errors) },
      );
  }

  /** Resolves when every started component is ready; otherwise rejects naming each failure. */
  async ready(): Promise<void> {
    if (this.#state !== 'started')
      throw new CoreError('lifecycle_start', 'CORE_LIFECYCLE_NOT_STARTED', 'the group is not started');
    const failures: string[] = [];
    const causes: unknown[] = [];
    await Promise.all(
      this.#started.map(async (m) => {
        try {
          await m.component.ready?.();
        } catch (err) {
          failures.push(m.name);
          causes.push(err);
        }
      }),
    );
    if (failures.length > 0) {
      throw new CoreError('lifecycle_start', 'CORE_LIFECYCLE_NOT_READY', `not ready: ${failures.sort().join(', ')}`, {
        cause: new AggregateError(causes),
      });
    }
  }

  async #stopStarted(): Promise<unknown[]> {
    const errors: unknown[] = [];
    while (this.#started.length > 0) {
      const m = this.#started.pop()!;
      try {
        await m.component.stop?.();
      } catch (err) {
        errors.push(err);
      }
    }
    return errors;
  }
}

/** Shorthand for `new LifecycleGroup()`. */
export function createLifecycleGroup(): LifecycleGroup {
  return new LifecycleGroup();
}
