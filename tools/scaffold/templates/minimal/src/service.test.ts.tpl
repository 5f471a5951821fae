import { describe, expect, it } from 'vitest';
import { createLogger } from 'plumego/log';
import { createService } from './service.ts';

const quiet = (): ReturnType<typeof createLogger> => createLogger({ format: 'discard' });

describe('service', () => {
  it('answers on / with the service name', async () => {
    const res = await createService({ logger: quiet() }).request('/');
    expect(res.status).toBe(200);
    expect(res.json<{ data: { service: string } }>().data.service).toBe('{{name}}');
  });

  it('reports liveness on /healthz', async () => {
    const res = await createService({ logger: quiet() }).request('/healthz');
    expect(res.json<{ data: { status: string } }>().data).toEqual({ status: 'ok' });
  });

  it('answers an unknown path with 404 and an error envelope', async () => {
    const res = await createService({ logger: quiet() }).request('/missing');
    expect(res.status).toBe(404);
    expect(res.json<{ error: { code: string } }>().error.code).toBeTypeOf('string');
  });

  it('refuses a malformed listen address when the app is built', () => {
    expect(() => createService({ addr: 'not-an-address', logger: quiet() })).toThrow(/expected host:port/);
  });
});
