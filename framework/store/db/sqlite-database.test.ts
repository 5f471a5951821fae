import { describe, it, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeDatabaseConformance } from '../conformance/database-suite.ts';
import { SqliteDatabase } from './sqlite-database.ts';

const dir = mkdtempSync(join(tmpdir(), 'plumego-db-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

// The conformance suite every Database runs (x/data/sql runs it on PostgreSQL too).
describeDatabaseConformance(
  { describe, it },
  {
    name: 'SqliteDatabase',
    open: () => new SqliteDatabase({ path: join(dir, `db-${n++}.sqlite`) }),
  },
);
