import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import type { Channel, Receipt, ReceiptEvent, ReceiptStatus } from './types.ts';

export interface StoredContent {
  readonly subject: string;
  readonly text: string;
  readonly html: string | undefined;
}

interface Row {
  id: string;
  tenant: string;
  channel: Channel;
  to_addr: string;
  status: ReceiptStatus;
  provider: string | null;
  provider_message_id: string | null;
  error: string | null;
  history: string;
  created_at: number;
  content: string;
}

/** Receipts with their status history, and the rendered content the sender needs, in SQLite. */
export class ReceiptStore {
  private readonly db: Database.Database;

  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`CREATE TABLE IF NOT EXISTS plumego_receipts (
      id TEXT PRIMARY KEY, tenant TEXT NOT NULL, channel TEXT NOT NULL, to_addr TEXT NOT NULL, status TEXT NOT NULL,
      provider TEXT, provider_message_id TEXT, error TEXT, history TEXT NOT NULL, idempotency_key TEXT,
      created_at INTEGER NOT NULL, content TEXT NOT NULL);
      CREATE UNIQUE INDEX IF NOT EXISTS plumego_receipts_idem ON plumego_receipts (tenant, idempotency_key) WHERE idempotency_key IS NOT NULL;
      CREATE INDEX IF NOT EXISTS plumego_receipts_tenant ON plumego_receipts (tenant, created_at);`);
  }

  /** Inserts a queued receipt, or returns the existing one for the same tenant and idempotency key. */
  create(
    tenant: string,
    channel: Channel,
    to: string,
    content: StoredContent,
    idempotencyKey: string | undefined,
    now: number,
  ): { receipt: Receipt; created: boolean } {
    return this.db
      .transaction(() => {
        if (idempotencyKey !== undefined) {
          const hit = this.db
            .prepare(`SELECT * FROM plumego_receipts WHERE tenant = ? AND idempotency_key = ?`)
            .get(tenant, idempotencyKey) as Row | undefined;
          if (hit !== undefined) return { receipt: toReceipt(hit), created: false };
        }
        const id = `rcpt_${randomBytes(12).toString('hex')}`;
        const history: ReceiptEvent[] = [{ status: 'queued', at: now }];
        this.db
          .prepare(
            `INSERT INTO plumego_receipts (id, tenant, channel, to_addr, status, history, idempotency_key, created_at, content)
        VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, ?)`,
          )
          .run(id, tenant, channel, to, JSON.stringify(history), idempotencyKey ?? null, now, JSON.stringify(content));
        return { receipt: this.get(id)!, created: true };
      })
      .immediate();
  }

  findByKey(tenant: string, idempotencyKey: string): Receipt | undefined {
    const row = this.db
      .prepare(`SELECT * FROM plumego_receipts WHERE tenant = ? AND idempotency_key = ?`)
      .get(tenant, idempotencyKey) as Row | undefined;
    return row === undefined ? undefined : toReceipt(row);
  }

  transition(
    id: string,
    status: ReceiptStatus,
    at: number,
    fields: { provider?: string; providerMessageId?: string; error?: string; detail?: string } = {},
  ): void {
    const event: ReceiptEvent = { status, at, ...(fields.detail === undefined ? {} : { detail: fields.detail }) };
    this.db
      .prepare(
        `UPDATE plumego_receipts SET status = ?, history = json_insert(history, '$[#]', json(?)),
      provider = COALESCE(?, provider), provider_message_id = COALESCE(?, provider_message_id), error = ? WHERE id = ?`,
      )
      .run(
        status,
        JSON.stringify(event),
        fields.provider ?? null,
        fields.providerMessageId ?? null,
        fields.error ?? null,
        id,
      );
  }

  get(id: string): Receipt | undefined {
    const row = this.db.prepare(`SELECT * FROM plumego_receipts WHERE id = ?`).get(id) as Row | undefined;
    return row === undefined ? undefined : toReceipt(row);
  }

  content(id: string): { channel: Channel; to: string; content: StoredContent } | undefined {
    const row = this.db.prepare(`SELECT channel, to_addr, content FROM plumego_receipts WHERE id = ?`).get(id) as
      Pick<Row, 'channel' | 'to_addr' | 'content'> | undefined;
    return row === undefined
      ? undefined
      : { channel: row.channel, to: row.to_addr, content: JSON.parse(row.content) as StoredContent };
  }

  list(filter: { tenantId?: string; status?: ReceiptStatus; limit?: number }): Receipt[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.tenantId !== undefined) {
      where.push('tenant = ?');
      args.push(filter.tenantId);
    }
    if (filter.status !== undefined) {
      where.push('status = ?');
      args.push(filter.status);
    }
    const limit = Math.min(Math.max(1, filter.limit ?? 50), 500);
    const sql = `SELECT * FROM plumego_receipts ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id LIMIT ?`;
    return (this.db.prepare(sql).all(...args, limit) as Row[]).map(toReceipt);
  }

  countSince(tenant: string, since: number): number {
    return (
      this.db
        .prepare(`SELECT COUNT(*) AS n FROM plumego_receipts WHERE tenant = ? AND created_at >= ?`)
        .get(tenant, since) as { n: number }
    ).n;
  }

  counts(tenant: string | undefined): Array<{ channel: Channel; status: ReceiptStatus; n: number }> {
    const sql = `SELECT channel, status, COUNT(*) AS n FROM plumego_receipts ${tenant === undefined ? '' : 'WHERE tenant = ?'} GROUP BY channel, status`;
    return (tenant === undefined ? this.db.prepare(sql).all() : this.db.prepare(sql).all(tenant)) as Array<{
      channel: Channel;
      status: ReceiptStatus;
      n: number;
    }>;
  }

  close(): void {
    this.db.close();
  }
}

function toReceipt(r: Row): Receipt {
  return {
    id: r.id,
    tenantId: r.tenant,
    channel: r.channel,
    to: r.to_addr,
    status: r.status,
    provider: r.provider ?? undefined,
    providerMessageId: r.provider_message_id ?? undefined,
    error: r.error ?? undefined,
    history: JSON.parse(r.history) as ReceiptEvent[],
    createdAt: r.created_at,
  };
}
