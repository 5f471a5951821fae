import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import type { AddResult, JobRecord, JobState } from './types.ts';
import type { ResolvedJobOptions } from './options.ts';

export interface ClaimedJob {
  readonly id: string;
  readonly name: string;
  readonly data: string;
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly timeoutMs: number | undefined;
  readonly backoff: ResolvedJobOptions['backoff'];
  /** Proves this claim still owns the job: a late finish after a lease was lost changes nothing. */
  readonly token: string;
}

interface Row {
  id: string;
  name: string;
  data: string;
  state: JobState;
  priority: number;
  attempts: number;
  max_attempts: number;
  backoff: string;
  timeout_ms: number | null;
  progress: string | null;
  result: string | null;
  error: string | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS plumego_jobs (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  queue TEXT NOT NULL,
  name TEXT NOT NULL,
  data TEXT NOT NULL,
  state TEXT NOT NULL,
  priority INTEGER NOT NULL,
  run_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL,
  backoff TEXT NOT NULL,
  timeout_ms INTEGER,
  dedupe_key TEXT,
  lease_token TEXT,
  lease_until INTEGER,
  progress TEXT,
  result TEXT,
  error TEXT,
  created_at INTEGER NOT NULL,
  finished_at INTEGER
);
CREATE INDEX IF NOT EXISTS plumego_jobs_ready ON plumego_jobs (queue, state, priority DESC, run_at, seq);
CREATE UNIQUE INDEX IF NOT EXISTS plumego_jobs_dedupe ON plumego_jobs (queue, dedupe_key)
  WHERE dedupe_key IS NOT NULL AND state IN ('waiting', 'active');
`;

/**
 * Jobs in one SQLite table. Every state change is one statement or one IMMEDIATE transaction, so
 * several processes may share the file; claims carry a lease token and an expiry that a crashed
 * worker's jobs are recovered by.
 */
export class SqliteJobStore {
  private readonly db: Database.Database;
  private readonly claimTx: (now: number, leaseUntil: number) => ClaimedJob | undefined;
  private readonly insertTx: (id: string, name: string, data: string, o: ResolvedJobOptions, now: number) => AddResult;

  constructor(
    path: string,
    private readonly queue: string,
  ) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    const pick = this.db.prepare(`SELECT id, name, data, attempts, max_attempts, backoff, timeout_ms FROM plumego_jobs
      WHERE queue = ? AND state = 'waiting' AND run_at <= ? ORDER BY priority DESC, run_at, seq LIMIT 1`);
    const take = this.db.prepare(
      `UPDATE plumego_jobs SET state = 'active', attempts = attempts + 1, lease_token = ?, lease_until = ? WHERE id = ?`,
    );
    const claim = this.db.transaction((now: number, leaseUntil: number): ClaimedJob | undefined => {
      const row = pick.get(this.queue, now) as
        Pick<Row, 'id' | 'name' | 'data' | 'attempts' | 'max_attempts' | 'backoff' | 'timeout_ms'> | undefined;
      if (row === undefined) return undefined;
      const token = randomBytes(12).toString('hex');
      take.run(token, leaseUntil, row.id);
      return {
        id: row.id,
        name: row.name,
        data: row.data,
        attempt: row.attempts + 1,
        maxAttempts: row.max_attempts,
        timeoutMs: row.timeout_ms ?? undefined,
        backoff: JSON.parse(row.backoff) as ClaimedJob['backoff'],
        token,
      };
    });
    this.claimTx = (now, leaseUntil) => claim.immediate(now, leaseUntil);
    const existing = this.db.prepare(
      `SELECT id FROM plumego_jobs WHERE queue = ? AND dedupe_key = ? AND state IN ('waiting', 'active')`,
    );
    const insert = this.db
      .prepare(`INSERT INTO plumego_jobs (id, queue, name, data, state, priority, run_at, max_attempts, backoff, timeout_ms, dedupe_key, created_at)
      VALUES (?, ?, ?, ?, 'waiting', ?, ?, ?, ?, ?, ?, ?)`);
    const add = this.db.transaction(
      (id: string, name: string, data: string, o: ResolvedJobOptions, now: number): AddResult => {
        if (o.dedupeKey !== undefined) {
          const hit = existing.get(this.queue, o.dedupeKey) as { id: string } | undefined;
          if (hit !== undefined) return { id: hit.id, deduplicated: true };
        }
        insert.run(
          id,
          this.queue,
          name,
          data,
          o.priority,
          now + o.delayMs,
          o.maxAttempts,
          JSON.stringify(o.backoff),
          o.timeoutMs ?? null,
          o.dedupeKey ?? null,
          now,
        );
        return { id, deduplicated: false };
      },
    );
    this.insertTx = (...args) => add.immediate(...args);
  }

  insert(name: string, data: string, o: ResolvedJobOptions, now: number): AddResult {
    return this.insertTx(`${now.toString(36)}-${randomBytes(8).toString('hex')}`, name, data, o, now);
  }

  claim(now: number, leaseMs: number): ClaimedJob | undefined {
    return this.claimTx(now, now + leaseMs);
  }

  renew(id: string, token: string, leaseUntil: number): boolean {
    return (
      this.db
        .prepare(`UPDATE plumego_jobs SET lease_until = ? WHERE id = ? AND lease_token = ? AND state = 'active'`)
        .run(leaseUntil, id, token).changes === 1
    );
  }

  complete(id: string, token: string, result: string | null, now: number): boolean {
    return (
      this.db
        .prepare(
          `UPDATE plumego_jobs SET state = 'completed', result = ?, lease_token = NULL, finished_at = ? WHERE id = ? AND lease_token = ? AND state = 'active'`,
        )
        .run(result, now, id, token).changes === 1
    );
  }

  /** `retryAt` undefined: the job is finally failed. */
  fail(id: string, token: string, error: string, retryAt: number | undefined, now: number): boolean {
    const sql =
      retryAt === undefined
        ? `UPDATE plumego_jobs SET state = 'failed', error = ?, lease_token = NULL, finished_at = ? WHERE id = ? AND lease_token = ? AND state = 'active'`
        : `UPDATE plumego_jobs SET state = 'waiting', error = ?, lease_token = NULL, run_at = ? WHERE id = ? AND lease_token = ? AND state = 'active'`;
    return this.db.prepare(sql).run(error, retryAt ?? now, id, token).changes === 1;
  }

  /** Hands an unfinished job back; its attempt is not counted. */
  release(id: string, token: string, now: number): boolean {
    return (
      this.db
        .prepare(
          `UPDATE plumego_jobs SET state = 'waiting', attempts = attempts - 1, lease_token = NULL, run_at = ? WHERE id = ? AND lease_token = ? AND state = 'active'`,
        )
        .run(now, id, token).changes === 1
    );
  }

  /** Jobs whose worker stopped renewing its lease (a crash) run again, or fail once out of attempts. */
  recoverExpired(now: number): number {
    const lost = JSON.stringify({
      code: 'MQ_LEASE_EXPIRED',
      message: 'the worker stopped renewing its lease (crashed or stalled)',
    });
    const tx = this.db.transaction(() => {
      const failed = this.db
        .prepare(
          `UPDATE plumego_jobs SET state = 'failed', error = ?, lease_token = NULL, finished_at = ?
        WHERE queue = ? AND state = 'active' AND lease_until < ? AND attempts >= max_attempts`,
        )
        .run(lost, now, this.queue, now).changes;
      const retried = this.db
        .prepare(
          `UPDATE plumego_jobs SET state = 'waiting', error = ?, lease_token = NULL, run_at = ?
        WHERE queue = ? AND state = 'active' AND lease_until < ?`,
        )
        .run(lost, now, this.queue, now).changes;
      return failed + retried;
    });
    return tx.immediate();
  }

  setProgress(id: string, token: string, progress: string): boolean {
    return (
      this.db
        .prepare(`UPDATE plumego_jobs SET progress = ? WHERE id = ? AND lease_token = ? AND state = 'active'`)
        .run(progress, id, token).changes === 1
    );
  }

  /** Jobs waiting to run, delayed and retry-waiting ones included. */
  countWaiting(): number {
    return (
      this.db
        .prepare(`SELECT COUNT(*) AS n FROM plumego_jobs WHERE queue = ? AND state = 'waiting'`)
        .get(this.queue) as { n: number }
    ).n;
  }

  nextRunAt(): number | undefined {
    const row = this.db
      .prepare(`SELECT MIN(run_at) AS at FROM plumego_jobs WHERE queue = ? AND state = 'waiting'`)
      .get(this.queue) as { at: number | null };
    return row.at ?? undefined;
  }

  get(id: string): JobRecord | undefined {
    const row = this.db
      .prepare(
        `SELECT id, name, data, state, priority, attempts, max_attempts, backoff, timeout_ms, progress, result, error FROM plumego_jobs WHERE id = ? AND queue = ?`,
      )
      .get(id, this.queue) as Row | undefined;
    if (row === undefined) return undefined;
    return {
      id: row.id,
      name: row.name,
      data: JSON.parse(row.data) as unknown,
      state: row.state,
      priority: row.priority,
      attempts: row.attempts,
      maxAttempts: row.max_attempts,
      progress: row.progress === null ? undefined : (JSON.parse(row.progress) as unknown),
      result: row.result === null ? undefined : (JSON.parse(row.result) as unknown),
      error: row.error === null ? undefined : (JSON.parse(row.error) as { code: string; message: string }),
    };
  }

  close(): void {
    this.db.close();
  }
}
