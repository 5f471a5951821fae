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
    env: { ...process.env, APP_ADDR: '127.0.0.1:0', APP_DATA_DIR: join(dataRoot, name), APP_RATE_LIMIT_RPS: '1000', APP_RATE_LIMIT_BURST: '1000', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<{ code: number | null; at: number }>((resolve) => child.once('exit', (code) => resolve({ code, at: Date.now() })));
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

/**
 * A slow upload: headers now, then the body in `pieces` parts `gapMs` apart. Resolves with the
 * status the server answered, or 0 when the connection was cut without an answer.
 */
function slowUpload(port: number, pieces: number, gapMs: number): Promise<number> {
  const body = JSON.stringify({ username: 'nobody', password: 'x'.repeat(pieces * 4) });
  const size = Math.ceil(body.length / pieces);
  return new Promise((resolve) => {
    let text = '';
    const s = connect(port, '127.0.0.1', () => {
      s.write(`POST /api/v1/auth/token HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`);
      let i = 0;
      const tick = setInterval(() => {
        if (s.destroyed || i >= pieces) return clearInterval(tick);
        s.write(body.slice(i * size, (i + 1) * size));
        i++;
      }, gapMs);
    });
    s.on('data', (c: Buffer) => (text += c.toString('latin1')));
    s.on('error', () => undefined);
    s.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0)));
  });
}

describe('production-service shutdown', () => {
  it('drains in-flight uploads that finish before the configured deadline, then exits 0', async () => {
    const { child, port, exited } = await startService('drain', { APP_SHUTDOWN_TIMEOUT_MS: '8000' });
    const uploads = Array.from({ length: 10 }, () => slowUpload(port, 6, 150));
    await new Promise((r) => setTimeout(r, 250));
    child.kill('SIGTERM');
    const statuses = await Promise.all(uploads);
    // Every upload got its answer (401: unknown user), none was cut.
    expect(statuses).toEqual(Array(10).fill(401));
    expect((await exited).code).toBe(0);
  });

  it('cuts uploads still running at the deadline and exits right after it', async () => {
    const { child, port, exited } = await startService('cut', { APP_SHUTDOWN_TIMEOUT_MS: '400' });
    const uploads = Array.from({ length: 5 }, () => slowUpload(port, 100, 100));
    await new Promise((r) => setTimeout(r, 200));
    const signalled = Date.now();
    child.kill('SIGTERM');
    const statuses = await Promise.all(uploads);
    expect(statuses).toEqual(Array(5).fill(0));
    const { code, at } = await exited;
    expect(code).toBe(0);
    // The uploads would run 10 s; the process is gone long before (deadline 0.4 s + exit).
    expect(at - signalled).toBeLessThan(6_000);
  });

  it('refuses a non-numeric shutdown deadline at startup', async () => {
    await expect(startService('bad', { APP_SHUTDOWN_TIMEOUT_MS: 'soon' })).rejects.toThrow(/exited before listening.*APP_SHUTDOWN_TIMEOUT_MS/s);
  });
});
