export { runMigrationCli } from './cli.ts';
export { assertMigrations, getMigrationChecksum, readMigrationsDir } from './migration.ts';
export type { Migration } from './migration.ts';
export { Migrator } from './migrator.ts';
export type { MigrationState, MigratorOptions } from './migrator.ts';
