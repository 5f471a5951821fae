import { describe, it, expect, beforeAll, afterAll, inject } from 'vitest';
import { randomBytes } from 'node:crypto';
import { isDataError } from 'plumego/x/data';
import { SqlClient } from './sql-client.ts';
import type { QueryEvent } from './options.ts';

const url = inject('services').postgres;
const schema = `plumego_sql_${randomBytes(4).toString('hex')}`;

describe.skipIf(!url)('SqlClient on PostgreSQL', () => {
  let admin: SqlClient;
  const clients: SqlClient[] = [];
  const open = (options: Partial<ConstructorParameters<typeof SqlClient>[0]> = {}): SqlClient => {
    const client = new SqlClient({ connectionString: url as string, searchPath: schema, ...options });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    admin = new SqlClient({ connectionString: url as string });
    await admin.exec(`CREATE SCHEMA ${schema}`);
    await admin.exec(`CREATE TABLE ${schema}.counters (id int PRIMARY KEY, n int NOT NULL)`);
    await admin.exec(
      `CREATE TABLE ${schema}.items (id serial PRIMARY KEY, name text NOT NULL UNIQUE, price int NOT NULL)`,
    );
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await admin.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.close();
  });

  it('runs typed, parameterised statements in the configured schema', async () => {
    const db = open();
    expect(await db.exec('INSERT INTO items (name, price) VALUES ($1, $2), ($3, $4)', ['pen', 3, 'ink', 7])).toBe(2);
    const rows = await db.query<{ name: string; price: number }>(
      'SELECT name, price FROM items WHERE price > $1 ORDER BY name',
      [1],
    );
    expect(rows).toEqual([
      { name: 'ink', price: 7 },
      { name: 'pen', price: 3 },
    ]);
    expect(await db.queryOne('SELECT name FROM items WHERE name = $1', ['none'])).toBeUndefined();
    expect(await db.exec('DELETE FROM items WHERE name = $1', ['none'])).toBe(0);
  });

  it('commits, rolls back on throw, and refuses a nested transaction', async () => {
    const db = open();
    await db.exec('INSERT INTO counters VALUES (10, 0)');
    await db.transaction(async (tx) => {
      await tx.exec('UPDATE counters SET n = n + 1 WHERE id = 10');
    });
    await expect(
      db.transaction(async (tx) => {
        await tx.exec('UPDATE counters SET n = 100 WHERE id = 10');
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    await expect(db.transaction(() => db.transaction(async () => 1))).rejects.toMatchObject({
      code: 'PLUMEGO_ERR_DATA_NESTED_TRANSACTION',
    });
    expect(await db.queryOne('SELECT n FROM counters WHERE id = 10')).toEqual({ n: 1 });
    await expect(db.transaction(async () => 1, { isolation: 'chaos' as never })).rejects.toMatchObject({
      code: 'PLUMEGO_ERR_DATA_INVALID_OPTIONS',
    });
  });

  it('re-runs a serializable transaction that lost a write conflict, and gives up after the retries', async () => {
    const db = open({ maxConnections: 4 });
    await db.exec('INSERT INTO counters VALUES (1, 0)');
    let arrived = 0;
    let releaseBoth: () => void = () => {};
    const bothRead = new Promise<void>((resolve) => {
      releaseBoth = resolve;
    });
    const attempts: number[] = [];
    const increment = () =>
      db.transaction(
        async (tx, attempt) => {
          attempts.push(attempt);
          const row = await tx.queryOne<{ n: number }>('SELECT n FROM counters WHERE id = 1');
          if (attempt === 1) {
            // Both first attempts read the same value before either writes: a lost update unless retried.
            if (++arrived === 2) releaseBoth();
            await bothRead;
          }
          await tx.exec('UPDATE counters SET n = $1 WHERE id = 1', [(row?.n ?? 0) + 1]);
        },
        { isolation: 'serializable' },
      );
    await Promise.all([increment(), increment()]);
    expect(await db.queryOne('SELECT n FROM counters WHERE id = 1')).toEqual({ n: 2 });
    expect(attempts.filter((a) => a > 1).length).toBeGreaterThanOrEqual(1);

    arrived = 0;
    let releaseAgain: () => void = () => {};
    const bothReadAgain = new Promise<void>((resolve) => {
      releaseAgain = resolve;
    });
    const once = () =>
      db.transaction(
        async (tx) => {
          const row = await tx.queryOne<{ n: number }>('SELECT n FROM counters WHERE id = 1');
          if (++arrived === 2) releaseAgain();
          await bothReadAgain;
          await tx.exec('UPDATE counters SET n = $1 WHERE id = 1', [(row?.n ?? 0) + 1]);
        },
        { isolation: 'repeatable read', retries: 0 },
      );
    const results = await Promise.allSettled([once(), once()]);
    const failed = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    expect(failed).toHaveLength(1);
    expect(failed[0]?.reason).toMatchObject({ code: 'PLUMEGO_ERR_DATA_SERIALIZATION_FAILURE', sqlState: '40001' });
    expect(await db.queryOne('SELECT n FROM counters WHERE id = 1')).toEqual({ n: 3 });
  });

  it('times a statement out on the server, per pool and per call, and keeps the connection usable', async () => {
    const pooled = open({ maxConnections: 1, statementTimeoutMs: 150 });
    await expect(pooled.query('SELECT pg_sleep(5)')).rejects.toMatchObject({
      code: 'PLUMEGO_ERR_DATA_STATEMENT_TIMEOUT',
      sqlState: '57014',
    });
    expect(await pooled.queryOne('SELECT 1 AS one')).toEqual({ one: 1 });

    const perCall = open({ maxConnections: 1 });
    await expect(perCall.query('SELECT pg_sleep(5)', [], { timeoutMs: 150 })).rejects.toMatchObject({
      code: 'PLUMEGO_ERR_DATA_STATEMENT_TIMEOUT',
    });
    // The one connection went back to the pool after the cancel landed; the next statement is not cancelled.
    expect(await perCall.queryOne('SELECT 2 AS two', [], { timeoutMs: 5000 })).toEqual({ two: 2 });
    await expect(
      perCall.transaction((tx) => tx.query('SELECT pg_sleep(5)'), { statementTimeoutMs: 100 }),
    ).rejects.toMatchObject({ code: 'PLUMEGO_ERR_DATA_STATEMENT_TIMEOUT' });
    expect(perCall.getPoolStats()).toMatchObject({ total: 1, waiting: 0 });
  });

  it('cancels on AbortSignal: before start, mid-statement, mid-transaction and while waiting for a connection', async () => {
    const db = open({ maxConnections: 1 });
    await expect(db.query('SELECT 1', [], { signal: AbortSignal.abort() })).rejects.toMatchObject({
      code: 'PLUMEGO_ERR_DATA_ABORTED',
    });
    const controller = new AbortController();
    const sleeping = db.query('SELECT pg_sleep(5)', [], { signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    await expect(sleeping).rejects.toMatchObject({ code: 'PLUMEGO_ERR_DATA_ABORTED', sqlState: '57014' });

    const inTx = new AbortController();
    await db.exec('INSERT INTO counters VALUES (20, 0)');
    const tx = db.transaction(
      async (t) => {
        await t.exec('UPDATE counters SET n = 5 WHERE id = 20');
        setTimeout(() => inTx.abort(), 50);
        await t.query('SELECT pg_sleep(5)');
      },
      { signal: inTx.signal },
    );
    await expect(tx).rejects.toMatchObject({ code: 'PLUMEGO_ERR_DATA_ABORTED' });
    expect(await db.queryOne('SELECT n FROM counters WHERE id = 20')).toEqual({ n: 0 });

    let release: () => void = () => {};
    const holding = db.transaction(
      () =>
        new Promise<void>((resolve) => {
          release = resolve;
        }),
    );
    const waiting = new AbortController();
    const queued = db.query('SELECT 1', [], { signal: waiting.signal });
    setTimeout(() => waiting.abort(), 30);
    await expect(queued).rejects.toMatchObject({ code: 'PLUMEGO_ERR_DATA_ABORTED' });
    release();
    await holding;
    expect(await db.queryOne('SELECT 3 AS three')).toEqual({ three: 3 });
  });

  it('reports an exhausted pool as POOL_EXHAUSTED, not a hang', async () => {
    const db = open({ maxConnections: 1, connectionTimeoutMs: 150 });
    let release: () => void = () => {};
    const holding = db.transaction(
      () =>
        new Promise<void>((resolve) => {
          release = resolve;
        }),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    await expect(db.query('SELECT 1')).rejects.toMatchObject({ code: 'PLUMEGO_ERR_DATA_POOL_EXHAUSTED' });
    await expect(db.transaction(async () => 1)).rejects.toMatchObject({ code: 'PLUMEGO_ERR_DATA_POOL_EXHAUSTED' });
    release();
    await holding;
    expect(await db.queryOne('SELECT 1 AS one')).toEqual({ one: 1 });
  });

  it('turns a connection killed mid-transaction into CONNECTION_LOST, rolls it back, and recovers', async () => {
    const db = open({ maxConnections: 2 });
    await db.exec('INSERT INTO counters VALUES (30, 0)');
    const failure = await db
      .transaction(async (tx) => {
        await tx.exec('UPDATE counters SET n = 99 WHERE id = 30');
        const { pid } = (await tx.queryOne<{ pid: number }>('SELECT pg_backend_pid() AS pid')) as { pid: number };
        await admin.query('SELECT pg_terminate_backend($1)', [pid]);
        await tx.exec('UPDATE counters SET n = 100 WHERE id = 30');
      })
      .catch((err: unknown) => err);
    expect(failure).toMatchObject({ code: 'PLUMEGO_ERR_DATA_CONNECTION_LOST' });
    expect(await db.queryOne('SELECT n FROM counters WHERE id = 30')).toEqual({ n: 0 });

    // An idle pooled connection killed by the server is dropped by the pool and reported, sanitised.
    const reported: Error[] = [];
    const idle = open({ maxConnections: 1, onConnectionError: (e) => reported.push(e) });
    const { pid } = (await idle.queryOne<{ pid: number }>('SELECT pg_backend_pid() AS pid')) as { pid: number };
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    await expect.poll(() => reported.length).toBe(1);
    expect(isDataError(reported[0], 'PLUMEGO_ERR_DATA_CONNECTION_LOST')).toBe(true);
    expect(await idle.queryOne('SELECT 4 AS four')).toEqual({ four: 4 });
  });

  it('reports every statement to onQuery and slow ones to onSlowQuery, without parameters', async () => {
    const events: QueryEvent[] = [];
    const slow: QueryEvent[] = [];
    const db = open({ onQuery: (e) => events.push(e), onSlowQuery: (e) => slow.push(e), slowQueryMs: 100 });
    await db.query('SELECT $1::text AS v', ['secret-param-value'], { name: 'echo' });
    await db.query('SELECT pg_sleep(0.15)');
    await expect(db.query('SELECT * FROM no_such_table')).rejects.toMatchObject({
      code: 'PLUMEGO_ERR_DATA_QUERY',
      sqlState: '42P01',
    });
    await db.transaction((tx) => tx.exec('SELECT 1'));
    expect(events.map((e) => [e.name, e.ok, e.errorCode ?? null, e.inTransaction])).toEqual([
      ['echo', true, null, false],
      [undefined, true, null, false],
      [undefined, false, 'PLUMEGO_ERR_DATA_QUERY', false],
      [undefined, true, null, true],
      [undefined, true, null, true],
      [undefined, true, null, true],
    ]);
    expect(events.map((e) => e.sql).slice(3)).toEqual(['BEGIN', 'SELECT 1', 'COMMIT']);
    expect(slow.map((e) => e.sql)).toEqual(['SELECT pg_sleep(0.15)']);
    expect(JSON.stringify(events)).not.toContain('secret-param-value');
    // A throwing observer does not fail the query.
    const noisy = open({
      onQuery: () => {
        throw new Error('observer bug');
      },
    });
    expect(await noisy.queryOne('SELECT 5 AS five')).toEqual({ five: 5 });
  });

  it('refuses bad options when built and every call once closed', async () => {
    const bad = [
      { connectionString: 'mysql://x' },
      { connectionString: url as string, maxConnections: 0 },
      { connectionString: url as string, statementTimeoutMs: -1 },
      { connectionString: url as string, searchPath: 'x; DROP TABLE y' },
      { connectionString: url as string, transactionRetries: 1.5 },
    ];
    for (const options of bad)
      expect(() => new SqlClient(options)).toThrow(
        expect.objectContaining({ code: 'PLUMEGO_ERR_DATA_INVALID_OPTIONS' }),
      );
    const db = open();
    await db.close();
    await expect(db.query('SELECT 1')).rejects.toMatchObject({ code: 'PLUMEGO_ERR_DATA_CLOSED' });
    await expect(db.transaction(async () => 1)).rejects.toMatchObject({ code: 'PLUMEGO_ERR_DATA_CLOSED' });
  });
});
