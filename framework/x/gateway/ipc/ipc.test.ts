import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { IpcClient } from './client.ts';
import { IPC_ERROR_CODES, isIpcError } from './errors.ts';
import { FRAME, FrameDecoder, encodeFrame } from './framing.ts';
import { IpcPool } from './pool.ts';
import { IpcServer, type IpcHandler } from './server.ts';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

async function socketPath(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'plumego-ipc-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  return join(dir, 'peer.sock');
}

async function serve(
  handler: IpcHandler,
  options: Partial<ConstructorParameters<typeof IpcServer>[0]> = {},
): Promise<{ server: IpcServer; path: string }> {
  const path = await socketPath();
  const server = new IpcServer({ path, handler, ...options });
  await server.listen();
  cleanup.push(() => server.close());
  return { server, path };
}

async function client(path: string, options: Parameters<typeof IpcClient.connect>[1] = {}): Promise<IpcClient> {
  const c = await IpcClient.connect(path, options);
  cleanup.push(() => c.close());
  return c;
}

describe('ipc framing', () => {
  it('reassembles frames split at any byte and several frames in one chunk', () => {
    const wire = Buffer.concat([
      encodeFrame(FRAME.request, 7, Buffer.from('hello')),
      encodeFrame(FRAME.response, 8, Buffer.from('world!')),
    ]);
    for (let split = 1; split < wire.length; split++) {
      const d = new FrameDecoder(1024);
      const frames = [...d.push(wire.subarray(0, split)), ...d.push(wire.subarray(split))];
      expect(frames.map((f) => [f.type, f.id, f.payload.toString()])).toEqual([
        [FRAME.request, 7, 'hello'],
        [FRAME.response, 8, 'world!'],
      ]);
    }
  });

  it('refuses an oversized declared length from the header alone, and an unknown type', () => {
    const header = Buffer.alloc(9);
    header.writeUInt32BE(0xfffffff0, 0);
    header.writeUInt8(FRAME.request, 4);
    expect(() => new FrameDecoder(1024).push(header)).toThrow(
      expect.objectContaining({ code: IPC_ERROR_CODES.frameTooLarge }),
    );
    const bad = encodeFrame(FRAME.request, 1);
    bad.writeUInt8(99, 4);
    expect(() => new FrameDecoder(1024).push(bad)).toThrow(/unknown frame type/);
  });
});

describe('ipc request/response', () => {
  it('matches concurrent responses to their requests', async () => {
    const { path } = await serve(async (p) => {
      const n = Number(p.toString());
      await new Promise((r) => setTimeout(r, (10 - n) * 5));
      return `r${n}`;
    });
    const c = await client(path);
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => c.request(String(i)).then((b) => b.toString())),
    );
    expect(answers).toEqual(Array.from({ length: 10 }, (_, i) => `r${i}`));
  });

  it('answers a handler failure with IPC_REMOTE_ERROR and never its message', async () => {
    const { path } = await serve(() => {
      throw new Error('db password is hunter2');
    });
    const c = await client(path);
    const error = await c.request('x').catch((e: unknown) => e);
    expect(isIpcError(error) && error.code).toBe(IPC_ERROR_CODES.remoteError);
    expect(String((error as Error).message)).not.toContain('hunter2');
  });

  it('refuses to send an oversized request and closes a connection that receives one', async () => {
    const { server, path } = await serve((p) => p, { maxFrameBytes: 64 });
    const c = await client(path, { maxFrameBytes: 64 });
    await expect(c.request(Buffer.alloc(65))).rejects.toMatchObject({ code: IPC_ERROR_CODES.frameTooLarge });
    expect((await c.request('still fine')).toString()).toBe('still fine');
    const big = await client(path, { maxFrameBytes: 1024 });
    await expect(big.request(Buffer.alloc(500))).rejects.toMatchObject({ code: IPC_ERROR_CODES.peerDead });
    await vi.waitFor(() => expect(server.connections).toBe(1));
  });

  it('answers an error frame when the response would exceed the frame limit', async () => {
    const { path } = await serve(() => Buffer.alloc(200), { maxFrameBytes: 100 });
    const c = await client(path);
    await expect(c.request('x')).rejects.toMatchObject({ code: IPC_ERROR_CODES.remoteError });
  });

  it('times out a request the peer never answers, and honours an abort signal', async () => {
    const { path } = await serve(() => new Promise(() => undefined));
    const c = await client(path);
    await expect(c.request('x', { timeoutMs: 50 })).rejects.toMatchObject({ code: IPC_ERROR_CODES.timeout });
    const ac = new AbortController();
    const pending = c.request('y', { signal: ac.signal });
    ac.abort(new Error('stop'));
    await expect(pending).rejects.toThrow('stop');
    expect(c.pending).toBe(0);
  });

  it('declares a silent peer dead through heartbeats and fails its pending requests', async () => {
    const path = await socketPath();
    const sockets: Socket[] = [];
    const mute = createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => mute.listen(path, resolve));
    cleanup.push(
      () =>
        new Promise((resolve) => {
          sockets.forEach((s) => s.destroy());
          mute.close(resolve);
        }),
    );
    const c = await client(path, { heartbeatIntervalMs: 20, heartbeatTimeoutMs: 80, requestTimeoutMs: 10_000 });
    await expect(c.request('anyone?')).rejects.toMatchObject({ code: IPC_ERROR_CODES.peerDead });
    expect(c.closed).toBe(true);
  });

  it('keeps a quiet but live connection open through ping/pong', async () => {
    // The quiet spell outlasts the timeout, so only pongs keep it open; the timeout itself is generous
    // (a loaded machine can stall the event loop for well over 80 ms, which once failed this test).
    const { path } = await serve((p) => p, { heartbeatIntervalMs: 50, heartbeatTimeoutMs: 1_000 });
    const c = await client(path, { heartbeatIntervalMs: 50, heartbeatTimeoutMs: 1_000 });
    await new Promise((r) => setTimeout(r, 1_500));
    expect(c.closed).toBe(false);
    expect((await c.request('alive')).toString()).toBe('alive');
  });
});

describe('ipc server socket file', () => {
  it('replaces a stale socket file, refuses a live one, and removes its file on close', async () => {
    const path = await socketPath();
    await writeFile(path, '');
    const server = new IpcServer({ path, handler: (p) => p });
    await server.listen();
    await expect(new IpcServer({ path, handler: (p) => p }).listen()).rejects.toMatchObject({
      code: IPC_ERROR_CODES.invalidOptions,
    });
    await server.close();
    expect(existsSync(path)).toBe(false);
  });

  it('rejects bad options when built', () => {
    expect(() => new IpcServer({ path: '', handler: (p) => p })).toThrow(/path/);
    expect(
      () => new IpcServer({ path: '/tmp/x', handler: (p) => p, heartbeatIntervalMs: 100, heartbeatTimeoutMs: 50 }),
    ).toThrow(/heartbeatTimeoutMs/);
    expect(() => new IpcPool({ path: '/tmp/x', size: 0 })).toThrow(/size/);
  });
});

describe('ipc pool', () => {
  it('spreads concurrent requests over up to size connections and redials after the peer restarts', async () => {
    const path = await socketPath();
    let server = new IpcServer({
      path,
      handler: async (p) => {
        await new Promise((r) => setTimeout(r, 20));
        return p;
      },
    });
    await server.listen();
    const pool = new IpcPool({ path, size: 3 });
    cleanup.push(() => pool.close());
    const answers = await Promise.all(
      Array.from({ length: 9 }, (_, i) => pool.request(`m${i}`).then((b) => b.toString())),
    );
    expect(answers).toEqual(Array.from({ length: 9 }, (_, i) => `m${i}`));
    expect(pool.size).toBe(3);
    await server.close();
    await vi.waitFor(() => expect(pool.size).toBe(0));
    server = new IpcServer({ path, handler: (p) => `again:${p.toString()}` });
    await server.listen();
    cleanup.push(() => server.close());
    expect((await pool.request('x')).toString()).toBe('again:x');
  });

  it('fails fast when nobody listens and after close', async () => {
    const pool = new IpcPool({ path: await socketPath() });
    await expect(pool.request('x')).rejects.toMatchObject({ code: IPC_ERROR_CODES.peerDead });
    pool.close();
    await expect(pool.request('x')).rejects.toMatchObject({ code: IPC_ERROR_CODES.closed });
  });
});
