import pg from 'pg';

export const BENCH_PG_URL = process.env['PLUMEGO_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
export const BENCH_SCHEMA = 'bench_rest';

/** 2000 projects, half per tenant (t1, t2), indexed on (tenant_id, id); the servers read 20 of t1's. */
export async function seed(url = BENCH_PG_URL, schema = BENCH_SCHEMA): Promise<void> {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  await pool.query(`drop schema if exists ${schema} cascade`);
  await pool.query(`create schema ${schema}`);
  await pool.query(
    `create table ${schema}.projects (id serial primary key, tenant_id text not null, name text not null, description text, status text not null, version int not null)`,
  );
  await pool.query(`create index on ${schema}.projects (tenant_id, id)`);
  await pool.query(`insert into ${schema}.projects (tenant_id, name, description, status, version)
    select case when i % 2 = 0 then 't1' else 't2' end, 'project ' || i, 'a description of project ' || i, 'active', 1 from generate_series(1, 2000) i`);
  await pool.query(`analyze ${schema}.projects`);
  await pool.end();
}
