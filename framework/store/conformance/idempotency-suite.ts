import assert from 'node:assert/strict';
import type { IdempotencyRecord, IdempotencyStore } from '../idempotency/record.ts';
import { captureRejection, codeOf, type ConformanceHarness } from './harness.ts';

/** One idempotency backend under test. */
export interface IdempotencyConformanceTarget {
  /** Shown in the suite title. */
  name: string;
  /** A store on fresh, empty storage whose clock is `now`. */
  open(now: () => number): Promise<IdempotencyStore> | IdempotencyStore;
  /**
   * A second, independent handle (its own connection, as another process would have) on the same
   * storage as `store`. Omit for single-process stores; the cross-handle cases are then skipped.
   */
  openPeer?: (store: IdempotencyStore, now: () => number) => Promise<IdempotencyStore> | IdempotencyStore;
  /** Ends `store` the way a crash would: connections dropped, nothing completed. Needs `openPeer`. */
  crash?: (store: IdempotencyStore) => Promise<void> | void;
  /** Releases `store` after a case. Default: nothing. */
  close?: (store: IdempotencyStore) => Promise<void> | void;
}

function record(key: string, at: number, overrides: Partial<IdempotencyRecord> = {}): IdempotencyRecord {
  return {
    key,
    requestHash: 'h1',
    status: 'in_progress',
    createdAt: at,
    updatedAt: at,
    expiresAt: at + 1000,
    ...overrides,
  };
}

async function assertCode(promise: Promise<unknown>, code: string): Promise<void> {
  assert.equal(codeOf(await captureRejection(promise)), code);
}

/**
 * The behaviour every `IdempotencyStore` shares: claim once, complete in the contract's validation
 * order, hide expired records, copy in and out, and — for shared stores — one winner per key across
 * independent handles and a claim that survives its owner's crash until it expires.
 */
export function describeIdempotencyConformance(t: ConformanceHarness, target: IdempotencyConformanceTarget): void {
  const { describe, it } = t;
  const use = async (now: () => number, fn: (store: IdempotencyStore) => Promise<void>): Promise<void> => {
    const store = await target.open(now);
    try {
      await fn(store);
    } finally {
      await target.close?.(store);
    }
  };

  describe(`${target.name} idempotency conformance`, () => {
    it('claims a key once and reports the record', () =>
      use(
        () => 10_000,
        async (store) => {
          assert.equal(await store.putIfAbsent(record('k1', 10_000)), true);
          assert.equal(await store.putIfAbsent(record('k1', 10_000, { requestHash: 'h2' })), false);
          const got = await store.get('k1');
          const { key, requestHash, status, createdAt, updatedAt, expiresAt, response } =
            got ?? ({} as IdempotencyRecord);
          assert.deepEqual(
            { key, requestHash, status, createdAt, updatedAt, expiresAt, response },
            { ...record('k1', 10_000), response: undefined },
          );
          assert.equal(await store.get('k2'), undefined);
        },
      ));

    it('completes with the response and refuses a second completion', () =>
      use(
        () => 10_000,
        async (store) => {
          await store.putIfAbsent(record('k', 10_000));
          const done = await store.complete('k', 'h1', new Uint8Array([1, 2, 3]), 10_005);
          assert.equal(done.status, 'completed');
          assert.equal(done.updatedAt, 10_005);
          const got = await store.get('k');
          assert.equal(got?.status, 'completed');
          assert.deepEqual([...(got?.response ?? [])], [1, 2, 3]);
          await assertCode(store.complete('k', 'h1', new Uint8Array([9])), 'PLUMEGO_ERR_IDEMPOTENCY_ALREADY_COMPLETED');
        },
      ));

    it('validates completion in order: mismatch, then expired, then completed', async () => {
      let now = 10_000;
      await use(
        () => now,
        async (store) => {
          await store.putIfAbsent(record('k', now));
          await store.complete('k', 'h1', new Uint8Array([1]));
          now += 5000;
          await assertCode(
            store.complete('k', 'other', new Uint8Array([1]), now),
            'PLUMEGO_ERR_IDEMPOTENCY_REQUEST_MISMATCH',
          );
          await assertCode(store.complete('k', 'h1', new Uint8Array([1]), now), 'PLUMEGO_ERR_IDEMPOTENCY_EXPIRED');
          await assertCode(store.complete('nope', 'h1', new Uint8Array([1]), now), 'PLUMEGO_ERR_IDEMPOTENCY_NOT_FOUND');
        },
      );
    });

    it('hides expired records and lets the key be claimed again', async () => {
      let now = 10_000;
      await use(
        () => now,
        async (store) => {
          await store.putIfAbsent(record('k', now));
          now += 1000;
          assert.equal(await store.get('k'), undefined);
          assert.equal(await store.putIfAbsent(record('k', now, { requestHash: 'h2' })), true);
          assert.equal((await store.get('k'))?.requestHash, 'h2');
        },
      );
    });

    it('deletes records and validates keys and records', () =>
      use(
        () => 10_000,
        async (store) => {
          await store.putIfAbsent(record('k', 10_000));
          await store.delete('k');
          await store.delete('never-stored');
          assert.equal(await store.get('k'), undefined);
          await assertCode(store.get('bad key'), 'PLUMEGO_ERR_IDEMPOTENCY_INVALID_KEY');
          await assertCode(store.delete(''), 'PLUMEGO_ERR_IDEMPOTENCY_INVALID_KEY');
          await assertCode(
            store.putIfAbsent(record('k', 10_000, { expiresAt: 10_000 })),
            'PLUMEGO_ERR_IDEMPOTENCY_INVALID_RECORD',
          );
          await assertCode(
            store.putIfAbsent(record('k', 10_000, { status: 'completed' })),
            'PLUMEGO_ERR_IDEMPOTENCY_INVALID_RECORD',
          );
        },
      ));

    it('returns copies that callers cannot use to mutate stored state', () =>
      use(
        () => 10_000,
        async (store) => {
          await store.putIfAbsent(record('k', 10_000));
          const response = new Uint8Array([7]);
          await store.complete('k', 'h1', response);
          response[0] = 0;
          const got = await store.get('k');
          (got?.response as Uint8Array)[0] = 1;
          assert.deepEqual([...((await store.get('k'))?.response ?? [])], [7]);
        },
      ));

    it('keeps binary responses byte for byte, empty ones included', () =>
      use(
        () => 10_000,
        async (store) => {
          const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
          await store.putIfAbsent(record('bin', 10_000));
          await store.complete('bin', 'h1', bytes);
          assert.deepEqual([...((await store.get('bin'))?.response ?? [])], [...bytes]);
          await store.putIfAbsent(record('empty', 10_000));
          await store.complete('empty', 'h1', new Uint8Array());
          assert.equal((await store.get('empty'))?.response?.length, 0);
        },
      ));

    const peer = target.openPeer;
    if (peer === undefined) {
      it.skip('lets exactly one of two handles claim each key (skipped: the store is not shared between handles)', () => {});
      it.skip('keeps a claim whose owner crashed until it expires (skipped: the store is not shared between handles)', () => {});
      return;
    }

    it('lets exactly one of two handles claim each key', () =>
      use(
        () => 10_000,
        async (store) => {
          const other = await peer(store, () => 10_000);
          try {
            const keys = Array.from({ length: 25 }, (_, i) => `race-${i}`);
            const results = await Promise.all(
              keys.flatMap((key) => [
                store.putIfAbsent(record(key, 10_000, { requestHash: 'a' })),
                other.putIfAbsent(record(key, 10_000, { requestHash: 'b' })),
              ]),
            );
            for (let i = 0; i < keys.length; i++) {
              const [a, b] = [results[2 * i], results[2 * i + 1]];
              assert.equal(Number(a) + Number(b), 1, `exactly one claim wins ${keys[i]}`);
              assert.equal((await other.get(keys[i] as string))?.requestHash, a ? 'a' : 'b');
            }
          } finally {
            await target.close?.(other);
          }
        },
      ));

    it('keeps a claim whose owner crashed until it expires', async () => {
      let now = 10_000;
      await use(
        () => now,
        async (store) => {
          const survivor = await peer(store, () => now);
          try {
            assert.equal(await store.putIfAbsent(record('crash', now)), true);
            if (target.crash !== undefined) await target.crash(store);
            const seen = await survivor.get('crash');
            assert.equal(seen?.status, 'in_progress');
            assert.equal(await survivor.putIfAbsent(record('crash', now, { requestHash: 'h2' })), false);
            now += 1000;
            assert.equal(await survivor.putIfAbsent(record('crash', now, { requestHash: 'h2' })), true);
            const done = await survivor.complete('crash', 'h2', new Uint8Array([5]), now + 1);
            assert.equal(done.status, 'completed');
          } finally {
            await target.close?.(survivor);
          }
        },
      );
    });
  });
}
