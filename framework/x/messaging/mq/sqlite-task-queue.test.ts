import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { SqliteTaskQueue } from './sqlite-task-queue.ts';
import { describeQueueConformance } from './__tests__/queue-conformance.ts';

const dir = mkdtempSync(join(tmpdir(), 'plumego-mq-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeQueueConformance({
  name: 'SQLite (in memory)',
  unavailable: false,
  durable: false,
  open: async () => new SqliteTaskQueue({ pollMs: 20 }),
});

describeQueueConformance({
  name: 'SQLite (file)',
  unavailable: false,
  durable: true,
  open: async (ns) => new SqliteTaskQueue({ path: join(dir, `${ns}.db`), pollMs: 20 }),
});

describe('SqliteTaskQueue crash recovery', () => {
  it('a job held by a killed process runs again after its lease expires (at-least-once)', async () => {
    const path = join(dir, 'crash.db');
    const script = join(dir, 'crash-worker.ts');
    const queueModule = new URL('./sqlite-task-queue.ts', import.meta.url).pathname;
    writeFileSync(
      script,
      `
      import { SqliteTaskQueue } from ${JSON.stringify(queueModule)};
      const q = new SqliteTaskQueue({ path: ${JSON.stringify(path)}, leaseMs: 300, pollMs: 20 });
      q.process(() => { process.stdout.write('claimed\\n'); return new Promise(() => {}); });
    `,
    );
    const first = new SqliteTaskQueue({ path, leaseMs: 300, pollMs: 20 });
    const { id } = await first.add('charge', { order: 42 });
    await first.close();

    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (b: Buffer) => {
        if (b.toString().includes('claimed')) resolve();
      });
      child.once('exit', () => reject(new Error('worker exited before claiming')));
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));

    const second = new SqliteTaskQueue({ path, leaseMs: 300, pollMs: 20 });
    expect(await second.getJob(id)).toMatchObject({ state: 'active', attempts: 1 });
    const runs: number[] = [];
    second.process((job) => {
      runs.push(job.attempt);
      return 'charged';
    });
    await vi.waitFor(async () => expect((await second.getJob(id))?.state).toBe('completed'), {
      timeout: 8000,
      interval: 20,
    });
    expect(runs).toEqual([2]);
    expect(await second.getJob(id)).toMatchObject({ result: 'charged', error: { code: 'MQ_LEASE_EXPIRED' } });
    await second.close();
  });

  it('refuses bad queue options at construction', () => {
    expect(() => new SqliteTaskQueue({ queue: 'no spaces' })).toThrow(
      expect.objectContaining({ code: 'MQ_INVALID_OPTIONS' }),
    );
    expect(() => new SqliteTaskQueue({ leaseMs: 1 })).toThrow(expect.objectContaining({ code: 'MQ_INVALID_OPTIONS' }));
  });
});
