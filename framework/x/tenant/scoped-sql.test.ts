import { randomUUID } from 'node:crypto';
import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresDialect,
  PostgresIntrospector,
  PostgresQueryCompiler,
  sql,
  type Generated,
} from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { isTenantError } from './errors.ts';
import { tenantScopedDb, TenantScopePlugin, type TenantSqlOptions } from './scoped-sql.ts';

interface DB {
  // Generated: the plugin fills the tenant column on insert, so callers may omit it.
  projects: { id: Generated<number>; tenant_id: Generated<string>; name: string; owner: string | null };

  tasks: { id: Generated<number>; org: Generated<string>; project_id: number; title: string };
  plans: { id: string; label: string };
  audit: { id: Generated<number>; note: string };
}

const options: TenantSqlOptions = { tables: { projects: true, tasks: { column: 'org' } }, shared: ['plans'] };

const offline = new Kysely<DB>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});
const acme = tenantScopedDb(offline, 'acme', options);

function refusal(build: () => { compile(): unknown }): string {
  try {
    build().compile();
  } catch (err) {
    if (isTenantError(err)) return err.code;
    throw err;
  }
  return 'accepted';
}

describe('tenant-scoped SQL on the query tree', () => {
  it("adds the tenant predicate to reads, parenthesising the caller's own OR", () => {
    const q = acme
      .selectFrom('projects')
      .selectAll()
      .where((eb) => eb.or([eb('name', '=', 'a'), eb('owner', '=', 'b')]))
      .compile();
    expect(q.sql).toBe(
      'select * from "projects" where (("name" = $1 or "owner" = $2)) and "projects"."tenant_id" = $3',
    );
    expect(q.parameters).toEqual(['a', 'b', 'acme']);
  });

  it('scopes aliases, joins (in ON, so a left join stays a left join) and subqueries', () => {
    const q = acme
      .selectFrom('projects as p')
      .leftJoin('tasks as t', 't.project_id', 'p.id')
      .select(['p.name', 't.title'])
      .where('p.id', 'in', (eb) => eb.selectFrom('tasks').select('project_id'))
      .compile();
    expect(q.sql).toContain('left join "tasks" as "t" on ("t"."project_id" = "p"."id") and "t"."org" = $');
    expect(q.sql).toContain('(select "project_id" from "tasks" where "tasks"."org" = $');
    expect(q.sql).toContain('"p"."tenant_id" = $');
    expect(q.parameters.filter((p) => p === 'acme')).toHaveLength(3);
  });

  it('scopes updates and deletes, and sets the tenant on inserts', () => {
    const u = acme.updateTable('projects').set({ name: 'x' }).where('id', '=', 1).compile();
    expect(u.sql).toBe('update "projects" set "name" = $1 where ("id" = $2) and "projects"."tenant_id" = $3');
    const d = acme.deleteFrom('tasks').compile();
    expect(d.sql).toBe('delete from "tasks" where "tasks"."org" = $1');
    const i = acme
      .insertInto('projects')
      .values([
        { name: 'a', owner: null },
        { name: 'b', owner: 'z' },
      ])
      .compile();
    expect(i.sql).toBe('insert into "projects" ("name", "owner", "tenant_id") values ($1, $2, $3), ($4, $5, $6)');
    expect(i.parameters).toEqual(['a', null, 'acme', 'b', 'z', 'acme']);
  });

  it('reads shared tables unscoped and accepts CTEs defined over scoped tables', () => {
    expect(acme.selectFrom('plans').selectAll().compile().sql).toBe('select * from "plans"');
    const q = acme
      .with('mine', (db) => db.selectFrom('projects').select('id'))
      .selectFrom('mine')
      .selectAll()
      .compile();
    expect(q.sql).toBe(
      'with "mine" as (select "id" from "projects" where "projects"."tenant_id" = $1) select * from "mine"',
    );
  });

  it.each([
    ['raw SQL', () => acme.selectFrom('projects').select(sql<number>`count(*)`.as('n'))],
    ['an unknown table', () => acme.selectFrom('audit').selectAll()],
    ['a write to a shared table', () => acme.insertInto('plans').values({ id: 'p', label: 'l' })],
    ['changing the tenant column', () => acme.updateTable('projects').set({ tenant_id: 'beta' })],
    [
      "inserting another tenant's id",
      () => acme.insertInto('projects').values({ tenant_id: 'beta', name: 'x', owner: null }),
    ],
    [
      'INSERT … SELECT',
      () =>
        acme
          .insertInto('projects')
          .columns(['name'])
          .expression((eb) => eb.selectFrom('plans').select('label')),
    ],
    [
      'an upsert that moves the row to another tenant',
      () =>
        acme
          .insertInto('projects')
          .values({ name: 'x', owner: null })
          .onConflict((oc) => oc.column('name').doUpdateSet({ tenant_id: 'beta' })),
    ],
    ['a schema-qualified table', () => acme.selectFrom('other.projects' as 'projects').selectAll()],
  ])('refuses %s with TENANT_SCOPE_REFUSED', (_name, build) => {
    expect(refusal(build)).toBe('TENANT_SCOPE_REFUSED');
  });

  it('accepts the sort directions Kysely spells as raw fragments, but no other raw SQL', () => {
    expect(acme.selectFrom('projects').selectAll().orderBy('name', 'desc').compile().sql).toBe(
      'select * from "projects" where "projects"."tenant_id" = $1 order by "name" desc',
    );
    expect(
      refusal(() =>
        acme
          .selectFrom('projects')
          .selectAll()
          .orderBy(sql`name desc`),
      ),
    ).toBe('TENANT_SCOPE_REFUSED');
    expect(
      refusal(() =>
        acme
          .selectFrom('projects')
          .selectAll()
          .where(sql<boolean>`true`),
      ),
    ).toBe('TENANT_SCOPE_REFUSED');
  });

  it('accepts an insert that names its own tenant explicitly', () => {
    expect(refusal(() => acme.insertInto('projects').values({ tenant_id: 'acme', name: 'x', owner: null }))).toBe(
      'accepted',
    );
  });

  it('gives back one instance per database, options and tenant, each compiling its own tenant in', () => {
    expect(tenantScopedDb(offline, 'acme', options)).toBe(acme);
    const beta = tenantScopedDb(offline, 'beta', options);
    expect(beta).not.toBe(acme);
    expect(tenantScopedDb(offline, 'acme', { ...options })).not.toBe(acme);
    const read = (db: Kysely<DB>) =>
      db.selectFrom('projects').select('name').where('name', '=', 'x').compile().parameters;
    expect(read(acme)).toEqual(['x', 'acme']);
    expect(read(beta)).toEqual(['x', 'beta']);
    expect(() => tenantScopedDb(offline, 'bad tenant', options)).toThrow();
  });

  it('refuses to be built without scoped tables or for an invalid tenant', () => {
    expect(() => new TenantScopePlugin('acme', { tables: {} })).toThrow(/tables/);
    expect(() => new TenantScopePlugin('a/b', options)).toThrow(/tenantId/);
    expect(() => new TenantScopePlugin('acme', { tables: { projects: { column: 'x; drop' } } })).toThrow(
      /tables.projects/,
    );
  });
});

const services = inject('services');

describe.skipIf(!services.postgres)('tenant-scoped SQL on PostgreSQL', () => {
  const schema = `tenant_sql_${randomUUID().replaceAll('-', '')}`;
  let admin: pg.Pool;
  let db: Kysely<DB>;

  beforeAll(async () => {
    admin = new pg.Pool({ connectionString: services.postgres!, max: 1 });
    await admin.query(`create schema ${schema}`);
    await admin.query(
      `create table ${schema}.projects (id serial primary key, tenant_id text not null, name text not null, owner text)`,
    );
    await admin.query(
      `create table ${schema}.tasks (id serial primary key, org text not null, project_id int not null, title text not null)`,
    );
    await admin.query(`create table ${schema}.plans (id text primary key, label text not null)`);
    await admin.query(
      `insert into ${schema}.projects (tenant_id, name) values ('acme', 'a1'), ('acme', 'a2'), ('beta', 'b1')`,
    );
    await admin.query(
      `insert into ${schema}.tasks (org, project_id, title) values ('acme', 1, 'ta'), ('beta', 3, 'tb'), ('beta', 1, 'cross')`,
    );
    db = new Kysely<DB>({
      dialect: new PostgresDialect({
        pool: new pg.Pool({ connectionString: services.postgres!, max: 2, options: `-c search_path=${schema}` }),
      }),
    });
  });

  afterAll(async () => {
    await db?.destroy();
    await admin?.query(`drop schema if exists ${schema} cascade`);
    await admin?.end();
  });

  it('each tenant reads, joins, updates and deletes only its own rows', async () => {
    const a = tenantScopedDb(db, 'acme', options);
    const b = tenantScopedDb(db, 'beta', options);
    expect((await a.selectFrom('projects').select('name').orderBy('name').execute()).map((r) => r.name)).toEqual([
      'a1',
      'a2',
    ]);
    // beta's task that points at acme's project 1 must not bring acme's project into beta's join.
    const joined = await b
      .selectFrom('tasks')
      .leftJoin('projects', 'projects.id', 'tasks.project_id')
      .select(['tasks.title', 'projects.name'])
      .orderBy('tasks.title')
      .execute();
    expect(joined).toEqual([
      { title: 'cross', name: null },
      { title: 'tb', name: 'b1' },
    ]);
    const updated = await b.updateTable('projects').set({ owner: 'mallory' }).where('id', '=', 1).executeTakeFirst();
    expect(updated.numUpdatedRows).toBe(0n);
    const deleted = await b.deleteFrom('projects').where('name', '=', 'a1').executeTakeFirst();
    expect(deleted.numDeletedRows).toBe(0n);
    await b.insertInto('projects').values({ name: 'b2', owner: null }).execute();
    const rows = await admin.query(`select tenant_id, name, owner from ${schema}.projects order by name`);
    expect(rows.rows).toEqual([
      { tenant_id: 'acme', name: 'a1', owner: null },
      { tenant_id: 'acme', name: 'a2', owner: null },
      { tenant_id: 'beta', name: 'b1', owner: null },
      { tenant_id: 'beta', name: 'b2', owner: null },
    ]);
  });

  it('passes SQL metacharacters in values as parameters, never as SQL', async () => {
    const a = tenantScopedDb(db, 'acme', options);
    const evil = "x' or '1'='1";
    expect(await a.selectFrom('projects').selectAll().where('name', '=', evil).execute()).toEqual([]);
    await a.insertInto('projects').values({ name: evil, owner: '"; drop table projects; --' }).execute();
    const back = await a.selectFrom('projects').select(['name', 'owner']).where('name', '=', evil).execute();
    expect(back).toEqual([{ name: evil, owner: '"; drop table projects; --' }]);
  });
});
