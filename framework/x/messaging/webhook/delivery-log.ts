import Database from 'better-sqlite3';

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface DeliveryAttempt {
  /** Epoch ms the attempt started. */
  readonly at: number;
  readonly durationMs: number;
  /** HTTP status when the receiver answered. */
  readonly status?: number;
  /** Failure code when it did not succeed (WEBHOOK_TIMEOUT, CIRCUIT_OPEN, WEBHOOK_DELIVERY_FAILED, …). */
  readonly error?: string;
}

export interface DeliveryRecord {
  readonly id: string;
  readonly url: string;
  readonly event: string;
  /** The exact JSON body sent (and signed). */
  readonly body: string;
  readonly status: DeliveryStatus;
  readonly attempts: readonly DeliveryAttempt[];
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** Where every delivery and attempt is recorded, so a failed one can be inspected and redelivered. */
export interface DeliveryLog {
  create(record: Omit<DeliveryRecord, 'attempts' | 'status' | 'updatedAt'>): Promise<void>;
  appendAttempt(id: string, attempt: DeliveryAttempt): Promise<void>;
  setStatus(id: string, status: DeliveryStatus, at: number): Promise<void>;
  get(id: string): Promise<DeliveryRecord | undefined>;
  list(filter?: { status?: DeliveryStatus; limit?: number }): Promise<DeliveryRecord[]>;
}

interface Row {
  id: string;
  url: string;
  event: string;
  body: string;
  status: DeliveryStatus;
  attempts: string;
  created_at: number;
  updated_at: number;
}

/** The default log: SQLite, in memory unless a file path is given (then it survives restarts). */
export class SqliteDeliveryLog implements DeliveryLog {
  private readonly db: Database.Database;

  constructor(path = ':memory:') {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.exec(`CREATE TABLE IF NOT EXISTS plumego_webhook_deliveries (
      id TEXT PRIMARY KEY, url TEXT NOT NULL, event TEXT NOT NULL, body TEXT NOT NULL, status TEXT NOT NULL,
      attempts TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS plumego_webhook_deliveries_status ON plumego_webhook_deliveries (status, created_at);`);
  }

  async create(r: Omit<DeliveryRecord, 'attempts' | 'status' | 'updatedAt'>): Promise<void> {
    this.db
      .prepare(`INSERT INTO plumego_webhook_deliveries VALUES (?, ?, ?, ?, 'pending', '[]', ?, ?)`)
      .run(r.id, r.url, r.event, r.body, r.createdAt, r.createdAt);
  }

  async appendAttempt(id: string, attempt: DeliveryAttempt): Promise<void> {
    this.db
      .prepare(
        `UPDATE plumego_webhook_deliveries SET attempts = json_insert(attempts, '$[#]', json(?)), updated_at = ? WHERE id = ?`,
      )
      .run(JSON.stringify(attempt), attempt.at + attempt.durationMs, id);
  }

  async setStatus(id: string, status: DeliveryStatus, at: number): Promise<void> {
    this.db
      .prepare(`UPDATE plumego_webhook_deliveries SET status = ?, updated_at = ? WHERE id = ?`)
      .run(status, at, id);
  }

  async get(id: string): Promise<DeliveryRecord | undefined> {
    const row = this.db.prepare(`SELECT * FROM plumego_webhook_deliveries WHERE id = ?`).get(id) as Row | undefined;
    return row === undefined ? undefined : toRecord(row);
  }

  async list(filter: { status?: DeliveryStatus; limit?: number } = {}): Promise<DeliveryRecord[]> {
    const limit = Math.min(Math.max(1, filter.limit ?? 100), 1000);
    const rows = (
      filter.status === undefined
        ? this.db.prepare(`SELECT * FROM plumego_webhook_deliveries ORDER BY created_at DESC LIMIT ?`).all(limit)
        : this.db
            .prepare(`SELECT * FROM plumego_webhook_deliveries WHERE status = ? ORDER BY created_at DESC LIMIT ?`)
            .all(filter.status, limit)
    ) as Row[];
    return rows.map(toRecord);
  }

  close(): void {
    this.db.close();
  }
}

function toRecord(row: Row): DeliveryRecord {
  return {
    id: row.id,
    url: row.url,
    event: row.event,
    body: row.body,
    status: row.status,
    attempts: JSON.parse(row.attempts) as DeliveryAttempt[],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
