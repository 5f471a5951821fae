import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { SqlClient } from 'plumego/x/data/sql';
import { formatLsn, parseLsn } from './lsn.ts';
import { explainNoReplicaPair, startReplicaPair, type ReplicaPair } from './replica-pair.test-support.ts';
import { RwRouter } from './rw-router.ts';

const unavailable = explainNoReplicaPair();
const READ = 'SELECT pg_is_in_recovery() AS replica, (SELECT count(*)::int FROM notes) AS n';
type Read = { replica: boolean; n: number };

describe('WAL positions', () => {
  it('parses, orders and formats LSNs, and refuses garbage', () => {
    expect(parseLsn('16/B374D848')).toBe((0x16n << 32n) | 0xb374d848n);
    expect((parseLsn('0/10') as bigint) < (parseLsn('1/0') as bigint)).toBe(true);
    expect(formatLsn(parseLsn('16/B374D848') as bigint)).toBe('16/B374D848');
    for (const bad of [null, '', '16', 'G/1', '1/2/3', 42]) expect(parseLsn(bad)).toBeUndefined();
  });
});

describe.skipIf(unavailable !== undefined)(
  `RwRouter on a real streaming replica (pg_basebackup -R)${unavailable ? ` — skipped: ${unavailable}` : ''}`,
  () => {
    let pair: ReplicaPair;
    let primary: SqlClient;
    let replica: SqlClient;
    const routers: RwRouter[] = [];
    const router = (maxLagMs: number) => {
      const r = new RwRouter({ primary, replicas: [replica], maxLagMs, refreshIntervalMs: 0, retryDownMs: 60_000 });
      routers.push(r);
      return r;
    };
    const replicaCount = async () => (await replica.queryOne<{ n: number }>('SELECT count(*)::int AS n FROM notes'))?.n;
    const primaryCount = async () => (await primary.queryOne<{ n: number }>('SELECT count(*)::int AS n FROM notes'))?.n;

    beforeAll(async () => {
      pair = await startReplicaPair();
      primary = new SqlClient({ connectionString: pair.primaryUrl, maxConnections: 4 });
      replica = new SqlClient({ connectionString: pair.replicaUrl, maxConnections: 4, connectionTimeoutMs: 1000 });
      await primary.exec('CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL)');
      // Wait for the table to reach the replica (expect.poll only works inside a test).
      for (
        const deadline = Date.now() + 10_000;
        (await replica.query("SELECT 1 FROM pg_tables WHERE tablename = 'notes'")).length === 0;
      ) {
        if (Date.now() > deadline) throw new Error('the replica never received the table');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }, 60_000);
    afterAll(async () => {
      await primary?.close();
      await replica?.close();
      await pair?.close();
    }, 30_000);

    it('sends writes and transactions to the primary and reads to the replica', async () => {
      const rw = router(1000);
      expect(await rw.exec('INSERT INTO notes (body) VALUES ($1)', ['first'])).toBe(1);
      await expect.poll(replicaCount, { timeout: 5000, interval: 10 }).toBe(1);
      expect(await rw.queryOne<Read>(READ)).toEqual({ replica: true, n: 1 });
      expect(await rw.transaction((tx) => tx.queryOne<Read>(READ))).toEqual({ replica: false, n: 1 });
      expect(rw.getStats()).toEqual({ primaryReads: 0, replicaReads: 1, fallbacks: 0, writes: 2 });
      // The replica really is read-only: a write sent there by mistake fails, it does not fork the data.
      await expect(replica.exec("INSERT INTO notes (body) VALUES ('x')")).rejects.toMatchObject({
        code: 'PLUMEGO_ERR_DATA_QUERY',
        sqlState: '25006',
      });
    });

    it('falls back to the primary while the replica lags past the bound, and returns once it catches up', async () => {
      const rw = router(150);
      const before = await primaryCount();
      await replica.query('SELECT pg_wal_replay_pause()');
      try {
        await rw.exec('INSERT INTO notes (body) VALUES ($1)', ['while paused']);
        await expect
          .poll(
            async () => {
              await rw.refreshReplicaStates();
              return (rw.getReplicaStates()[0]?.lagMs ?? 0) > 150;
            },
            { timeout: 5000, interval: 20 },
          )
          .toBe(true);
        expect(await rw.queryOne<Read>(READ)).toEqual({ replica: false, n: (before ?? 0) + 1 });
        expect(rw.getStats().fallbacks).toBe(1);
      } finally {
        await replica.query('SELECT pg_wal_replay_resume()');
      }
      await expect
        .poll(async () => (await rw.queryOne<Read>(READ))?.replica, { timeout: 5000, interval: 20 })
        .toBe(true);
      expect(await rw.queryOne<Read>(READ)).toMatchObject({ n: (before ?? 0) + 1 });
    });

    it('reads its own writes through a session while other reads may be stale within the bound', async () => {
      const rw = router(60_000);
      const before = (await primaryCount()) ?? 0;
      await expect.poll(replicaCount, { timeout: 5000, interval: 10 }).toBe(before);
      await replica.query('SELECT pg_wal_replay_pause()');
      try {
        const session = rw.session();
        expect(session.token).toBeUndefined();
        await session.exec('INSERT INTO notes (body) VALUES ($1)', ['mine']);
        expect(session.token).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
        expect(await session.queryOne<Read>(READ)).toEqual({ replica: false, n: before + 1 });
        // Not in the session: served by the replica, which is behind but within maxLagMs.
        expect(await rw.queryOne<Read>(READ)).toEqual({ replica: true, n: before });
        // The next request carries the token and still sees its write.
        expect(await rw.session(session.token).queryOne<Read>(READ)).toEqual({ replica: false, n: before + 1 });
      } finally {
        await replica.query('SELECT pg_wal_replay_resume()');
      }
      await expect.poll(replicaCount, { timeout: 5000, interval: 10 }).toBe(before + 1);
      const later = rw.session(
        (await primary.queryOne<{ lsn: string }>('SELECT pg_current_wal_insert_lsn()::text AS lsn'))?.lsn,
      );
      await expect
        .poll(async () => (await later.queryOne<Read>(READ))?.replica, { timeout: 5000, interval: 20 })
        .toBe(true);
      expect(() => rw.session('not-an-lsn')).toThrow(
        expect.objectContaining({ code: 'PLUMEGO_ERR_DATA_INVALID_OPTIONS', reason: 'field:token' }),
      );
    });

    it('takes a replica that goes down out of rotation and re-runs the read on the primary', async () => {
      const rw = router(1000);
      expect(await rw.queryOne<Read>(READ)).toMatchObject({ replica: true });
      await pair.stopReplica();
      const n = await primaryCount();
      expect(await rw.queryOne<Read>(READ)).toEqual({ replica: false, n });
      expect(rw.getReplicaStates()[0]?.healthy).toBe(false);
      expect(await rw.queryOne<Read>(READ)).toEqual({ replica: false, n });
      expect(rw.getStats()).toMatchObject({ replicaReads: 1, primaryReads: 2, fallbacks: 2 });
    });

    it('refuses bad options', () => {
      expect(() => new RwRouter({ primary: {} as SqlClient })).toThrow(
        expect.objectContaining({ reason: 'field:primary' }),
      );
      expect(() => new RwRouter({ primary, maxLagMs: -1 })).toThrow(
        expect.objectContaining({ reason: 'field:maxLagMs' }),
      );
    });
  },
);
