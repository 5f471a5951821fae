import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from 'plumego/log';
import { DEFAULT_CONFIG } from './config.ts';
import { createService, type Service, type ServiceDependencies } from './service.ts';

let services: Service[] = [];
afterEach(async () => {
  await Promise.all(services.map((s) => s.close()));
  services = [];
});
const make = (deps: ServiceDependencies = {}): Service => {
  const service = createService({ ...DEFAULT_CONFIG, addr: '127.0.0.1:0' }, { logger: createLogger({ format: 'discard' }), ...deps });
  services.push(service);
  return service;
};
const bearer = async (service: Service, permissions: string[]): Promise<string> =>
  `Bearer ${(await service.jwt.generateTokenPair({ sub: 'alice' }, { permissions })).access_token}`;
const post = (authorization: string | undefined, body: unknown) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
  body: JSON.stringify(body),
});

interface Envelope<T> { data: T; error?: { code: string } }

describe('production service', () => {
  it('sends strict security headers on every response', async () => {
    const res = await make().app.request('/healthz');
    expect(res.status).toBe(200);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-request-id']).toBeTruthy();
  });

  it('lets a token with items:write create an item that anyone may read', async () => {
    const service = make();
    const created = await service.app.request('/api/v1/items', post(await bearer(service, ['items:write']), { name: 'lamp', price: 3 }));
    expect(created.status).toBe(201);
    const { id } = created.json<Envelope<{ id: string }>>().data;
    expect((await service.app.request(`/api/v1/items/${id}`)).status).toBe(200);
  });

  it('refuses a write without a token, with a forged token and without the permission', async () => {
    const service = make();
    expect((await service.app.request('/api/v1/items', post(undefined, { name: 'x', price: 1 }))).status).toBe(401);
    const other = make();
    expect((await service.app.request('/api/v1/items', post(await bearer(other, ['items:write']), { name: 'x', price: 1 }))).status).toBe(401);
    expect((await service.app.request('/api/v1/items', post(await bearer(service, ['items:read']), { name: 'x', price: 1 }))).status).toBe(403);
    expect((await service.app.request('/api/v1/items')).json<Envelope<unknown[]>>().data).toEqual([]);
  });

  it('limits a client that exceeds its burst with 429', async () => {
    const service = make({ rateLimit: { rate: 0.001, burst: 2 } });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await service.app.request('/healthz')).status);
    expect(statuses).toEqual([200, 200, 429, 429]);
  });

  it('counts requests and shows them only to the ops token', async () => {
    const service = make({ opsToken: 'ops-secret' });
    await service.app.request('/healthz');
    expect((await service.app.request('/ops/stats')).status).toBe(401);
    const stats = await service.app.request('/ops/stats', { headers: { authorization: 'Bearer ops-secret' } });
    expect(stats.status).toBe(200);
    expect(stats.json<Envelope<{ activeSeries: number }>>().data.activeSeries).toBeGreaterThan(0);
  });
});
