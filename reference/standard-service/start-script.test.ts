import { execFileSync, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// `npm start` under a supervisor: SIGTERM to the process it started must stop the service, not
// leave a node child behind a shell that ignores the signal (issue 21).

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Direct children of `pid` (procps `ps`). */
function childrenOf(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .map((s) => Number(s.trim()))
      .filter((n) => n > 0);
  } catch {
    return [];
  }
}

describe('npm start', () => {
  it('runs the service without a shell in between and leaves no process after SIGTERM', async () => {
    const npm = spawn('npm', ['start', '--silent'], {
      cwd: root,
      env: { ...process.env, APP_ADDR: '127.0.0.1:0', APP_ENV_FILE: '', APP_SHUTDOWN_TIMEOUT_MS: '500' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<void>((resolve) => npm.once('exit', () => resolve()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('service did not start')), 20_000);
      createInterface({ input: npm.stdout! }).on('line', (line) => {
        if (line.includes('"server listening"')) {
          clearTimeout(timer);
          resolve();
        }
      });
      void exited.then(() => reject(new Error('npm exited before the service listened')));
    });
    // npm's child is the service itself (the script `exec`s node), so npm's forwarded signal reaches it.
    const kids = childrenOf(npm.pid!);
    expect(kids).toHaveLength(1);
    const service = kids[0]!;
    expect(execFileSync('ps', ['-o', 'comm=', '-p', String(service)], { encoding: 'utf8' }).trim()).toBe('node');
    npm.kill('SIGTERM');
    await exited;
    for (let i = 0; i < 100 && isAlive(service); i++) await new Promise((r) => setTimeout(r, 50));
    expect(isAlive(service)).toBe(false);
  }, 30_000);
});
