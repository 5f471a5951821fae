import { createHash, randomUUID } from 'node:crypto';
import type { Database } from 'plumego/store';

export interface Order {
  id: string;
  item: string;
  quantity: number;
  owner: string;
  created_at: string;
}

const COLUMNS = 'id, item, quantity, owner, created_at';

/**
 * Orders in SQLite through store's `Database` contract.
 *
 * Crash window: the idempotency record lives in another file than the orders, so the two cannot
 * be written in one transaction. A crash after the order row is written and before its record is
 * completed would let a retry (after the claim's lock timeout) create the order twice. The row
 * therefore carries a digest of (owner, Idempotency-Key) under a unique index: `create` with a key
 * already used returns the order written the first time instead of writing another.
 */
export class OrderRepository {
  constructor(private readonly db: Database) {}

  async migrate(): Promise<void> {
    await this.db.exec(
      'CREATE TABLE IF NOT EXISTS orders (id TEXT PRIMARY KEY, item TEXT NOT NULL, quantity INTEGER NOT NULL, owner TEXT NOT NULL, created_at TEXT NOT NULL, request_key TEXT)',
    );
    try {
      await this.db.query('SELECT request_key FROM orders LIMIT 0');
    } catch {
      // A data directory from before the column existed.
      await this.db.exec('ALTER TABLE orders ADD COLUMN request_key TEXT');
    }
    await this.db.exec('CREATE UNIQUE INDEX IF NOT EXISTS orders_request_key ON orders (request_key)');
  }

  /**
   * Writes a new order, or — when `idempotencyKey` was already used by this owner — returns the
   * order that key created (`created: false`).
   */
  async create(
    input: { item: string; quantity: number; owner: string },
    now: Date,
    idempotencyKey?: string,
  ): Promise<{ order: Order; created: boolean }> {
    const order: Order = { id: randomUUID(), ...input, created_at: now.toISOString() };
    const requestKey =
      idempotencyKey === undefined
        ? null
        : createHash('sha256').update(input.owner).update('\0').update(idempotencyKey).digest('base64url');
    const written = await this.db.exec(
      'INSERT INTO orders (id, item, quantity, owner, created_at, request_key) VALUES (@id, @item, @quantity, @owner, @created_at, @request_key) ON CONFLICT (request_key) DO NOTHING',
      { ...order, request_key: requestKey },
    );
    if (written.changes > 0 || requestKey === null) return { order, created: true };
    const first = await this.db.queryOneStrict<Order>(`SELECT ${COLUMNS} FROM orders WHERE request_key = ?`, [
      requestKey,
    ]);
    return { order: first, created: false };
  }

  get(id: string): Promise<Order | undefined> {
    return this.db.queryOne<Order>(`SELECT ${COLUMNS} FROM orders WHERE id = ?`, [id]);
  }

  async list(limit: number, offset: number): Promise<{ orders: Order[]; total: number }> {
    const orders = await this.db.query<Order>(
      `SELECT ${COLUMNS} FROM orders ORDER BY created_at, id LIMIT ? OFFSET ?`,
      [limit, offset],
    );
    const { total } = await this.db.queryOneStrict<{ total: number }>('SELECT count(*) AS total FROM orders');
    return { orders, total };
  }

  async ping(): Promise<void> {
    await this.db.queryOneStrict('SELECT 1 AS ok');
  }
}
