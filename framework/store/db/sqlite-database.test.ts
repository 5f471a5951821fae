import { describe, it, expect, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteDatabase } from './sqlite-database.ts';

const dir = mkdtempSync(join(tmpdir(), 'plumego-db-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

async function fresh() {
  const db = new SqliteDatabase({ path: join(dir, `db-${n++}.sqlite`) });
  await db.exec('CREATE TABLE accounts (id INTEGER PRIMARY KEY, owner TEXT NOT NULL UNIQUE, balance INTEGER NOT NULL CHECK (balance >= 0))');
  await db.exec('INSERT INTO accounts (owner, balance) VALUES (?, ?), (?, ?)', ['alice', 100, 'bob', 0]);
  return db;
}

describe('SqliteDatabase', () => {
  it('queries with positional and named parameters', async () => {
    const db = await fresh();
    expect(await db.query<{ owner: string }>('SELECT owner FROM accounts ORDER BY owner')).toEqual([{ owner: 'alice' }, { owner: 'bob' }]);
    expect(await db.queryOne('SELECT balance FROM accounts WHERE owner = @owner', { owner: 'alice' })).toEqual({ balance: 100 });
    expect(await db.queryOne('SELECT 1 FROM accounts WHERE owner = ?', ['nobody'])).toBeUndefined();
    await expect(db.queryOneStrict('SELECT 1 FROM accounts WHERE owner = ?', ['nobody'])).rejects.toMatchObject({ code: 'PLUMEGO_ERR_DB_NO_ROWS' });
    expect(await db.exec('UPDATE accounts SET balance = balance + 1')).toMatchObject({ changes: 2 });
    await db.close();
  });

  it('commits a transaction and rolls one back when it throws', async () => {
    const db = await fresh();
    await db.transaction(async (tx) => {
      await tx.exec('UPDATE accounts SET balance = balance - 40 WHERE owner = ?', ['alice']);
      await tx.exec('UPDATE accounts SET balance = balance + 40 WHERE owner = ?', ['bob']);
    });
    await expect(db.transaction(async (tx) => {
      await tx.exec('UPDATE accounts SET balance = balance + 1000 WHERE owner = ?', ['bob']);
      await tx.exec('UPDATE accounts SET balance = balance - 1000 WHERE owner = ?', ['alice']);
    })).rejects.toMatchObject({ code: 'PLUMEGO_ERR_DB_QUERY' });
    expect(await db.query('SELECT owner, balance FROM accounts ORDER BY owner')).toEqual([
      { owner: 'alice', balance: 60 },
      { owner: 'bob', balance: 40 },
    ]);
    await db.close();
  });

  it('keeps statements outside a transaction from joining it across an await', async () => {
    const db = await fresh();
    let release: () => void = () => {};
    const tx = db.transaction(async (t) => {
      await t.exec('UPDATE accounts SET balance = 1 WHERE owner = ?', ['alice']);
      await new Promise<void>((resolve) => { release = resolve; });
      throw new Error('abort');
    });
    await new Promise((resolve) => setImmediate(resolve));
    const outside = db.exec('UPDATE accounts SET balance = 7 WHERE owner = ?', ['bob']);
    release();
    await expect(tx).rejects.toThrow('abort');
    await outside;
    expect(await db.query('SELECT balance FROM accounts ORDER BY owner')).toEqual([{ balance: 100 }, { balance: 7 }]);
    await db.close();
  });

  it('refuses nested transactions and calls after close; wraps driver errors without parameters', async () => {
    const db = await fresh();
    await expect(db.transaction(async () => db.transaction(async () => 1))).rejects.toMatchObject({ code: 'PLUMEGO_ERR_DB_NESTED_TRANSACTION' });
    const err = await db.exec('INSERT INTO accounts (owner, balance) VALUES (?, ?)', ['alice', 5]).catch((e: Error) => e);
    expect(err).toMatchObject({ code: 'PLUMEGO_ERR_DB_QUERY' });
    expect((err as Error).message).not.toContain('alice');
    await db.close();
    await expect(db.query('SELECT 1')).rejects.toMatchObject({ code: 'PLUMEGO_ERR_DB_CLOSED' });
  });
});
