import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError, assertDataOption } from 'plumego/x/data';

/** One versioned schema change. */
export interface Migration {
  /** Positive integer; migrations apply in ascending order. */
  version: number;
  /** Short description, e.g. `create_orders`. */
  name: string;
  /** SQL applied by `up`. */
  up: string;
  /** SQL that undoes `up`; without it the migration cannot be rolled back. */
  down?: string | undefined;
}

/** SHA-256 of the `up` SQL with line endings normalised, so a checkout on Windows does not read as drift. */
export function getMigrationChecksum(migration: Pick<Migration, 'up'>): string {
  return createHash('sha256').update(migration.up.replace(/\r\n/g, '\n')).digest('hex');
}

/** Returns the migrations sorted by version; throws `DATA_INVALID_OPTIONS` on duplicates, bad versions or empty SQL. */
export function assertMigrations(migrations: readonly Migration[]): Migration[] {
  assertDataOption(Array.isArray(migrations), 'migrations');
  const seen = new Set<number>();
  for (const m of migrations) {
    assertDataOption(Number.isSafeInteger(m?.version) && m.version > 0 && !seen.has(m.version), 'migrations.version');
    assertDataOption(typeof m.name === 'string' && /^[\w.-]{1,100}$/.test(m.name), 'migrations.name');
    assertDataOption(typeof m.up === 'string' && m.up.trim() !== '', 'migrations.up');
    assertDataOption(m.down === undefined || (typeof m.down === 'string' && m.down.trim() !== ''), 'migrations.down');
    seen.add(m.version);
  }
  return [...migrations].sort((a, b) => a.version - b.version);
}

const FILE = /^(\d+)_([\w.-]+)\.(up|down)\.sql$/;

/**
 * Reads `<version>_<name>.up.sql` and optional `<version>_<name>.down.sql` files from `dir`. Other
 * files are ignored; a down file without its up file, or two names for one version, is refused.
 */
export async function readMigrationsDir(dir: string): Promise<Migration[]> {
  const entries = (await readdir(dir)).sort();
  const byVersion = new Map<number, { name: string; up?: string; down?: string }>();
  for (const file of entries) {
    const match = FILE.exec(file);
    if (match === null) continue;
    const version = Number(match[1]);
    const name = match[2] as string;
    const slot = byVersion.get(version) ?? { name };
    if (slot.name !== name)
      throw new DataError('PLUMEGO_ERR_DATA_INVALID_OPTIONS', { reason: `migrations.duplicate_version:${version}` });
    slot[match[3] as 'up' | 'down'] = await readFile(join(dir, file), 'utf8');
    byVersion.set(version, slot);
  }
  const migrations: Migration[] = [];
  for (const [version, slot] of byVersion) {
    if (slot.up === undefined)
      throw new DataError('PLUMEGO_ERR_DATA_INVALID_OPTIONS', { reason: `migrations.missing_up:${version}` });
    migrations.push({ version, name: slot.name, up: slot.up, down: slot.down });
  }
  return assertMigrations(migrations);
}
