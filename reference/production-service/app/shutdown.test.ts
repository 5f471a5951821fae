import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// The real process, signalled like a supervisor would: in-flight requests are drained until the
// configured deadline, and the exit follows the deadline (issue 21, item 4).

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const main = join(here, '..', 'main.ts');
const dataRoot = mkdtempSync(join(tmpdir(), 'plumego-prod-shutdown-'));
afterAll(() => rmSync(dataRoot, { recursive: true, force: true }));

interface Started {
  child: ChildProcess;
  port: number;
  exited: Promise<{ code: number | null; at: number }>;
}

function startService(name: string, env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', main], {
    cwd: root,
    env: {
      ...process.env,
      APP_ADDR: '127.0.0.1:0',
      APP_DATA_DIR: join(dataRoot, name),
      APP_RATE_LIMIT_RPS: '1000',
      APP_RATE_LIMIT_BURST: '1000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<{ code: number | null; at: number }>((resolve) =>
    child.once('exit', (code) => resolve({ code, at: Date.now() })),
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /"msg":"server listening".*?"addr":"[^"]*:(\d+)"/.exec(out);
      if (m) resolve({ child, port: Number(m[1]), exited });
    });
    child.once('exit', () => reject(new Error(`service exited before listening: ${out}`)));
  });
}

interface Upload {
  /** Resolves once the server has read the request head (it answered `100 Continue`). */
  inFlight: Promise<void>;
  /** The final status the server answered, or 0 when the connection was cut without an answer. */
  status: Promise<number>;
}

/**
 * A slow upload: headers with `Expect: 100-continue`, then, once the server has read them, the body
 * in `pieces` parts `gapMs` apart. Waiting for the interim answer makes "in flight" a fact the
 * test observes instead of a guess about how fast a loaded machine accepts connections.
 */
function slowUpload(port: number, pieces: number, gapMs: number): Upload {
  // A number as username is refused after the whole body is read, without a password hash: the
  // test measures draining, not scrypt on a busy machine (four hashes at a time on libuv's pool).
  const body = JSON.stringify({ username: 404, password: 'x'.repeat(pieces * 4) });
  const size = Math.ceil(body.length / pieces);
  let markInFlight!: () => void;
  const inFlight = new Promise<void>((resolve) => (markInFlight = resolve));
  const status = new Promise<number>((resolve) => {
    let text = '';
    let sending = false;
    const s = connect(port, '127.0.0.1', () => {
      s.write(
        `POST /api/v1/auth/token HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n`,
      );
    });
    s.on('data', (c: Buffer) => {
      text += c.toString('latin1');
      if (sending || !/^HTTP\/1\.1 100 /.test(text)) return;
      sending = true;
      markInFlight();
      let i = 0;
      const tick = setInterval(() => {
        if (s.destroyed || i >= pieces) return clearInterval(tick);
        s.write(body.slice(i * size, (i + 1) * size));
        i++;
      }, gapMs);
    });
    s.on('error', () => undefined);
    s.on('close', () => {
      markInFlight();
      const finals = [...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1])).filter((n) => n !== 100);
      resolve(finals[0] ?? 0);
    });
  });
  return { inFlight, status };
}

describe('production-service shutdown', () => {
  it('drains in-flight uploads that finish before the configured deadline, then exits 0', async () => {
    const { child, port, exited } = await startService('drain', { APP_SHUTDOWN_TIMEOUT_MS: '8000' });
    const uploads = Array.from({ length: 10 }, () => slowUpload(port, 6, 150));
    await Promise.all(uploads.map((u) => u.inFlight));
    child.kill('SIGTERM');
    const statuses = await Promise.all(uploads.map((u) => u.status));
    // Every upload got its answer (400: the username is not a string), none was cut.
    expect(statuses).toEqual(Array(10).fill(400));
    expect((await exited).code).toBe(0);
  });

  it('cuts uploads still running at the deadline and exits right after it', async () => {
    const { child, port, exited } = await startService('cut', { APP_SHUTDOWN_TIMEOUT_MS: '400' });
    const uploads = Array.from({ length: 5 }, () => slowUpload(port, 100, 100));
    await Promise.all(uploads.map((u) => u.inFlight));
    const signalled = Date.now();
    child.kill('SIGTERM');
    const statuses = await Promise.all(uploads.map((u) => u.status));
    expect(statuses).toEqual(Array(5).fill(0));
    const { code, at } = await exited;
    expect(code).toBe(0);
    // The uploads would run 10 s; the process is gone long before (deadline 0.4 s + exit).
    expect(at - signalled).toBeLessThan(6_000);
  });

  it('refuses a non-numeric shutdown deadline at startup', async () => {
    await expect(startService('bad', { APP_SHUTDOWN_TIMEOUT_MS: 'soon' })).rejects.toThrow(
      /exited before listening.*APP_SHUTDOWN_TIMEOUT_MS/s,
    );
  });
});
