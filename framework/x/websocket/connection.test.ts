import { describe, expect, it, vi } from 'vitest';
import type { WebSocket } from 'ws';
import { Connection, type SendPolicy } from './connection.ts';

/** A stand-in for a ws socket whose buffer only drains when the test says so. */
class FakeSocket {
  readyState = 1;
  protocol = '';
  bufferedAmount = 0;
  sent: string[] = [];
  closed: [number, string] | undefined;
  #callbacks: { size: number; cb: (() => void) | undefined }[] = [];
  send(data: Buffer | string, _opts: unknown, cb?: () => void): void {
    const size = typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
    this.bufferedAmount += size;
    this.sent.push(data.toString());
    this.#callbacks.push({ size, cb });
  }
  /** The kernel took everything buffered so far. */
  drain(): void {
    for (const { size, cb } of this.#callbacks.splice(0)) {
      this.bufferedAmount -= size;
      cb?.();
    }
  }
  close(code: number, reason: string): void {
    this.closed = [code, reason];
    this.readyState = 2;
  }
  terminate(): void {
    this.readyState = 3;
  }
}

function make(policy: Partial<SendPolicy>) {
  const ws = new FakeSocket();
  const events = {
    drops: 0,
    slow: 0,
    onDrop() {
      this.drops++;
    },
    onSlowClose() {
      this.slow++;
    },
  };
  const full: SendPolicy = {
    maxQueueBytes: 10,
    slowConsumer: 'drop',
    sendTimeoutMs: 1000,
    messagesPerSecond: 0,
    messageBurst: 0,
    ...policy,
  };
  return { ws, events, conn: new Connection(ws as unknown as WebSocket, { sub: 'u' }, full, events) };
}

describe('Connection send queue', () => {
  it("drops messages beyond maxQueueBytes under 'drop' and counts them", () => {
    const { ws, events, conn } = make({ slowConsumer: 'drop' });
    expect(conn.trySend('12345')).toBe('sent');
    expect(conn.trySend('67890')).toBe('sent');
    expect(conn.trySend('x')).toBe('dropped');
    expect(events.drops).toBe(1);
    ws.drain();
    expect(conn.trySend('again')).toBe('sent');
    expect(ws.sent).toEqual(['12345', '67890', 'again']);
  });

  it("closes a slow consumer with 1008 under 'close'", () => {
    const { ws, events, conn } = make({ slowConsumer: 'close' });
    conn.trySend('1234567890');
    expect(conn.trySend('x')).toBe('closed');
    expect(ws.closed).toEqual([1008, 'slow consumer']);
    expect(events.slow).toBe(1);
    expect(conn.trySend('y')).toBe('closed');
  });

  it("holds messages in order under 'block' and releases them as the buffer drains", async () => {
    const { ws, conn } = make({ slowConsumer: 'block' });
    expect(conn.trySend('1234567890')).toBe('sent');
    const second = conn.send('abc');
    expect(conn.trySend('def')).toBe('queued');
    expect(conn.queuedBytes).toBe(16);
    ws.drain();
    expect(await second).toBe('sent');
    expect(ws.sent).toEqual(['1234567890', 'abc', 'def']);
  });

  it("closes a 'block' connection that stays full past sendTimeoutMs", async () => {
    vi.useFakeTimers();
    try {
      const { ws, events, conn } = make({ slowConsumer: 'block', sendTimeoutMs: 50 });
      conn.trySend('1234567890');
      const pending = conn.send('late');
      vi.advanceTimersByTime(51);
      expect(await pending).toBe('closed');
      expect(ws.closed).toEqual([1008, 'slow consumer']);
      expect(events.slow).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it("closes a 'block' connection whose held messages would exceed the limit again", () => {
    const { ws, conn } = make({ slowConsumer: 'block' });
    conn.trySend('1234567890');
    expect(conn.trySend('123456')).toBe('queued');
    expect(conn.trySend('123456')).toBe('closed');
    expect(ws.closed?.[0]).toBe(1008);
  });

  it('refuses sends once closed and truncates long close reasons to 123 bytes', () => {
    const { ws, conn } = make({});
    conn.close(1000, 'r'.repeat(300));
    expect(ws.closed?.[1].length).toBe(123);
    expect(conn.trySend('x')).toBe('closed');
  });

  it('lets a burst through and then closes a flooding peer with 1008', () => {
    const { ws, conn } = make({ messagesPerSecond: 10, messageBurst: 3 });
    const t = 1_000_000;
    expect([conn.takeInboundToken(t), conn.takeInboundToken(t), conn.takeInboundToken(t)]).toEqual([true, true, true]);
    expect(conn.takeInboundToken(t)).toBe(false);
    expect(ws.closed).toEqual([1008, 'message rate exceeded']);
  });

  it('refills the flood bucket over time', () => {
    const { conn } = make({ messagesPerSecond: 10, messageBurst: 1 });
    expect(conn.takeInboundToken(0)).toBe(true);
    expect(conn.takeInboundToken(100)).toBe(true);
  });
});
