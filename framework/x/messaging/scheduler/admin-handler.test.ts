import { BufferedResponseWriter, createRequest } from 'plumego/contract';
import { describe, expect, it } from 'vitest';
import { createSchedulerAdminHandler } from './admin-handler.ts';
import { Scheduler } from './scheduler.ts';

const TOKEN = 'admin-token-0123456789';

async function call(
  handler: ReturnType<typeof createSchedulerAdminHandler>,
  method: string,
  url: string,
  token?: string,
) {
  const w = new BufferedResponseWriter();
  await handler(
    w,
    createRequest({ method, url, headers: token === undefined ? {} : { authorization: `Bearer ${token}` } }),
  );
  const text = w.getBody().toString();
  return {
    status: w.status,
    header: (n: string) => w.getHeader(n),
    json: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
  };
}

describe('scheduler admin handler', () => {
  const setup = async () => {
    const s = new Scheduler();
    let runs = 0;
    s.add({
      id: 'nightly',
      schedule: { cron: '0 3 * * *', timezone: 'UTC' },
      handler: () => {
        runs++;
      },
    });
    await s.start();
    return { s, handler: createSchedulerAdminHandler(s, { token: TOKEN }), runs: () => runs };
  };

  it('lists, pauses, resumes and triggers jobs for an authorised caller', async () => {
    const { s, handler, runs } = await setup();
    const list = await call(handler, 'GET', '/admin/scheduler/jobs', TOKEN);
    expect(list.status).toBe(200);
    expect(JSON.stringify(list.json)).toContain('"nightly"');
    expect((await call(handler, 'POST', '/admin/scheduler/jobs/nightly/pause', TOKEN)).status).toBe(200);
    expect(s.list()[0]!.paused).toBe(true);
    expect((await call(handler, 'POST', '/admin/scheduler/jobs/nightly/resume', TOKEN)).status).toBe(200);
    expect(s.list()[0]!.paused).toBe(false);
    expect((await call(handler, 'POST', '/admin/scheduler/jobs/nightly/trigger', TOKEN)).status).toBe(202);
    await new Promise((r) => setTimeout(r, 5));
    expect(runs()).toBe(1);
    await s.stop();
  });

  it('refuses missing and wrong tokens before doing anything', async () => {
    const { s, handler } = await setup();
    for (const token of [undefined, 'wrong', `${TOKEN}x`, TOKEN.slice(0, -1)]) {
      const res = await call(handler, 'POST', '/admin/scheduler/jobs/nightly/pause', token);
      expect(res.status).toBe(401);
      expect(res.header('www-authenticate')).toBe('Bearer');
      expect(JSON.stringify(res.json)).toContain('SCHEDULER_UNAUTHORIZED');
    }
    expect(s.list()[0]!.paused).toBe(false);
    await s.stop();
  });

  it('answers 404 for unknown jobs and paths and 405 for wrong methods', async () => {
    const { s, handler } = await setup();
    expect((await call(handler, 'POST', '/admin/scheduler/jobs/ghost/pause', TOKEN)).status).toBe(404);
    expect((await call(handler, 'GET', '/admin/scheduler/other', TOKEN)).status).toBe(404);
    expect((await call(handler, 'POST', '/admin/scheduler/jobs', TOKEN)).status).toBe(405);
    expect((await call(handler, 'GET', '/admin/scheduler/jobs/nightly/pause', TOKEN)).status).toBe(405);
    await s.stop();
  });

  it('cannot be built without a guard, and an authorize guard can refuse', async () => {
    const s = new Scheduler();
    expect(() => createSchedulerAdminHandler(s, {})).toThrow(
      expect.objectContaining({ code: 'SCHEDULER_INVALID_OPTIONS' }),
    );
    expect(() => createSchedulerAdminHandler(s, { token: 'short' })).toThrow(
      expect.objectContaining({ code: 'SCHEDULER_INVALID_OPTIONS' }),
    );
    const guarded = createSchedulerAdminHandler(s, { authorize: (r) => r.header('x-role') === 'admin' });
    const w = new BufferedResponseWriter();
    await guarded(w, createRequest({ method: 'GET', url: '/admin/scheduler/jobs', headers: { 'x-role': 'user' } }));
    expect(w.status).toBe(401);
  });
});
