import assert from 'node:assert/strict';
import type { Database } from '../db/db.ts';
import { captureRejection, codeOf, type ConformanceHarness } from './harness.ts';

/** One `Database` implementation under test. */
export interface DatabaseConformanceTarget {
  /** Shown in the suite title. */
  name: string;
  /** A database with no tables of its own (a new file, schema or database per call). */
  open(): Promise<Database> | Database;
}

// Portable SQL: the same statements run on SQLite and PostgreSQL.
const SCHEMA =
  'CREATE TABLE accounts (id INTEGER PRIMARY KEY, owner TEXT NOT NULL UNIQUE, balance INTEGER NOT NULL CHECK (balance >= 0))';

async function seeded(target: DatabaseConformanceTarget): Promise<Database> {
  const db = await target.open();
  await db.exec(SCHEMA);
  await db.exec('INSERT INTO accounts (id, owner, balance) VALUES (?, ?, ?), (?, ?, ?)', [
    1,
    'alice',
    100,
    2,
    'bob',
    0,
  ]);
  return db;
}

async function balances(db: Database): Promise<unknown> {
  return db.query('SELECT owner, balance FROM accounts ORDER BY owner');
}

/**
 * The behaviour every `Database` shares: positional (`?`) and named (`@name`) parameters, strict
 * single-row reads, commit on resolve and rollback on throw, no statement joining an open
 * transaction, nesting refused, typed driver errors that never carry parameters, and a closed state.
 */
export function describeDatabaseConformance(t: ConformanceHarness, target: DatabaseConformanceTarget): void {
  const { describe, it } = t;
  describe(`${target.name} database conformance`, () => {
    it('queries with positional and named parameters', async () => {
      const db = await seeded(target);
      try {
        assert.deepEqual(await db.query('SELECT owner FROM accounts ORDER BY owner'), [
          { owner: 'alice' },
          { owner: 'bob' },
        ]);
        assert.deepEqual(await db.queryOne('SELECT balance FROM accounts WHERE owner = @owner', { owner: 'alice' }), {
          balance: 100,
        });
        assert.deepEqual(
          await db.query('SELECT owner FROM accounts WHERE balance >= @min AND owner <> @owner', {
            min: 0,
            owner: 'bob',
          }),
          [{ owner: 'alice' }],
        );
        assert.equal(await db.queryOne('SELECT id FROM accounts WHERE owner = ?', ['nobody']), undefined);
        assert.deepEqual(await db.query("SELECT owner FROM accounts WHERE owner = 'it''s ?' OR owner = ?", ['bob']), [
          { owner: 'bob' },
        ]);
        assert.deepEqual(await db.queryOne('SELECT COUNT(*) AS n, SUM(balance) AS total FROM accounts'), {
          n: 2,
          total: 100,
        });
        assert.equal((await db.exec('UPDATE accounts SET balance = balance + 1')).changes, 2);
        assert.equal((await db.exec('DELETE FROM accounts WHERE owner = ?', ['nobody'])).changes, 0);
      } finally {
        await db.close();
      }
    });

    it('reads one row strictly and reports a missing one as DB_NO_ROWS', async () => {
      const db = await seeded(target);
      try {
        assert.deepEqual(await db.queryOneStrict('SELECT owner FROM accounts WHERE id = ?', [2]), { owner: 'bob' });
        assert.equal(
          codeOf(await captureRejection(db.queryOneStrict('SELECT id FROM accounts WHERE owner = ?', ['nobody']))),
          'PLUMEGO_ERR_DB_NO_ROWS',
        );
      } finally {
        await db.close();
      }
    });

    it('commits a transaction and rolls one back when it throws', async () => {
      const db = await seeded(target);
      try {
        const result = await db.transaction(async (tx) => {
          await tx.exec('UPDATE accounts SET balance = balance - 40 WHERE owner = ?', ['alice']);
          await tx.exec('UPDATE accounts SET balance = balance + 40 WHERE owner = ?', ['bob']);
          return tx.queryOne('SELECT balance FROM accounts WHERE owner = ?', ['bob']);
        });
        assert.deepEqual(result, { balance: 40 });
        const failed = await captureRejection(
          db.transaction(async (tx) => {
            await tx.exec('UPDATE accounts SET balance = balance + 1000 WHERE owner = ?', ['bob']);
            await tx.exec('UPDATE accounts SET balance = balance - 1000 WHERE owner = ?', ['alice']);
          }),
        );
        assert.equal(codeOf(failed), 'PLUMEGO_ERR_DB_QUERY');
        const thrown = new Error('app decided to abort');
        assert.equal(
          await captureRejection(
            db.transaction(async (tx) => {
              await tx.exec('UPDATE accounts SET balance = 0');
              throw thrown;
            }),
          ),
          thrown,
        );
        assert.deepEqual(await balances(db), [
          { owner: 'alice', balance: 60 },
          { owner: 'bob', balance: 40 },
        ]);
      } finally {
        await db.close();
      }
    });

    it('keeps statements outside a transaction from joining it across an await', async () => {
      const db = await seeded(target);
      try {
        let release: () => void = () => {};
        let entered: () => void = () => {};
        const inside = new Promise<void>((resolve) => {
          entered = resolve;
        });
        const tx = db.transaction(async (t) => {
          await t.exec('UPDATE accounts SET balance = 1 WHERE owner = ?', ['alice']);
          entered();
          await new Promise<void>((resolve) => {
            release = resolve;
          });
          throw new Error('abort');
        });
        await inside;
        const outside = db.exec('UPDATE accounts SET balance = 7 WHERE owner = ?', ['bob']);
        release();
        await captureRejection(tx);
        await outside;
        assert.deepEqual(await balances(db), [
          { owner: 'alice', balance: 100 },
          { owner: 'bob', balance: 7 },
        ]);
      } finally {
        await db.close();
      }
    });

    it('refuses nested transactions and wraps driver errors without their parameters', async () => {
      const db = await seeded(target);
      try {
        const nested = await captureRejection(db.transaction(async () => db.transaction(async () => 1)));
        assert.equal(codeOf(nested), 'PLUMEGO_ERR_DB_NESTED_TRANSACTION');
        const duplicate = await captureRejection(
          db
            .exec('INSERT INTO accounts (id, owner, balance) VALUES (?, ?, ?)', [3, 'alice-secret-value', 5])
            .then(() =>
              db.exec('INSERT INTO accounts (id, owner, balance) VALUES (?, ?, ?)', [4, 'alice-secret-value', 5]),
            ),
        );
        assert.equal(codeOf(duplicate), 'PLUMEGO_ERR_DB_QUERY');
        assert.doesNotMatch((duplicate as Error).message, /alice-secret-value/);
        const syntax = await captureRejection(db.query('SELEKT nothing FROM accounts'));
        assert.equal(codeOf(syntax), 'PLUMEGO_ERR_DB_QUERY');
        assert.deepEqual(
          await db
            .queryOne('SELECT COUNT(*) AS n FROM accounts WHERE owner = ?', ['alice-secret-value'])
            .then((r) => Number((r as { n: unknown }).n)),
          1,
        );
      } finally {
        await db.close();
      }
    });

    it('fails every call after close with DB_CLOSED and closes twice without error', async () => {
      const db = await seeded(target);
      await db.close();
      await db.close();
      assert.equal(codeOf(await captureRejection(db.query('SELECT 1 AS one'))), 'PLUMEGO_ERR_DB_CLOSED');
      assert.equal(codeOf(await captureRejection(db.exec('DELETE FROM accounts'))), 'PLUMEGO_ERR_DB_CLOSED');
      assert.equal(codeOf(await captureRejection(db.transaction(async () => 1))), 'PLUMEGO_ERR_DB_CLOSED');
    });
  });
}
