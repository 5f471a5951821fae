import Database from 'better-sqlite3';

/** What survives a restart about one job. Handlers are code and are registered again at start. */
export interface JobState {
  readonly id: string;
  readonly paused: boolean;
  /** Scheduled time of the last occurrence that ran. */
  readonly lastRunAt: number | undefined;
  /** The occurrence the scheduler was waiting for; in the past at start means it was missed. */
  readonly nextRunAt: number | undefined;
}

export interface ScheduleStore {
  load(id: string): Promise<JobState | undefined>;
  save(state: JobState): Promise<void>;
}

export class MemoryScheduleStore implements ScheduleStore {
  private readonly states = new Map<string, JobState>();
  async load(id: string): Promise<JobState | undefined> {
    return this.states.get(id);
  }
  async save(state: JobState): Promise<void> {
    this.states.set(state.id, state);
  }
}

/** Job states in a SQLite file, so pauses and missed runs are known after a restart. */
export class SqliteScheduleStore implements ScheduleStore {
  private readonly db: Database.Database;

  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.exec(`CREATE TABLE IF NOT EXISTS plumego_schedules (
      id TEXT PRIMARY KEY, paused INTEGER NOT NULL, last_run_at INTEGER, next_run_at INTEGER)`);
  }

  async load(id: string): Promise<JobState | undefined> {
    const row = this.db
      .prepare(`SELECT paused, last_run_at, next_run_at FROM plumego_schedules WHERE id = ?`)
      .get(id) as { paused: number; last_run_at: number | null; next_run_at: number | null } | undefined;
    return row === undefined
      ? undefined
      : {
          id,
          paused: row.paused === 1,
          lastRunAt: row.last_run_at ?? undefined,
          nextRunAt: row.next_run_at ?? undefined,
        };
  }

  async save(s: JobState): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO plumego_schedules (id, paused, last_run_at, next_run_at) VALUES (?, ?, ?, ?)
      ON CONFLICT(id) DO UPDATE SET paused = excluded.paused, last_run_at = excluded.last_run_at, next_run_at = excluded.next_run_at`,
      )
      .run(s.id, s.paused ? 1 : 0, s.lastRunAt ?? null, s.nextRunAt ?? null);
  }

  close(): void {
    this.db.close();
  }
}
