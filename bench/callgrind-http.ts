// What the callgrind benches share (bench/http/callgrind.ts, bench/rest/callgrind.ts): a server runs under
// `valgrind --tool=callgrind`, this process drives keep-alive requests over sockets that stay open (not
// counted), and the counters are dumped after a warm-up and after each window of N requests, so a window's
// count over N is the cost of one request with start-up, JIT warm-up and connection set-up outside it.
import { execFileSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';

/** A keep-alive socket with one request in flight; responses framed by content-length or one chunk. */
export class KeepAliveClient {
  private buf: Buffer = Buffer.alloc(0);
  onResponse: (status: string) => void = () => {};
  constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
      for (;;) {
        const end = this.buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = this.buf.subarray(0, end).toString('latin1');
        const m = /\r\ncontent-length: *(\d+)/i.exec(head);
        let len: number;
        if (m) len = end + 4 + Number(m[1]);
        else if (/\r\ntransfer-encoding: *chunked/i.test(head)) {
          // The bench servers answer in one chunk; the body ends at the zero-length chunk.
          const last = this.buf.indexOf('\r\n0\r\n\r\n', end + 2);
          if (last < 0) return;
          len = last + 7;
        } else throw new Error(`response without framing:\n${head}`);
        if (this.buf.length < len) return;
        this.buf = this.buf.subarray(len);
        this.onResponse(head.slice(9, 12));
      }
    });
  }
}

export function connectClients(port: number, count: number): Promise<KeepAliveClient[]> {
  return Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<KeepAliveClient>((resolve, reject) => {
          const socket = connect(port, '127.0.0.1', () => resolve(new KeepAliveClient(socket)));
          socket.once('error', reject);
        }),
    ),
  );
}

/** Sends `total` requests spread over the open sockets; resolves with the count per status. */
export function drive(
  clients: readonly KeepAliveClient[],
  request: Buffer,
  total: number,
): Promise<Record<string, number>> {
  let sent = 0;
  let done = 0;
  const statuses = new Map<string, number>();
  return new Promise((resolve) => {
    for (const c of clients) {
      c.onResponse = (status) => {
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (++done === total) resolve(Object.fromEntries(statuses));
        else if (sent < total) {
          sent++;
          c.socket.write(request);
        }
      };
      if (sent < total) {
        sent++;
        c.socket.write(request);
      }
    }
  });
}

/** Resolves when the child prints a line matching `ready`; rejects on exit or after `timeoutMs`. */
export function waitReady(child: ChildProcess, ready: RegExp, timeoutMs: number, label: string): Promise<void> {
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${label} did not start:\n${stderr}`)), timeoutMs);
    child.stdout!.on('data', (d: Buffer) => {
      if (ready.test(d.toString())) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`${label} exited with ${code}:\n${stderr}`)));
  });
}

/** How many counter dumps callgrind has written into `dir` so far. */
export function countDumps(dir: string): number {
  return readdirSync(dir).filter((f) => f.startsWith('cg.out.')).length;
}

/**
 * The instruction total of the newest dump in `dir`, which a `callgrind_control -d` has just written (there were
 * `before` dumps); each dump zeroes the counters, so this is the count since the previous one.
 */
export function newestDumpTotal(dir: string, before: number): number {
  const files = readdirSync(dir).filter((f) => f.startsWith('cg.out.'));
  if (files.length === before) throw new Error('callgrind wrote no dump');
  const last = files.sort((a, b) => Number(a.split('.').pop()) - Number(b.split('.').pop())).at(-1)!;
  const m = /^(?:summary|totals): (\d+)/m.exec(readFileSync(join(dir, last), 'utf8'));
  if (!m) throw new Error(`no totals in ${last}`);
  return Number(m[1]);
}

/**
 * Dumps the counters of the callgrind run `child` writing `<dir>/cg.out.<n>` (which zeroes them) and returns
 * the instructions since the previous dump.
 */
export function dumpInstructions(child: ChildProcess, dir: string): number {
  const before = countDumps(dir);
  execFileSync('callgrind_control', ['-d', String(child.pid)], { stdio: 'ignore' });
  return newestDumpTotal(dir, before);
}
