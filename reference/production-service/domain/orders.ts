import { randomUUID } from 'node:crypto';
import type { Database } from 'plumego/store';

export interface Order {
  id: string;
  item: string;
  quantity: number;
  owner: string;
  created_at: string;
}

/** Orders in SQLite through store's `Database` contract. */
export class OrderRepository {
  constructor(private readonly db: Database) {}

  async migrate(): Promise<void> {
    await this.db.exec('CREATE TABLE IF NOT EXISTS orders (id TEXT PRIMARY KEY, item TEXT NOT NULL, quantity INTEGER NOT NULL, owner TEXT NOT NULL, created_at TEXT NOT NULL)');
  }

  async create(input: { item: string; quantity: number; owner: string }, now: Date): Promise<Order> {
    const order: Order = { id: randomUUID(), ...input, created_at: now.toISOString() };
    await this.db.exec('INSERT INTO orders (id, item, quantity, owner, created_at) VALUES (@id, @item, @quantity, @owner, @created_at)', order as unknown as Record<string, unknown>);
    return order;
  }

  get(id: string): Promise<Order | undefined> {
    return this.db.queryOne<Order>('SELECT * FROM orders WHERE id = ?', [id]);
  }

  async list(limit: number, offset: number): Promise<{ orders: Order[]; total: number }> {
    const orders = await this.db.query<Order>('SELECT * FROM orders ORDER BY created_at, id LIMIT ? OFFSET ?', [limit, offset]);
    const { total } = await this.db.queryOneStrict<{ total: number }>('SELECT count(*) AS total FROM orders');
    return { orders, total };
  }

  async ping(): Promise<void> {
    await this.db.queryOneStrict('SELECT 1 AS ok');
  }
}
