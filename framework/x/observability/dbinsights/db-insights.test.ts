import { randomBytes } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { SqlClient } from 'plumego/x/data/sql';
import { PrometheusCollector } from 'plumego/x/observability';
import { DbInsights } from './db-insights.ts';
import { isDbInsightsError } from './errors.ts';
import { fingerprintSql } from './fingerprint.ts';

const services = inject('services');

describe('fingerprintSql', () => {
  it.each([
    [
      "SELECT * FROM users WHERE email = 'ann@example.com' AND age > 42",
      'SELECT * FROM users WHERE email = ? AND age > ?',
    ],
    ['select  *\n from t where id = $1 -- by id', 'select * from t where id = ?'],
    ['SELECT /* hint */ a FROM t WHERE id IN (1, 2, 3)', 'SELECT a FROM t WHERE id IN (?)'],
    ["INSERT INTO t (a, b) VALUES ('it''s', -1.5e3), (true, null)", 'INSERT INTO t (a, b) VALUES (?), (?)'],
    ['SELECT t1.col2 FROM table1 t1', 'SELECT t1.col2 FROM table1 t1'],
    ['SELECT $$secret body$$', 'SELECT ?'],
  ])('%s → %s', (sql, expected) => {
    expect(fingerprintSql(sql)).toBe(expected);
  });

  it('truncates very long statements', () => {
    expect(fingerprintSql(`SELECT ${'a,'.repeat(2000)}b`).length).toBeLessThanOrEqual(1001);
  });
});

describe('DbInsights', () => {
  const q = (
    sql: string,
    durationMs: number,
    extra: Partial<{ ok: boolean; errorCode: string; rowCount: number; name: string }> = {},
  ) => ({
    sql,
    durationMs,
    rowCount: extra.rowCount ?? 1,
    ok: extra.ok ?? true,
    errorCode: extra.errorCode,
    name: extra.name,
  });

  it('aggregates per fingerprint and ranks by total time, count, max or errors', () => {
    const d = new DbInsights({ slowQueryMs: 100 });
    d.onQuery(q('SELECT * FROM users WHERE id = 1', 5, { name: 'user.byId' }));
    d.onQuery(q('SELECT * FROM users WHERE id = 2', 15));
    d.onQuery(q('UPDATE orders SET paid = true WHERE id = $1', 120, { rowCount: 1 }));
    d.onQuery(
      q('UPDATE orders SET paid = true WHERE id = $1', 2, { ok: false, errorCode: 'DATA_CONFLICT', rowCount: 0 }),
    );
    const byTotal = d.getReport().statements;
    expect(byTotal.map((s) => s.fingerprint)).toEqual([
      'UPDATE orders SET paid = ? WHERE id = ?',
      'SELECT * FROM users WHERE id = ?',
    ]);
    expect(byTotal[1]).toMatchObject({
      name: 'user.byId',
      count: 2,
      totalMs: 20,
      meanMs: 10,
      maxMs: 15,
      rows: 2,
      errors: 0,
    });
    expect(byTotal[0]).toMatchObject({ count: 2, errors: 1, errorCodes: { DATA_CONFLICT: 1 } });
    expect(d.getReport({ sortBy: 'errors', top: 1 }).statements[0]!.fingerprint).toContain('UPDATE');
    expect(d.getReport().slowQueries).toMatchObject([
      { fingerprint: 'UPDATE orders SET paid = ? WHERE id = ?', durationMs: 120, ok: true },
    ]);
  });

  it('never keeps literal values in reports', () => {
    const d = new DbInsights({ slowQueryMs: 0 });
    d.onQuery(q("SELECT * FROM users WHERE ssn = '123-45-6789'", 1));
    expect(JSON.stringify(d.getReport())).not.toContain('6789');
  });

  it('bounds tracked statements and the slow log', () => {
    const d = new DbInsights({ maxStatements: 3, slowQueryMs: 0, slowLogSize: 2 });
    for (let i = 0; i < 10; i++) d.onQuery(q(`SELECT c${i} FROM t`, 1));
    const r = d.getReport({ top: 100 });
    expect(r.statements).toHaveLength(3);
    expect(r.untracked).toBe(7);
    expect(r.slowQueries).toHaveLength(2);
    d.reset();
    expect(d.getReport().statements).toHaveLength(0);
  });

  it('ignores malformed events and never throws into the caller', () => {
    const d = new DbInsights();
    expect(() => d.onQuery(undefined as never)).not.toThrow();
    expect(() => d.onQuery({ sql: 'x', durationMs: Number.NaN } as never)).not.toThrow();
    expect(d.getReport().statements).toHaveLength(0);
  });

  it('feeds a metrics recorder with bounded labels (the caller name, never the SQL)', async () => {
    const metrics = new PrometheusCollector({ runtimeMetrics: false });
    const d = new DbInsights({ recorder: metrics });
    d.onQuery(q("SELECT * FROM t WHERE a = 'x'", 20, { name: 'things.list' }));
    d.onQuery(q('SELECT 1', 1, { ok: false, errorCode: 'DATA_ABORTED' }));
    const text = await metrics.readMetrics();
    expect(text).toContain('plumego_db_query_count{statement="things.list",ok="true"} 1');
    expect(text).toContain('plumego_db_query_count{statement="unnamed",ok="false"} 1');
    expect(text).not.toContain('SELECT');
  });

  it('refuses options that can never work', () => {
    for (const bad of [{ maxStatements: 0 }, { slowQueryMs: -1 }, { slowLogSize: 1.5 }]) {
      try {
        new DbInsights(bad);
        expect.unreachable();
      } catch (err) {
        expect(isDbInsightsError(err)).toBe(true);
      }
    }
  });

  describe.skipIf(!services.postgres)('over x/data/sql on PostgreSQL', () => {
    it('sees every statement of a real SqlClient through onQuery, failures included', async () => {
      const d = new DbInsights({ slowQueryMs: 0 });
      const schema = `dbinsights_${randomBytes(4).toString('hex')}`;
      const db = new SqlClient({ connectionString: services.postgres!, onQuery: d.onQuery });
      try {
        await db.query(`CREATE SCHEMA ${schema}`);
        await db.query(`CREATE TABLE ${schema}.items (id int primary key, label text)`);
        for (let i = 1; i <= 3; i++)
          await db.query(`INSERT INTO ${schema}.items VALUES ($1, $2)`, [i, `secret-${i}`], { name: 'items.insert' });
        await db
          .query(`INSERT INTO ${schema}.items VALUES ($1, $2)`, [1, 'dup'], { name: 'items.insert' })
          .catch(() => undefined);
        await db.query(`SELECT * FROM ${schema}.items WHERE id = 2`);
        const insert = d.getReport({ top: 50 }).statements.find((s) => s.name === 'items.insert')!;
        expect(insert).toMatchObject({ count: 4, errors: 1, rows: 3 });
        expect(Object.keys(insert.errorCodes)).toHaveLength(1);
        expect(JSON.stringify(d.getReport({ top: 50 }))).not.toContain('secret-');
      } finally {
        await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await db.close();
      }
    });
  });
});
