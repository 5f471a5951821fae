import { describe, expect, it } from 'vitest';
import { createGate } from './dispatch.ts';

describe('createGate', () => {
  it('starts a task at once while a slot is free and makes later callers wait, in order, for a slot', async () => {
    const gate = createGate(2);
    const started: string[] = [];
    const releases: Array<() => void> = [];
    const task = (name: string) => () => {
      started.push(name);
      return new Promise<void>((r) => releases.push(r));
    };
    expect(gate.run(task('a'))).toBeUndefined();
    expect(gate.run(task('b'))).toBeUndefined();
    const c = gate.run(task('c'));
    const d = gate.run(task('d'));
    expect(c).toBeInstanceOf(Promise);
    expect(started).toEqual(['a', 'b']);
    releases[0]!();
    await c;
    expect(started).toEqual(['a', 'b', 'c']);
    releases[1]!();
    await d;
    expect(started).toEqual(['a', 'b', 'c', 'd']);
    let idle = false;
    const done = gate.idle().then(() => {
      idle = true;
    });
    releases[2]!();
    await Promise.resolve();
    expect(idle).toBe(false);
    releases[3]!();
    await done;
    expect(idle).toBe(true);
  });

  it('frees the slot after a synchronous task, a throwing task and a rejected one', async () => {
    const gate = createGate(1);
    let runs = 0;
    expect(
      gate.run(() => {
        runs++;
      }),
    ).toBeUndefined();
    expect(
      gate.run(() => {
        runs++;
        throw new Error('boom');
      }),
    ).toBeUndefined();
    expect(
      gate.run(() => {
        runs++;
        return Promise.reject(new Error('no'));
      }),
    ).toBeUndefined();
    await new Promise((r) => setTimeout(r, 0));
    expect(
      gate.run(() => {
        runs++;
      }),
    ).toBeUndefined();
    expect(runs).toBe(4);
    await gate.idle();
  });

  it('hands a task its argument, both at once and after waiting for a slot, and frees the slot when it throws', async () => {
    const gate = createGate(1);
    const seen: string[] = [];
    let release!: () => void;
    const slow = (name: string): Promise<void> => {
      seen.push(name);
      return new Promise<void>((r) => {
        release = r;
      });
    };
    const record = (name: string): void => {
      seen.push(name);
    };
    expect(gate.run(slow, 'first')).toBeUndefined();
    const waiting = gate.run(record, 'second');
    const throwing = gate.run((name: string) => {
      seen.push(name);
      throw new Error(name);
    }, 'third');
    expect(waiting).toBeInstanceOf(Promise);
    expect(seen).toEqual(['first']);
    release();
    await waiting;
    await throwing;
    expect(seen).toEqual(['first', 'second', 'third']);
    expect(gate.run(record, 'fourth')).toBeUndefined();
    expect(seen).toEqual(['first', 'second', 'third', 'fourth']);
    await gate.idle();
  });

  it('runs a long queue of synchronous waiters without deep recursion', async () => {
    const gate = createGate(1);
    let release!: () => void;
    gate.run(
      () =>
        new Promise<void>((r) => {
          release = r;
        }),
    );
    let count = 0;
    const waits = Array.from({ length: 20_000 }, () =>
      gate.run(() => {
        count++;
      }),
    );
    release();
    await Promise.all(waits);
    expect(count).toBe(20_000);
  });
});
