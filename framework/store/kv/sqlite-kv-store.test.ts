import { describe, it, expect, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import {
  mkdtempSync,
  rmSync,
  statSync,
  truncateSync,
  openSync,
  writeSync,
  closeSync,
  writeFileSync,
  readFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { isStoreError } from '../errors.ts';
import { getCrashValue } from './fixtures/crash-value.ts';
import { SqliteKvStore, resolveSqliteKvStoreOptions } from './sqlite-kv-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'plumego-kv-'));
let n = 0;
const nextPath = () => join(dir, `kv-${n++}.db`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function open(path: string, now?: () => number) {
  return new SqliteKvStore(now === undefined ? { path } : { path, now });
}

describe('SqliteKvStore', () => {
  it('sets, gets, lists and deletes; values survive reopening', async () => {
    const path = nextPath();
    const kv = open(path);
    await kv.set('user:1', 'alice');
    await kv.set('user:2', new Uint8Array([0, 1, 2]));
    await kv.set('order:1', '{}');
    expect((await kv.get('user:1')).toString()).toBe('alice');
    expect(await kv.keys({ prefix: 'user:' })).toEqual(['user:1', 'user:2']);
    expect(await kv.delete('order:1')).toBe(true);
    expect(await kv.delete('order:1')).toBe(false);
    await kv.close();
    const again = open(path);
    expect([...(await again.get('user:2'))]).toEqual([0, 1, 2]);
    expect(await again.size()).toBe(2);
    await again.close();
  });

  it('expires keys by TTL: get says expired, find says missing, sweep deletes', async () => {
    let now = 1_000_000;
    const kv = open(nextPath(), () => now);
    await kv.set('session', 'x', { ttlMs: 1000 });
    await kv.set('forever', 'y');
    now += 1000;
    await expect(kv.get('session')).rejects.toMatchObject({ code: 'PLUMEGO_ERR_KV_EXPIRED' });
    expect(await kv.find('session')).toBeUndefined();
    await expect(kv.get('never-set')).rejects.toMatchObject({ code: 'PLUMEGO_ERR_KV_NOT_FOUND' });
    expect(kv.sweep()).toBe(1);
    expect(await kv.keys()).toEqual(['forever']);
    await kv.close();
  });

  it('enforces key, value and entry limits', async () => {
    const kv = new SqliteKvStore({ path: nextPath(), maxEntries: 2, maxValueBytes: 8, maxKeyLength: 4 });
    await expect(kv.set('toolong', 'x')).rejects.toMatchObject({ code: 'PLUMEGO_ERR_KV_INVALID_KEY' });
    await expect(kv.set('', 'x')).rejects.toMatchObject({ code: 'PLUMEGO_ERR_KV_INVALID_KEY' });
    await expect(kv.set('k', '123456789')).rejects.toMatchObject({ code: 'PLUMEGO_ERR_KV_VALUE_TOO_LARGE' });
    await kv.set('a', '1');
    await kv.set('b', '2');
    await kv.set('a', '3');
    await expect(kv.set('c', '4')).rejects.toMatchObject({ code: 'PLUMEGO_ERR_KV_FULL' });
    await kv.close();
    await expect(kv.get('a')).rejects.toMatchObject({ code: 'PLUMEGO_ERR_KV_CLOSED' });
  });

  it('refuses bad options at construction', () => {
    expect(() => resolveSqliteKvStoreOptions({ path: '' })).toThrow(
      expect.objectContaining({ code: 'PLUMEGO_ERR_KV_INVALID_OPTIONS' }),
    );
    expect(() => resolveSqliteKvStoreOptions({ path: 'x', maxEntries: 0 })).toThrow(
      expect.objectContaining({ reason: 'maxEntries' }),
    );
  });
});

describe('SqliteKvStore: corruption', () => {
  async function filled(): Promise<string> {
    const path = nextPath();
    const kv = open(path);
    for (let i = 0; i < 60; i++) await kv.set(`k${i}`, getCrashValue(i));
    await kv.close();
    return path;
  }

  function expectCorrupt(fn: () => unknown): void {
    let caught: unknown;
    try {
      fn();
    } catch (err) {
      caught = err;
    }
    expect(isStoreError(caught, 'PLUMEGO_ERR_KV_CORRUPT')).toBe(true);
  }

  it('reports a truncated file as corrupt', async () => {
    const path = await filled();
    truncateSync(path, Math.floor(statSync(path).size / 2));
    expectCorrupt(() => open(path));
  });

  it('reports a file with an overwritten header as corrupt', async () => {
    const path = await filled();
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.alloc(100, 0x41), 0, 100, 0);
    closeSync(fd);
    expectCorrupt(() => open(path));
  });

  it('reports a non-database file as corrupt', () => {
    const path = nextPath();
    writeFileSync(path, 'this is not a database, just text that happens to be here'.repeat(100));
    expectCorrupt(() => open(path));
  });

  it('detects bytes flipped inside a value through the checksum', async () => {
    const path = nextPath();
    const kv = open(path);
    await kv.set('victim', Buffer.alloc(4000, 0x61));
    await kv.close();
    const bytes = readFileSync(path);
    const at = bytes.indexOf(Buffer.alloc(64, 0x61));
    expect(at).toBeGreaterThan(0);
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.from('ZZZZ'), 0, 4, at + 100);
    closeSync(fd);
    const reopened = open(path);
    await expect(reopened.get('victim')).rejects.toMatchObject({ code: 'PLUMEGO_ERR_KV_CORRUPT', reason: 'checksum' });
    await reopened.close();
  });

  it('refuses to adopt some other SQLite database', () => {
    const path = nextPath();
    const db = new Database(path);
    db.exec('CREATE TABLE users (id INTEGER)');
    db.close();
    expectCorrupt(() => open(path));
  });
});

describe('SqliteKvStore: crash safety', () => {
  it('loses no acknowledged write and tears no value when killed mid-write', async () => {
    const path = nextPath();
    const writer = fileURLToPath(new URL('./fixtures/crash-writer.ts', import.meta.url));
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', writer, path], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let acked = -1;
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exit = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) acked = Number(line);
      if (acked >= 80) child.kill('SIGKILL');
    });
    const signal = await exit;
    expect(stderr).toBe('');
    expect(signal).toBe('SIGKILL');
    expect(acked).toBeGreaterThanOrEqual(80);

    const kv = open(path);
    for (let i = 0; i <= acked; i++) {
      expect((await kv.get(`key-${i}`)).equals(getCrashValue(i))).toBe(true);
    }
    // Anything committed after the last acknowledgement is whole too.
    for (const key of await kv.keys({ limit: 100_000 })) {
      const i = Number(key.slice(4));
      expect((await kv.get(key)).equals(getCrashValue(i))).toBe(true);
    }
    await kv.close();
  });
});
