import { createServer } from 'node:net';
import { describe, expect, it, inject } from 'vitest';
import { addressOf, canConnect, probeAll } from './services.ts';

describe('service probing', () => {
  it('reads host and port from a URL, with the scheme default when the port is absent', () => {
    expect(addressOf('redis://127.0.0.1:6380')).toEqual({ host: '127.0.0.1', port: 6380 });
    expect(addressOf('postgres://postgres@localhost/test')).toEqual({ host: 'localhost', port: 5432 });
    expect(addressOf('amqp://guest:guest@[::1]')).toEqual({ host: '::1', port: 5672 });
    expect(() => addressOf('http://example.test')).toThrow(/no port/);
  });

  it('connects to a listening socket and reports a closed port as unreachable', async () => {
    const server = createServer((s) => s.end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    expect(await canConnect('127.0.0.1', port)).toBe(true);
    await new Promise<void>((r) => server.close(() => r()));
    expect(await canConnect('127.0.0.1', port)).toBe(false);
  });

  it('prefers the environment URL and lists what did not answer', async () => {
    const seen: string[] = [];
    const { services, missing } = await probeAll(
      { PLUMEGO_TEST_REDIS_URL: 'redis://127.0.0.1:7777' },
      async (host, port) => {
        seen.push(`${host}:${port}`);
        return port !== 7777;
      },
    );
    expect(seen).toContain('127.0.0.1:7777');
    expect(services.redis).toBeNull();
    expect(services.postgres).toBe('postgres://postgres@127.0.0.1:5432/test');
    expect(missing.map((m) => m.spec.name)).toEqual(['redis']);
  });

  it('hands the probed services to every test file', () => {
    const services = inject('services');
    expect(Object.keys(services).sort()).toEqual(['amqp', 'mariadb', 'mqtt', 'nats', 'postgres', 'redis']);
  });
});
