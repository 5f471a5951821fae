import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dial, type ClientConnection } from './dial.ts';
import { ORIGIN, waitFor } from './test-support.ts';

const services = inject('services');
const script = fileURLToPath(new URL('./test-instance.ts', import.meta.url));

interface Instance {
  child: ChildProcess;
  port: number;
}

function startInstance(kind: 'redis' | 'nats', url: string, channel: string): Promise<Instance> {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', script, kind, url, channel], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n')) resolve({ child, port: (JSON.parse(line!) as { port: number }).port });
    });
    child.once('exit', (code) => reject(new Error(`instance exited with ${code}: ${err}`)));
  });
}

function stop(i: Instance): Promise<void> {
  if (i.child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    i.child.once('exit', () => resolve());
    i.child.kill('SIGTERM');
  });
}

for (const kind of ['redis', 'nats'] as const) {
  describe.skipIf(!services[kind])(`rooms across two app processes over ${kind}`, () => {
    const channel =
      kind === 'redis'
        ? `plumego:test:ws:${randomBytes(6).toString('hex')}`
        : `plumego.test.ws.${randomBytes(6).toString('hex')}`;
    let a: Instance;
    let b: Instance;
    const clients: ClientConnection[] = [];

    beforeAll(async () => {
      [a, b] = await Promise.all([
        startInstance(kind, services[kind]!, channel),
        startInstance(kind, services[kind]!, channel),
      ]);
    }, 15_000);
    afterAll(async () => {
      await Promise.all(clients.map((c) => c.close()));
      await Promise.all([a, b].filter(Boolean).map(stop));
    });

    async function join(
      i: Instance,
      room: string,
      inbox: string[],
      onClose?: (code: number, reason: string) => void,
    ): Promise<ClientConnection> {
      const c = await dial(`ws://127.0.0.1:${i.port}/rooms/${room}`, {
        token: 'good',
        origin: ORIGIN,
        onMessage: (d) => inbox.push(d.toString()),
        ...(onClose ? { onClose } : {}),
      });
      clients.push(c);
      return c;
    }

    it('delivers a message sent on one instance to room members on both, once each, and not to other rooms', async () => {
      const onA: string[] = [];
      const onB1: string[] = [];
      const onB2: string[] = [];
      const elsewhere: string[] = [];
      const sender = await join(a, 'lobby', onA);
      await join(b, 'lobby', onB1);
      await join(b, 'lobby', onB2);
      await join(b, 'other', elsewhere);
      sender.send('hello from A');
      await waitFor(() => onA.length === 1 && onB1.length === 1 && onB2.length === 1);
      const fromB = clients[1]!;
      fromB.send('hello from B');
      await waitFor(() => onA.length === 2 && onB1.length === 2 && onB2.length === 2);
      await new Promise((r) => setTimeout(r, 50));
      expect(onA).toEqual(['hello from A', 'hello from B']);
      expect(onB1).toEqual(['hello from A', 'hello from B']);
      expect(onB2).toEqual(onB1);
      expect(elsewhere).toEqual([]);
      const metricsB = (await (await fetch(`http://127.0.0.1:${b.port}/metrics`)).json()) as {
        busReceived: number;
        busErrors: number;
      };
      expect(metricsB.busReceived).toBeGreaterThanOrEqual(1);
      expect(metricsB.busErrors).toBe(0);
    });

    it('closes its own clients with 1001 when one instance stops, while the other keeps delivering', async () => {
      const closes: [number, string][] = [];
      const onB: string[] = [];
      await join(a, 'stop', [], (code, reason) => closes.push([code, reason]));
      const stays = await join(b, 'stop', onB);
      await stop(a);
      await waitFor(() => closes.length === 1);
      expect(closes[0]).toEqual([1001, 'instance stopping']);
      stays.send('still here');
      await waitFor(() => onB.length === 1);
      expect(onB).toEqual(['still here']);
    });
  });
}
