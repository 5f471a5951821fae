import { describe, it, expect, beforeAll, afterAll, inject } from 'vitest';
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { createServer, type AddressInfo } from 'node:net';
import { SqlClient } from './sql-client.ts';
import { PgDatabase } from './pg-database.ts';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.test-support.ts';
import type { QueryEvent } from './options.ts';

const url = inject('services').postgres;
const schema = `plumego_faults_${randomBytes(4).toString('hex')}`;
const PASSWORD = 'hunter2-Secret-Pw';

/** Everything an error could leak through: message, stack, cause chain and own properties. */
function render(value: unknown): string {
  return inspect(value, { depth: 8, showHidden: true }) + JSON.stringify(value ?? null);
}

/** The service URL pointed at another port, with a user and password added. */
function withCredentials(port: number): string {
  const u = new URL(url as string);
  u.username = 'plumego_app';
  u.password = PASSWORD;
  u.host = `127.0.0.1:${port}`;
  return u.toString();
}

describe.skipIf(!url)('SqlClient faults through a test-owned TCP proxy', () => {
  let admin: SqlClient;
  let proxy: TcpProxy;
  const clients: SqlClient[] = [];
  const viaProxy = (options: Partial<ConstructorParameters<typeof SqlClient>[0]> = {}): SqlClient => {
    const u = new URL(url as string);
    u.host = `127.0.0.1:${proxy.port}`;
    const client = new SqlClient({ connectionString: u.toString(), searchPath: schema, maxConnections: 2, ...options });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    admin = new SqlClient({ connectionString: url as string });
    await admin.exec(`CREATE SCHEMA ${schema}`);
    await admin.exec(`CREATE TABLE ${schema}.ledger (id int PRIMARY KEY, amount int NOT NULL)`);
    const target = new URL(url as string);
    proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await proxy.close();
    await admin.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.close();
  });

  it('a connection cut mid-statement is CONNECTION_LOST, and the pool reconnects', async () => {
    const db = viaProxy();
    const sleeping = db.query('SELECT pg_sleep(5)');
    await expect.poll(() => proxy.openCount()).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    proxy.cutAll();
    await expect(sleeping).rejects.toMatchObject({ code: 'PLUMEGO_ERR_DATA_CONNECTION_LOST' });
    expect(await db.queryOne('SELECT 1 AS one')).toEqual({ one: 1 });
  });

  it('a connection cut mid-transaction rolls back on the server', async () => {
    const db = viaProxy();
    const failed = db.transaction(async (tx) => {
      await tx.exec('INSERT INTO ledger VALUES (1, 100)');
      proxy.cutAll();
      await tx.exec('INSERT INTO ledger VALUES (2, 200)');
    });
    await expect(failed).rejects.toMatchObject({ code: 'PLUMEGO_ERR_DATA_CONNECTION_LOST' });
    await expect
      .poll(
        async () =>
          (
            await admin.query(
              `SELECT 1 FROM pg_stat_activity WHERE query LIKE 'INSERT INTO ledger%' AND state LIKE 'idle in transaction%'`,
            )
          ).length,
      )
      .toBe(0);
    expect(await admin.query(`SELECT id FROM ${schema}.ledger`)).toEqual([]);
  });

  it('a connection lost before COMMIT completes is COMMIT_UNKNOWN and is not retried', async () => {
    const db = viaProxy();
    let attempts = 0;
    const failed = db.transaction(
      async (tx) => {
        attempts++;
        await tx.exec('INSERT INTO ledger VALUES (3, 300)');
        proxy.cutAll();
      },
      { retries: 5 },
    );
    await expect(failed).rejects.toMatchObject({ code: 'PLUMEGO_ERR_DATA_COMMIT_UNKNOWN' });
    expect(attempts).toBe(1);
  });

  it('a stalled network cannot hold a timed call: the connection is dropped after the cancel grace', async () => {
    const db = viaProxy({ maxConnections: 1 });
    expect(await db.queryOne('SELECT 1 AS one')).toEqual({ one: 1 });
    proxy.pauseAll();
    await expect(db.query('SELECT 2', [], { timeoutMs: 100 })).rejects.toMatchObject({
      code: 'PLUMEGO_ERR_DATA_STATEMENT_TIMEOUT',
      reason: 'connection_dropped',
    });
    proxy.cutAll();
    expect(await db.queryOne('SELECT 3 AS three')).toEqual({ three: 3 });
  });

  it('never puts the password or connection string in errors, causes or hook events', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const events: QueryEvent[] = [];
    const reported: Error[] = [];
    const unreachable = new SqlClient({
      connectionString: withCredentials(deadPort),
      connectionTimeoutMs: 500,
      onQuery: (e) => events.push(e),
      onConnectionError: (e) => reported.push(e),
    });
    clients.push(unreachable);
    const errors: unknown[] = [];
    errors.push(await unreachable.query('SELECT 1').catch((e: unknown) => e));
    errors.push(await unreachable.transaction(async () => 1).catch((e: unknown) => e));
    errors.push(await unreachable.query('SELECT 1', [], { timeoutMs: 1000 }).catch((e: unknown) => e));
    const contract = new PgDatabase({ connectionString: withCredentials(deadPort), connectionTimeoutMs: 500 });
    errors.push(await contract.query('SELECT 1').catch((e: unknown) => e));
    await contract.close();
    expect(errors.map((e) => (e as { code?: string }).code)).toEqual([
      'PLUMEGO_ERR_DATA_CONNECTION_LOST',
      'PLUMEGO_ERR_DATA_CONNECTION_LOST',
      'PLUMEGO_ERR_DATA_CONNECTION_LOST',
      'PLUMEGO_ERR_DB_QUERY',
    ]);
    let wrong: unknown;
    try {
      new SqlClient({ connectionString: `postgres://nobody:${PASSWORD}@127.0.0.1:1/none`, maxConnections: 0 });
    } catch (err) {
      wrong = err;
    }
    expect(wrong).toMatchObject({ code: 'PLUMEGO_ERR_DATA_INVALID_OPTIONS', reason: 'field:maxConnections' });
    expect(render(wrong)).not.toContain(PASSWORD);
    for (const text of [render(errors), render(events), render(reported)]) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain('plumego_app');
      expect(text).not.toContain(String(deadPort));
    }
  });
});
