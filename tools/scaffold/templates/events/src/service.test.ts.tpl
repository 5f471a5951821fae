import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from 'plumego/log';
import { DEFAULT_CONFIG } from './config.ts';
import { ORDER_DEAD_LETTERS } from './orders.ts';
import { createService, type Service, type ServiceDependencies } from './service.ts';

let services: Service[] = [];
afterEach(async () => {
  await Promise.all(services.map((s) => s.close()));
  services = [];
});
const make = async (deps: ServiceDependencies = {}): Promise<Service> => {
  const service = await createService(DEFAULT_CONFIG, { logger: createLogger({ format: 'discard' }), ...deps });
  services.push(service);
  return service;
};
const place = (service: Service, body: unknown) =>
  service.app.request('/api/v1/orders', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const until = async (check: () => boolean | Promise<boolean>): Promise<void> => {
  for (let i = 0; i < 300 && !(await check()); i++) await new Promise((resolve) => setTimeout(resolve, 10));
};

interface Envelope<T> { data: T; error?: { code: string } }

describe('orders as events', () => {
  it('accepts an order with 202 and fulfils it from the event, once', async () => {
    const fulfilled: string[] = [];
    const service = await make({ fulfil: (o) => { fulfilled.push(o.id); } });
    const res = await place(service, { sku: 'LAMP-1', quantity: 2 });
    expect(res.status).toBe(202);
    const { id, status } = res.json<Envelope<{ id: string; status: string }>>().data;
    expect(status).toBe('placed');
    const statusOf = async () => (await service.app.request(`/api/v1/orders/${id}`)).json<Envelope<{ status: string }>>().data.status;
    await until(async () => (await statusOf()) === 'fulfilled');
    expect(await statusOf()).toBe('fulfilled');
    expect(fulfilled).toEqual([id]);
  });

  it('redelivers a failing fulfilment and parks it on the dead-letter subject after three tries', async () => {
    let attempts = 0;
    const service = await make({ fulfil: () => { attempts++; throw new Error('warehouse down'); } });
    const parked: string[] = [];
    await service.broker.subscribe(ORDER_DEAD_LETTERS, (m) => { parked.push(new TextDecoder().decode(m.data)); });
    const { id } = (await place(service, { sku: 'LAMP-1', quantity: 1 })).json<Envelope<{ id: string }>>().data;
    await until(() => parked.length > 0);
    expect(attempts).toBe(3);
    expect(parked).toEqual([JSON.stringify({ id })]);
    expect((await service.app.request(`/api/v1/orders/${id}`)).json<Envelope<{ status: string }>>().data.status).toBe('placed');
  });

  it.each([
    { body: { sku: 'lamp', quantity: 1 }, field: 'sku' },
    { body: { sku: 'LAMP-1', quantity: 0 }, field: 'quantity' },
    { body: ['LAMP-1'], field: 'sku' },
  ])('rejects $body without publishing', async ({ body, field }) => {
    const service = await make();
    const published: unknown[] = [];
    await service.broker.subscribe('orders.>', (m) => { published.push(m.subject); });
    const res = await place(service, body);
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.json<Envelope<unknown>>().error)).toContain(field);
    expect(published).toEqual([]);
  });

  it('answers 404 for an unknown order', async () => {
    expect((await (await make()).app.request('/api/v1/orders/nope')).json<Envelope<unknown>>().error?.code).toBe('ORDER_NOT_FOUND');
  });
});
