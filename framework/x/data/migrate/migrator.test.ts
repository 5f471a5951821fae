import { describe, it, expect, beforeAll, afterAll, inject } from 'vitest';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqlClient } from 'plumego/x/data/sql';
import { runMigrationCli } from './cli.ts';
import { assertMigrations, readMigrationsDir, type Migration } from './migration.ts';
import { Migrator } from './migrator.ts';

const url = inject('services').postgres;
const prefix = `plumego_migrate_${randomBytes(4).toString('hex')}`;
let count = 0;

const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'create_orders',
    up: 'CREATE TABLE orders (id serial PRIMARY KEY, total int NOT NULL);',
    down: 'DROP TABLE orders;',
  },
  {
    version: 2,
    name: 'add_status',
    up: "ALTER TABLE orders ADD COLUMN status text NOT NULL DEFAULT 'new';\nCREATE INDEX orders_status ON orders (status);",
    down: 'ALTER TABLE orders DROP COLUMN status;',
  },
  { version: 3, name: 'create_audit', up: 'CREATE TABLE audit (at timestamptz NOT NULL DEFAULT now());' },
];

describe.skipIf(!url)('Migrator on PostgreSQL', () => {
  let admin: SqlClient;
  const clients: SqlClient[] = [];
  const schemas: string[] = [];

  /** A fresh schema and a client whose search_path points at it. */
  async function freshClient(): Promise<{ client: SqlClient; schema: string }> {
    const schema = `${prefix}_${count++}`;
    schemas.push(schema);
    await admin.exec(`CREATE SCHEMA ${schema}`);
    return { client: peer(schema), schema };
  }
  function peer(schema: string): SqlClient {
    const client = new SqlClient({ connectionString: url as string, searchPath: schema, maxConnections: 2 });
    clients.push(client);
    return client;
  }
  const tables = async (schema: string) =>
    (
      await admin.query<{ t: string }>(
        'SELECT table_name AS t FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1',
        [schema],
      )
    ).map((r) => r.t);

  beforeAll(() => {
    admin = new SqlClient({ connectionString: url as string });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    for (const s of schemas) await admin.exec(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
    await admin.close();
  });

  it('applies pending migrations in order, once, up to a target', async () => {
    const { client, schema } = await freshClient();
    const migrator = new Migrator({ client, migrations: [MIGRATIONS[2], MIGRATIONS[0], MIGRATIONS[1]] as Migration[] });
    expect(await migrator.up({ to: 2 })).toEqual([1, 2]);
    expect(await tables(schema)).toEqual(['orders', 'plumego_migrations']);
    expect(await migrator.up()).toEqual([3]);
    expect(await migrator.up()).toEqual([]);
    const status = await migrator.readStatus();
    expect(status.map((s) => [s.version, s.applied, s.checksumMatches])).toEqual([
      [1, true, true],
      [2, true, true],
      [3, true, true],
    ]);
    expect(typeof status[0]?.appliedAt).toBe('number');
  });

  it('rolls back newest first and refuses a migration without a down step', async () => {
    const { client, schema } = await freshClient();
    const migrator = new Migrator({ client, migrations: MIGRATIONS });
    await migrator.up();
    await expect(migrator.down()).rejects.toMatchObject({
      code: 'PLUMEGO_ERR_DATA_MIGRATION_IRREVERSIBLE',
      reason: 'version:3',
    });
    const twoStep = new Migrator({
      client,
      migrations: MIGRATIONS.slice(0, 2).concat({ ...(MIGRATIONS[2] as Migration), down: 'DROP TABLE audit;' }),
    });
    // Adding a down step does not change the up checksum, so this is not drift.
    expect(await twoStep.down({ steps: 2 })).toEqual([3, 2]);
    expect(
      await client.query(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'orders' ORDER BY 1",
      ),
    ).toEqual([{ column_name: 'id' }, { column_name: 'total' }]);
    expect(await twoStep.down({ steps: 5 })).toEqual([1]);
    expect(await tables(schema)).toEqual(['plumego_migrations']);
    expect(await twoStep.down()).toEqual([]);
  });

  it('rolls a failing migration back whole and keeps the ones before it', async () => {
    const { client, schema } = await freshClient();
    const broken = [
      ...MIGRATIONS.slice(0, 2),
      { version: 3, name: 'broken', up: 'CREATE TABLE half (id int);\nSELECT * FROM no_such_table;' },
    ];
    const migrator = new Migrator({ client, migrations: broken });
    await expect(migrator.up()).rejects.toMatchObject({
      code: 'PLUMEGO_ERR_DATA_MIGRATION_FAILED',
      reason: 'version:3',
      sqlState: '42P01',
    });
    expect(await tables(schema)).toEqual(['orders', 'plumego_migrations']);
    expect((await migrator.readStatus()).map((s) => s.applied)).toEqual([true, true, false]);
  });

  it('refuses to run on drift: an edited or a missing applied migration', async () => {
    const { client } = await freshClient();
    await new Migrator({ client, migrations: MIGRATIONS.slice(0, 2) }).up();
    const edited = new Migrator({
      client,
      migrations: [
        { ...(MIGRATIONS[0] as Migration), up: 'CREATE TABLE orders (id bigserial PRIMARY KEY);' },
        ...MIGRATIONS.slice(1),
      ],
    });
    await expect(edited.up()).rejects.toMatchObject({ code: 'PLUMEGO_ERR_DATA_MIGRATION_DRIFT', reason: 'checksum:1' });
    await expect(edited.verify()).rejects.toMatchObject({ code: 'PLUMEGO_ERR_DATA_MIGRATION_DRIFT' });
    expect((await edited.readStatus()).map((s) => s.checksumMatches)).toEqual([false, true, undefined]);
    const missing = new Migrator({ client, migrations: [MIGRATIONS[1] as Migration, MIGRATIONS[2] as Migration] });
    await expect(missing.up()).rejects.toMatchObject({ code: 'PLUMEGO_ERR_DATA_MIGRATION_DRIFT', reason: 'missing:1' });
    expect((await new Migrator({ client, migrations: MIGRATIONS }).readStatus()).filter((s) => s.applied)).toHaveLength(
      2,
    );
    // CRLF line endings are not drift.
    await new Migrator({
      client,
      migrations: [
        { ...(MIGRATIONS[0] as Migration), up: (MIGRATIONS[0] as Migration).up.replace(/\n/g, '\r\n') },
        ...MIGRATIONS.slice(1),
      ],
    }).verify();
  });

  it('never lets two instances migrate at once: both finish, each migration applied once', async () => {
    const { client, schema } = await freshClient();
    const slow = [
      { version: 1, name: 'slow', up: 'SELECT pg_sleep(0.3); CREATE TABLE slow (id int);' },
      ...MIGRATIONS.slice(0, 1).map((m) => ({ ...m, version: 2 })),
    ];
    const a = new Migrator({ client, migrations: slow });
    const b = new Migrator({ client: peer(schema), migrations: slow });
    const [ra, rb] = await Promise.all([a.up(), b.up()]);
    expect([...ra, ...rb].sort()).toEqual([1, 2]);
    expect(await admin.queryOne(`SELECT count(*)::int AS n FROM ${schema}.plumego_migrations`)).toEqual({ n: 2 });

    const holder = new Migrator({
      client: peer(schema),
      migrations: [...slow, { version: 3, name: 'hold', up: 'SELECT pg_sleep(1);' }],
    });
    const impatient = new Migrator({
      client: peer(schema),
      migrations: [...slow, { version: 3, name: 'hold', up: 'SELECT pg_sleep(1);' }],
      lockTimeoutMs: 100,
    });
    const holding = holder.up();
    // Wait until the holder runs its migration, i.e. holds the lock.
    await expect
      .poll(
        async () =>
          (await admin.query("SELECT 1 FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(1);' AND state = 'active'"))
            .length,
        { timeout: 5000, interval: 20 },
      )
      .toBe(1);
    await expect(impatient.up()).rejects.toMatchObject({ code: 'PLUMEGO_ERR_DATA_MIGRATION_LOCKED' });
    expect(await holding).toEqual([3]);
  });

  it("runs as the app's own command", async () => {
    const { client } = await freshClient();
    const migrator = new Migrator({ client, migrations: MIGRATIONS });
    const out: string[] = [];
    const cli = (...args: string[]) => runMigrationCli(args, migrator, (l) => out.push(l));
    expect(await cli('up', '--to', '1')).toBe(0);
    expect(await cli('status')).toBe(0);
    expect(await cli('verify')).toBe(0);
    expect(await cli('down')).toBe(0);
    expect(await cli('down')).toBe(0);
    expect(await cli('up', '--to', 'x')).toBe(2);
    expect(await cli('sideways')).toBe(2);
    expect(out).toEqual([
      'up: applied 1',
      '     1  applied  create_orders',
      '     2  pending  add_status',
      '     3  pending  create_audit',
      'verify: applied migrations match',
      'down: reverted 1',
      'down: nothing to revert',
      'usage: <migrate> up [--to <version>] | down [--steps <n>] | status | verify',
      'usage: <migrate> up [--to <version>] | down [--steps <n>] | status | verify',
    ]);
    await cli('up', '--to', '2');
    const drifted = new Migrator({
      client,
      migrations: [{ ...(MIGRATIONS[0] as Migration), up: 'SELECT 1;' }, ...MIGRATIONS.slice(1)],
    });
    const lines: string[] = [];
    expect(await runMigrationCli(['up'], drifted, (l) => lines.push(l))).toBe(1);
    expect(lines).toEqual([
      'up: PLUMEGO_ERR_DATA_MIGRATION_DRIFT (checksum:1): applied migrations differ from the migration files',
    ]);
  });
});

describe('migration files and lists', () => {
  it('reads versioned up/down files and ignores others', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plumego-migrations-'));
    try {
      writeFileSync(join(dir, '002_add_status.up.sql'), 'ALTER TABLE t ADD c int;');
      writeFileSync(join(dir, '001_create.up.sql'), 'CREATE TABLE t (id int);');
      writeFileSync(join(dir, '001_create.down.sql'), 'DROP TABLE t;');
      writeFileSync(join(dir, 'README.md'), 'notes');
      expect(await readMigrationsDir(dir)).toEqual([
        { version: 1, name: 'create', up: 'CREATE TABLE t (id int);', down: 'DROP TABLE t;' },
        { version: 2, name: 'add_status', up: 'ALTER TABLE t ADD c int;', down: undefined },
      ]);
      writeFileSync(join(dir, '003_orphan.down.sql'), 'DROP TABLE x;');
      await expect(readMigrationsDir(dir)).rejects.toMatchObject({
        code: 'PLUMEGO_ERR_DATA_INVALID_OPTIONS',
        reason: 'migrations.missing_up:3',
      });
      rmSync(join(dir, '003_orphan.down.sql'));
      writeFileSync(join(dir, '002_other_name.up.sql'), 'SELECT 1;');
      await expect(readMigrationsDir(dir)).rejects.toMatchObject({ reason: 'migrations.duplicate_version:2' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const bad: Array<[string, Migration[], string]> = [
    [
      'a duplicate version',
      [
        { version: 1, name: 'a', up: 'x' },
        { version: 1, name: 'b', up: 'y' },
      ],
      'field:migrations.version',
    ],
    ['version 0', [{ version: 0, name: 'a', up: 'x' }], 'field:migrations.version'],
    ['a fractional version', [{ version: 1.5, name: 'a', up: 'x' }], 'field:migrations.version'],
    ['an empty up', [{ version: 1, name: 'a', up: '  ' }], 'field:migrations.up'],
    ['a name with spaces', [{ version: 1, name: 'a b', up: 'x' }], 'field:migrations.name'],
  ];
  for (const [title, list, reason] of bad) {
    it(`refuses ${title}`, () => {
      expect(() => assertMigrations(list)).toThrow(
        expect.objectContaining({ code: 'PLUMEGO_ERR_DATA_INVALID_OPTIONS', reason }),
      );
    });
  }
});
