import { describe, expect, it } from 'vitest';
import { createLifecycleGroup } from './lifecycle-group.ts';

function recorder() {
  const log: string[] = [];
  const comp = (name: string, opts: { failStart?: boolean; failStop?: boolean; notReady?: boolean } = {}) => ({
    start: async () => {
      log.push(`start ${name}`);
      if (opts.failStart) throw new Error(`${name} start`);
    },
    stop: () => {
      log.push(`stop ${name}`);
      if (opts.failStop) throw new Error(`${name} stop`);
    },
    ready: () => {
      if (opts.notReady) throw new Error(`${name} not ready`);
    },
  });
  return { log, comp };
}

describe('LifecycleGroup', () => {
  it('starts in order and stops in reverse', async () => {
    const { log, comp } = recorder();
    const g = createLifecycleGroup().add('db', comp('db')).add('cache', comp('cache')).add('http', comp('http'));
    await g.start();
    await g.ready();
    await g.stop();
    expect(log).toEqual(['start db', 'start cache', 'start http', 'stop http', 'stop cache', 'stop db']);
  });

  it('rolls back started components in reverse when one fails', async () => {
    const { log, comp } = recorder();
    const g = createLifecycleGroup()
      .add('a', comp('a'))
      .add('b', comp('b'))
      .add('c', comp('c', { failStart: true }))
      .add('d', comp('d'));
    await expect(g.start()).rejects.toMatchObject({
      code: 'CORE_LIFECYCLE_START_FAILED',
      message: expect.stringContaining('component=c'),
    });
    expect(log).toEqual(['start a', 'start b', 'start c', 'stop b', 'stop a']);
  });

  it('refuses a second start and late additions', async () => {
    const { comp } = recorder();
    const g = createLifecycleGroup().add('a', comp('a'));
    await g.start();
    await expect(g.start()).rejects.toMatchObject({ code: 'CORE_LIFECYCLE_STARTED' });
    expect(() => g.add('b', comp('b'))).toThrow(expect.objectContaining({ code: 'CORE_LIFECYCLE_STARTED' }));
  });

  it('rejects duplicate names', () => {
    const { comp } = recorder();
    expect(() => createLifecycleGroup().add('a', comp('a')).add('a', comp('a'))).toThrow(
      expect.objectContaining({ code: 'CORE_LIFECYCLE_DUPLICATE' }),
    );
  });

  it('stops every component and joins stop errors', async () => {
    const { log, comp } = recorder();
    const g = createLifecycleGroup()
      .add('a', comp('a', { failStop: true }))
      .add('b', comp('b', { failStop: true }));
    await g.start();
    await expect(g.stop()).rejects.toMatchObject({ code: 'CORE_LIFECYCLE_STOP_FAILED' });
    expect(log.slice(2)).toEqual(['stop b', 'stop a']);
    await expect(g.stop()).resolves.toBeUndefined();
  });

  it('aggregates readiness failures by name', async () => {
    const { comp } = recorder();
    const g = createLifecycleGroup()
      .add('a', comp('a', { notReady: true }))
      .add('b', comp('b'))
      .add('c', comp('c', { notReady: true }));
    await expect(g.ready()).rejects.toMatchObject({ code: 'CORE_LIFECYCLE_NOT_STARTED' });
    await g.start();
    await expect(g.ready()).rejects.toMatchObject({ message: expect.stringContaining('not ready: a, c') });
  });
});

async function rejection<E>(p: Promise<unknown>): Promise<E> {
  try {
    await p;
  } catch (e) {
    return e as E;
  }
  throw new Error('expected a rejection');
}

describe('LifecycleGroup edges', () => {
  it('keeps the start failure as the cause, and joins it with rollback failures when a stop fails too', async () => {
    const { comp } = recorder();
    const plain = createLifecycleGroup()
      .add('a', comp('a'))
      .add('b', comp('b', { failStart: true }));
    const plainError = await rejection<Error & { cause: unknown }>(plain.start());
    expect((plainError.cause as Error).message).toBe('b start');
    const messy = createLifecycleGroup()
      .add('a', comp('a', { failStop: true }))
      .add('b', comp('b', { failStart: true }));
    const messyError = await rejection<Error & { cause: unknown }>(messy.start());
    expect(messyError.cause).toBeInstanceOf(AggregateError);
    expect((messyError.cause as AggregateError).errors.map((e: Error) => e.message)).toEqual(['b start', 'a stop']);
    // A failed start leaves the group stopped: it can neither start again nor report readiness.
    await expect(messy.start()).rejects.toMatchObject({ code: 'CORE_LIFECYCLE_STARTED' });
    await expect(messy.ready()).rejects.toMatchObject({ code: 'CORE_LIFECYCLE_NOT_STARTED' });
  });

  it('accepts components without start, stop or ready, and rejects an empty name', async () => {
    const g = createLifecycleGroup()
      .add('bare', {})
      .add('half', { start: () => {} });
    expect(g.names).toEqual(['bare', 'half']);
    await g.start();
    await expect(g.ready()).resolves.toBeUndefined();
    await expect(g.stop()).resolves.toBeUndefined();
    expect(() => createLifecycleGroup().add('', {})).toThrow(
      expect.objectContaining({ code: 'CORE_LIFECYCLE_DUPLICATE' }),
    );
  });

  it('is ready when every started component is, lists failures sorted, and carries every cause', async () => {
    const { comp } = recorder();
    const ok = createLifecycleGroup().add('a', comp('a')).add('b', comp('b'));
    await ok.start();
    await expect(ok.ready()).resolves.toBeUndefined();
    const g = createLifecycleGroup()
      .add('z', comp('z', { notReady: true }))
      .add('m', comp('m', { notReady: true }));
    await g.start();
    const error = await rejection<Error & { cause: AggregateError }>(g.ready());
    expect(error.message).toContain('not ready: m, z');
    expect(error.cause.errors).toHaveLength(2);
    await g.stop();
    await expect(g.ready()).rejects.toMatchObject({ code: 'CORE_LIFECYCLE_NOT_STARTED' });
    expect(() => g.add('late', {})).toThrow(expect.objectContaining({ code: 'CORE_LIFECYCLE_STARTED' }));
  });

  it('stops nothing twice: a second stop after a clean one touches no component', async () => {
    const { log, comp } = recorder();
    const g = createLifecycleGroup().add('a', comp('a'));
    await g.start();
    await g.stop();
    await g.stop();
    expect(log).toEqual(['start a', 'stop a']);
  });
});
