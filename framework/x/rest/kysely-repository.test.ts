import { randomUUID } from 'node:crypto';
import { CamelCasePlugin, Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Context } from 'plumego/contract';
import { isRestError } from './errors.ts';
import { KyselyRepository } from './kysely-repository.ts';
import { MemoryRepository } from './memory-repository.ts';
import type { ListQuery, Repository, Row } from './repository.ts';

const rc = { ctx: Context.empty };
const q = (over: Partial<ListQuery> = {}): ListQuery => ({
  filters: [],
  sort: [{ field: 'id', desc: false }],
  limit: 10,
  offset: 0,
  withTotal: true,
  ...over,
});

/** One suite for every Repository: the memory one and the SQL one must answer alike. */
function repositoryConformance(name: string, make: () => Repository<Row>) {
  describe(`${name} repository`, () => {
    it('creates with ids and version 1, reads, lists with a total', async () => {
      const repo = make();
      const a = await repo.create({ name: 'a', priority: 2 }, rc);
      const b = await repo.create({ name: 'b', priority: 1 }, rc);
      expect(a).toMatchObject({ name: 'a', priority: 2, version: 1 });
      expect(Number(b['id'])).toBeGreaterThan(Number(a['id']));
      expect(await repo.get(a['id'] as number, rc)).toMatchObject({ name: 'a' });
      expect(await repo.get(999_999, rc)).toBeUndefined();
      const page = await repo.list(
        q({
          sort: [
            { field: 'priority', desc: false },
            { field: 'id', desc: false },
          ],
        }),
        rc,
      );
      expect(page.items.map((r) => r['name'])).toEqual(['b', 'a']);
      expect(page.total).toBe(2);
    });

    it('filters with every operator, escaping LIKE metacharacters', async () => {
      const repo = make();
      for (const [name, priority] of [
        ['x%y', 1],
        ['xay', 2],
        ['z_1', 3],
        ['zz1', 4],
      ] as const)
        await repo.create({ name, priority }, rc);
      const names = async (filters: ListQuery['filters']) =>
        (await repo.list(q({ filters }), rc)).items.map((r) => r['name']);
      expect(await names([{ field: 'name', op: 'contains', value: '%' }])).toEqual(['x%y']);
      expect(await names([{ field: 'name', op: 'contains', value: '_' }])).toEqual(['z_1']);
      expect(await names([{ field: 'priority', op: 'gt', value: 2 }])).toEqual(['z_1', 'zz1']);
      expect(
        await names([
          { field: 'priority', op: 'lte', value: 2 },
          { field: 'name', op: 'ne', value: 'xay' },
        ]),
      ).toEqual(['x%y']);
      expect(await names([{ field: 'priority', op: 'in', value: [1, 4] }])).toEqual(['x%y', 'zz1']);
    });

    it('pages by keyset in mixed directions without gaps or repeats', async () => {
      const repo = make();
      for (let i = 0; i < 7; i++) await repo.create({ name: `n${i}`, priority: i % 3 }, rc);
      const sort = [
        { field: 'priority', desc: true },
        { field: 'id', desc: false },
      ];
      const seen: unknown[] = [];
      let after: unknown[] = [];
      for (let i = 0; i < 10; i++) {
        const { items } = await repo.list(q({ sort, limit: 3, after, withTotal: false }), rc);
        seen.push(...items.map((r) => r['name']));
        if (items.length < 3) break;
        after = sort.map((s) => items.at(-1)![s.field]);
      }
      expect(seen).toEqual(['n2', 'n5', 'n1', 'n4', 'n0', 'n3', 'n6']);
    });

    it('updates and deletes under optimistic concurrency', async () => {
      const repo = make();
      const row = await repo.create({ name: 'v', priority: 1 }, rc);
      const id = row['id'] as number;
      expect(await repo.update(id, { priority: 2 }, { replace: false, ifVersion: 1 }, rc)).toMatchObject({
        priority: 2,
        version: 2,
      });
      expect(await repo.update(id, { priority: 3 }, { replace: false, ifVersion: 1 }, rc)).toBe('version_mismatch');
      expect(await repo.update(999_999, { priority: 3 }, { replace: false }, rc)).toBe('not_found');
      expect(await repo.delete(id, { ifVersion: 1 }, rc)).toBe('version_mismatch');
      expect(await repo.delete(id, { ifVersion: 2 }, rc)).toBe('deleted');
      expect(await repo.delete(id, {}, rc)).toBe('not_found');
    });

    it('reports a unique violation as REST_CONFLICT', async () => {
      const repo = make();
      await repo.create({ name: 'same', priority: 1 }, rc);
      const err = await repo.create({ name: 'same', priority: 2 }, rc).catch((e: unknown) => e);
      expect(isRestError(err) && err.code).toBe('REST_CONFLICT');
    });

    it('creates a batch all or nothing: a unique violation names its item and stores none of the batch', async () => {
      const repo = make();
      await repo.create({ name: 'taken', priority: 1 }, rc);
      const rows = await repo.createMany!(
        [
          { name: 'b1', priority: 1 },
          { name: 'b2', priority: 2, owner: 'o' },
        ],
        rc,
      );
      expect(rows.map((r) => [r['name'], r['version']])).toEqual([
        ['b1', 1],
        ['b2', 1],
      ]);
      expect(Number(rows[1]!['id'])).toBeGreaterThan(Number(rows[0]!['id']));
      const err = await repo.createMany!(
        [
          { name: 'c1', priority: 1 },
          { name: 'taken', priority: 2 },
          { name: 'c3', priority: 3 },
        ],
        rc,
      ).catch((e: unknown) => e);
      expect(isRestError(err) && err.code).toBe('REST_CONFLICT');
      expect(isRestError(err) && err.details).toHaveProperty(['items[1]']);
      const dup = await repo.createMany!(
        [
          { name: 'd', priority: 1 },
          { name: 'd', priority: 2 },
        ],
        rc,
      ).catch((e: unknown) => e);
      expect(isRestError(dup) && Object.keys(dup.details)).toEqual(['items[1]']);
      expect((await repo.list(q(), rc)).items.map((r) => r['name'])).toEqual(['taken', 'b1', 'b2']);
    });

    it('deletes a batch all or nothing: one missing id keeps every row', async () => {
      const repo = make();
      const ids = [];
      for (const name of ['x', 'y', 'z']) ids.push((await repo.create({ name, priority: 1 }, rc))['id'] as number);
      expect(await repo.deleteMany!([ids[0]!, 999_999, ids[1]!], rc)).toEqual({ deleted: 0, missing: [999_999] });
      expect((await repo.list(q(), rc)).total).toBe(3);
      expect(await repo.deleteMany!([ids[0]!, ids[2]!], rc)).toEqual({ deleted: 2, missing: [] });
      expect((await repo.list(q(), rc)).items.map((r) => r['name'])).toEqual(['y']);
    });
  });
}

repositoryConformance('memory', () => new MemoryRepository<Row>({ unique: [['name']], versionField: 'version' }));

const services = inject('services');

describe.skipIf(!services.postgres)('PostgreSQL', () => {
  const schema = `rest_${randomUUID().replaceAll('-', '')}`;
  let admin: pg.Pool;
  let db: Kysely<Record<string, Row>>;
  let n = 0;

  beforeAll(async () => {
    admin = new pg.Pool({ connectionString: services.postgres!, max: 1 });
    await admin.query(`create schema ${schema}`);
    db = new Kysely({
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

  repositoryConformance('PostgreSQL', () => {
    const table = `items_${++n}`;
    const ready = admin.query(
      `create table ${schema}.${table} (id serial primary key, name text not null unique, priority int not null, owner text, version int not null)`,
    );
    const repo = new KyselyRepository<Row>({ db: () => db, table, versionField: 'version' });
    // Every call waits for the table: the suite creates repositories synchronously.
    return new Proxy(repo, {
      get: (target, prop) => {
        const v = Reflect.get(target, prop, target);
        return typeof v === 'function'
          ? async (...args: unknown[]) => {
              await ready;
              return v.apply(target, args);
            }
          : v;
      },
    });
  });

  it('compiles a list statement once per shape and binds each request its own values', async () => {
    await admin.query(
      `create table ${schema}.shapes (id serial primary key, name text not null, priority int not null, owner text, version int not null)`,
    );
    let compiles = 0;
    const counting = db.withPlugin({
      transformQuery: (a) => (compiles++, a.node),
      transformResult: async (a) => a.result,
    });
    const repo = new KyselyRepository<Row>({ db: () => counting, table: 'shapes', versionField: 'version' });
    for (let i = 0; i < 6; i++) await repo.create({ name: `s${i}`, priority: i % 3, owner: i % 2 ? 'odd' : null }, rc);
    compiles = 0;
    const names = async (over: Partial<ListQuery>) =>
      (await repo.list(q({ withTotal: false, ...over }), rc)).items.map((r) => r['name']);
    for (const p of [0, 1, 2, 0])
      expect(await names({ filters: [{ field: 'priority', op: 'eq', value: p }] })).toEqual(
        p === 0 ? ['s0', 's3'] : p === 1 ? ['s1', 's4'] : ['s2', 's5'],
      );
    expect(compiles).toBe(1);
    expect(await names({ filters: [{ field: 'priority', op: 'in', value: [0, 2] }], limit: 2, offset: 1 })).toEqual([
      's2',
      's3',
    ]);
    expect(await names({ filters: [{ field: 'priority', op: 'in', value: [1, 2] }], limit: 3, offset: 0 })).toEqual([
      's1',
      's2',
      's4',
    ]);
    expect(await names({ filters: [{ field: 'priority', op: 'in', value: [1] }], limit: 3, offset: 0 })).toEqual([
      's1',
      's4',
    ]);
    expect(compiles).toBe(3); // `in` with two values, then with one: two shapes
    const sort = [
      { field: 'priority', desc: true },
      { field: 'id', desc: false },
    ];
    expect(await names({ sort, after: [2, 3], limit: 2 })).toEqual(['s5', 's1']);
    expect(await names({ sort, after: [1, 2], limit: 2 })).toEqual(['s4', 's0']);
    const withTotal = await repo.list(q({ filters: [{ field: 'owner', op: 'eq', value: 'odd' }], limit: 1 }), rc);
    expect([withTotal.items.map((r) => r['name']), withTotal.total]).toEqual([['s1'], 3]);
    expect((await repo.list(q({ filters: [{ field: 'owner', op: 'eq', value: 'none' }], limit: 1 }), rc)).total).toBe(
      0,
    );
    expect(compiles).toBe(5); // the total rides on the page (a window count): no count statement so far
    const past = await repo.list(q({ filters: [{ field: 'owner', op: 'eq', value: 'odd' }], limit: 2, offset: 4 }), rc);
    expect([past.items, past.total]).toEqual([[], 3]);
    expect(compiles).toBe(6); // a page past the end carries no total: one count statement
    const uncached = new KyselyRepository<Row>({
      db: () => counting,
      table: 'shapes',
      versionField: 'version',
      statementCache: false,
    });
    compiles = 0;
    for (const p of [0, 1])
      expect(
        (await uncached.list(q({ filters: [{ field: 'priority', op: 'eq', value: p }], withTotal: false }), rc)).items,
      ).toHaveLength(2);
    expect(compiles).toBe(2);
  });

  it('reads and returns only the configured columns', async () => {
    await admin.query(
      `create table ${schema}.narrow (id serial primary key, name text not null, secret text default 'hidden', version int not null)`,
    );
    const repo = new KyselyRepository<Row>({
      db: () => db,
      table: 'narrow',
      versionField: 'version',
      columns: ['id', 'name', 'version'],
    });
    const created = await repo.create({ name: 'n' }, rc);
    expect(created).toEqual({ id: created['id'], name: 'n', version: 1 });
    expect(await repo.get(created['id'] as number, rc)).toEqual(created);
    expect((await repo.list(q(), rc)).items).toEqual([created]);
    expect(await repo.update(created['id'] as number, { name: 'm' }, { replace: false }, rc)).toEqual({
      id: created['id'],
      name: 'm',
      version: 2,
    });
    expect(await repo.createMany!([{ name: 'o' }], rc)).toEqual([
      expect.not.objectContaining({ secret: expect.anything() }),
    ]);
    expect(
      () => new KyselyRepository({ db: () => db, table: 'narrow', versionField: 'version', columns: ['id', 'name'] }),
    ).toThrow(/columns/);
    expect(() => new KyselyRepository({ db: () => db, table: 'narrow', columns: ['name'] })).toThrow(/columns/);
  });

  it('runs lists on a direct pool only as the instance compiled them, with its result plugins, and nothing it refused', async () => {
    await admin.query(
      `create table ${schema}.direct (id serial primary key, owner_name text not null, version int not null)`,
    );
    const pool = new pg.Pool({ connectionString: services.postgres!, max: 1, options: `-c search_path=${schema}` });
    const sent: { text: string; values: unknown[] }[] = [];
    const spy = { query: (text: string, values: unknown[]) => (sent.push({ text, values }), pool.query(text, values)) };
    try {
      // CamelCasePlugin rewrites the tree (ownerName → owner_name) and the rows (owner_name → ownerName):
      // if the direct path skipped either, the statement would fail or the rows would come back in snake_case.
      const camel = db.withPlugin(new CamelCasePlugin());
      const repo = new KyselyRepository<Row>({ db: () => camel, table: 'direct', versionField: 'version', pool: spy });
      for (const ownerName of ['ann', 'bob', 'ann']) await repo.create({ ownerName }, rc);
      expect(sent).toEqual([]); // writes never take the direct path
      const page = await repo.list(q({ filters: [{ field: 'ownerName', op: 'eq', value: 'ann' }] }), rc);
      expect([page.items.map((r) => Object.keys(r).sort().join()), page.total]).toEqual([
        ['id,ownerName,version', 'id,ownerName,version'],
        2,
      ]);
      // The window total's column survives the name mapping on either path.
      const viaKysely = new KyselyRepository<Row>({ db: () => camel, table: 'direct', versionField: 'version' });
      expect((await viaKysely.list(q({ filters: [{ field: 'ownerName', op: 'eq', value: 'ann' }] }), rc)).total).toBe(
        2,
      );
      const past = await repo.list(q({ filters: [{ field: 'ownerName', op: 'eq', value: 'bob' }], offset: 10 }), rc);
      expect([past.items, past.total]).toEqual([[], 1]); // the separate count also runs direct
      expect(sent).toHaveLength(3);
      expect(sent.every((s) => s.text.includes('"owner_name"') && !s.text.includes('ownerName'))).toBe(true);
      expect(sent[0]!.values).toContain('ann');

      // A plugin that refuses the statement (as x/tenant refuses one it cannot scope): nothing reaches the pool.
      const refusing = db.withPlugin({
        transformQuery: () => {
          throw new Error('refused by the plugin');
        },
        transformResult: async (a) => a.result,
      });
      const guarded = new KyselyRepository<Row>({
        db: () => refusing,
        table: 'direct',
        versionField: 'version',
        pool: spy,
      });
      await expect(guarded.list(q(), rc)).rejects.toThrow('refused by the plugin');
      await expect(guarded.list(q({ withTotal: false }), rc)).rejects.toThrow('refused by the plugin');
      expect(sent).toHaveLength(3);

      // A failing statement reports like the Kysely path: a database error propagates.
      const missing = new KyselyRepository<Row>({ db: () => db, table: 'no_such_table', pool: spy });
      await expect(missing.list(q(), rc)).rejects.toMatchObject({ code: '42P01' });
      expect(() => new KyselyRepository({ db: () => db, table: 'direct', pool: {} as never })).toThrow(/pool/);
    } finally {
      await pool.end();
    }
  });

  it('refuses identifiers that are not plain names', () => {
    expect(() => new KyselyRepository({ db: () => db, table: 'x; drop' })).toThrow(/table/);
    expect(() => new KyselyRepository({ db: () => db, table: 'x', versionField: 'Version' })).toThrow(/versionField/);
  });
});
