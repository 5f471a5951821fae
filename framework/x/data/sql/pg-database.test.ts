import { describe, it, expect, afterAll, inject } from 'vitest';
import { randomBytes } from 'node:crypto';
import { describeDatabaseConformance } from 'plumego/store';
import { PgDatabase } from './pg-database.ts';
import { SqlClient } from './sql-client.ts';

const url = inject('services').postgres;
const prefix = `plumego_pgdb_${randomBytes(4).toString('hex')}`;
const schemas: string[] = [];
let admin: SqlClient | undefined;

async function freshSchema(): Promise<string> {
  admin ??= new SqlClient({ connectionString: url as string });
  const schema = `${prefix}_${schemas.length}`;
  schemas.push(schema);
  await admin.exec(`CREATE SCHEMA ${schema}`);
  return schema;
}

afterAll(async () => {
  if (admin === undefined) return;
  for (const schema of schemas) await admin.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.close();
});

// The same suite SqliteDatabase runs in store; each case gets its own schema.
if (url) {
  describeDatabaseConformance(
    { describe, it },
    {
      name: 'PgDatabase',
      open: async () => new PgDatabase({ connectionString: url, searchPath: await freshSchema(), maxConnections: 4 }),
    },
  );
} else {
  describe.skip('PgDatabase database conformance (skipped: no PostgreSQL from inject(services))', () => {
    it('needs PostgreSQL', () => {});
  });
}

describe.skipIf(!url)('PgDatabase beyond the contract', () => {
  it('keeps the precise data code as the reason of a store error', async () => {
    const db = new PgDatabase({
      connectionString: url as string,
      searchPath: await freshSchema(),
      statementTimeoutMs: 100,
    });
    try {
      await expect(db.query('SELECT pg_sleep(3)')).rejects.toMatchObject({
        code: 'PLUMEGO_ERR_DB_QUERY',
        reason: 'PLUMEGO_ERR_DATA_STATEMENT_TIMEOUT',
      });
      await expect(db.query('SELECT ?', [])).rejects.toMatchObject({
        code: 'PLUMEGO_ERR_DB_QUERY',
        reason: 'PLUMEGO_ERR_DATA_QUERY',
      });
    } finally {
      await db.close();
    }
  });

  it('reads int8 as numbers, and as bigints past the safe range', async () => {
    const db = new PgDatabase({ connectionString: url as string, searchPath: await freshSchema() });
    try {
      expect(
        await db.queryOne('SELECT 9007199254740991::int8 AS safe, 9007199254740993::int8 AS big, 1.5::numeric AS dec'),
      ).toEqual({ safe: 9007199254740991, big: 9007199254740993n, dec: '1.5' });
    } finally {
      await db.close();
    }
    const raw = new SqlClient({ connectionString: url as string });
    expect(await raw.queryOne('SELECT 7::int8 AS n')).toEqual({ n: '7' });
    await raw.close();
  });

  it('shares a caller-owned SqlClient and leaves it open on close', async () => {
    const client = new SqlClient({ connectionString: url as string, searchPath: await freshSchema() });
    const db = new PgDatabase({ client });
    expect(db.client).toBe(client);
    await db.exec('CREATE TABLE t (id int PRIMARY KEY)');
    const inserted = await db.query<{ id: number }>('INSERT INTO t (id) VALUES (?) RETURNING id', [7]);
    expect(inserted).toEqual([{ id: 7 }]);
    await db.close();
    expect(await client.queryOne('SELECT count(*)::int AS n FROM t')).toEqual({ n: 1 });
    await client.close();
  });
});
