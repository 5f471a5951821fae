import { describe, it, expect, afterAll, inject } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { BufferedResponseWriter, createRequest, writeResponse, type Handler } from 'plumego/contract';
import { createIdempotencyMiddleware, type IdempotencyStore } from 'plumego/store';
import { SqlClient } from 'plumego/x/data/sql';
import { PgIdempotencyStore } from './pg-store.ts';
import { RedisIdempotencyStore } from './redis-store.ts';

const { postgres, redis } = inject('services');
const suffix = randomBytes(4).toString('hex');
const schema = `plumego_idemproc_${suffix}`;
const prefix = `plumego-test:idemproc:${suffix}:`;
const fixture = fileURLToPath(new URL('./fixtures/claimer.ts', import.meta.url));
const children: ChildProcess[] = [];
const cleanup: Array<() => Promise<unknown>> = [];

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  for (const step of cleanup.reverse()) await step().catch(() => undefined);
});

function start(args: string[]): {
  child: ChildProcess;
  lines: string[];
  line: (match: (l: string) => boolean) => Promise<string>;
} {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', fixture, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const lines: string[] = [];
  let buffered = '';
  const waiters: Array<() => void> = [];
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    lines.push(...parts);
    for (const w of waiters.splice(0)) w();
  });
  const line = (match: (l: string) => boolean) =>
    new Promise<string>((resolve, reject) => {
      const check = (): void => {
        const found = lines.find(match);
        if (found !== undefined) resolve(found);
        else if (child.exitCode !== null) reject(new Error(`child exited with ${child.exitCode}`));
        else waiters.push(check);
      };
      child.once('exit', () => waiters.length > 0 && check());
      check();
    });
  return { child, lines, line };
}

async function call(handler: Handler) {
  const r = createRequest({
    method: 'POST',
    url: '/orders',
    headers: { 'idempotency-key': 'order-1', 'content-type': 'application/json' },
    body: '{"item":"book"}',
  });
  const w = new BufferedResponseWriter();
  await handler(w, r);
  return w.status;
}

interface Backend {
  name: string;
  url: string | null;
  /** Store namespace (table or key prefix) and a store of this process on it. */
  open(): Promise<{ namespace: string; store: IdempotencyStore }>;
}

let tableCount = 0;
const backends: Backend[] = [
  {
    name: 'pg',
    url: postgres,
    open: async () => {
      const client = new SqlClient({ connectionString: postgres as string });
      cleanup.push(async () => {
        await client.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await client.close();
      });
      await client.exec(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      const namespace = `${schema}.t${tableCount++}`;
      const store = new PgIdempotencyStore({ client, table: namespace });
      await store.ensureSchema();
      return { namespace, store };
    },
  },
  {
    name: 'redis',
    url: redis,
    open: async () => {
      const client = new Redis(redis as string);
      const namespace = `${prefix}${tableCount++}:`;
      cleanup.push(async () => {
        const keys = await client.keys(`${namespace}*`);
        if (keys.length > 0) await client.del(...keys);
        await client.quit();
      });
      return { namespace, store: new RedisIdempotencyStore({ redis: client, prefix: namespace }) };
    },
  },
];

for (const backend of backends) {
  describe.skipIf(!backend.url)(`${backend.name} idempotency store across processes`, () => {
    it(`${backend.name}: two processes racing on the same 40 keys get exactly one winner per key`, async () => {
      const { namespace } = await backend.open();
      const startAt = Date.now() + 2500;
      const a = start([backend.name, backend.url as string, namespace, 'race', `40:${startAt}`]);
      const b = start([backend.name, backend.url as string, namespace, 'race', `40:${startAt}`]);
      const [ra, rb] = (await Promise.all([a.line((l) => l.startsWith('[')), b.line((l) => l.startsWith('['))])).map(
        (l) => JSON.parse(l) as boolean[],
      );
      expect(ra).toHaveLength(40);
      for (let i = 0; i < 40; i++) expect(Number(ra?.[i]) + Number(rb?.[i])).toBe(1);
    }, 15_000);

    it(`${backend.name}: a process killed between claim and completion blocks the key until the lock timeout, then another takes over`, async () => {
      const { namespace, store } = await backend.open();
      const crashing = start([backend.name, backend.url as string, namespace, 'crash', '400']);
      await crashing.line((l) => l === 'running');
      const claimedAt = Date.now();
      crashing.child.kill('SIGKILL');
      let runs = 0;
      const handler = createIdempotencyMiddleware(store, { lockTimeoutMs: 400 })(async (w, r) => {
        runs++;
        writeResponse(w, r, 201, { id: 1 });
      });
      // The middleware stores sha256(scope \0 key); the default scope is empty.
      const record = await store.get(
        createHash('sha256').update('').update('\0').update('order-1').digest('base64url'),
      );
      expect(record?.status).toBe('in_progress');
      if (Date.now() - claimedAt < 350) expect(await call(handler)).toBe(409);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, claimedAt + 450 - Date.now())));
      expect(await call(handler)).toBe(201);
      expect(await call(handler)).toBe(201);
      expect(runs).toBe(1);
    }, 15_000);
  });
}
