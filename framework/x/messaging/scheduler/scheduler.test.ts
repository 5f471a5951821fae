import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { compileSchedule } from './schedule.ts';
import { Scheduler, type JobRunContext } from './scheduler.ts';
import { SqliteScheduleStore } from './store.ts';

const dir = mkdtempSync(join(tmpdir(), 'plumego-sched-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const T0 = Date.parse('2026-01-10T00:00:00.000Z');

describe('compileSchedule', () => {
  const iso = (n: number | undefined): string | undefined => (n === undefined ? undefined : new Date(n).toISOString());
  const cases: Array<{
    title: string;
    spec: Parameters<typeof compileSchedule>[0];
    after: string;
    expected: string | undefined;
  }> = [
    {
      title: 'cron in a time zone',
      spec: { cron: '0 9 * * *', timezone: 'Europe/Berlin' },
      after: '2026-01-10T00:00:00Z',
      expected: '2026-01-10T08:00:00.000Z',
    },
    {
      title: 'DST spring forward: a skipped local time runs just after the gap',
      spec: { cron: '30 2 * * *', timezone: 'America/New_York' },
      after: '2026-03-07T12:00:00Z',
      expected: '2026-03-08T07:00:00.000Z',
    },
    {
      title: 'DST fall back: a repeated local time runs once, at its first occurrence',
      spec: { cron: '30 1 * * *', timezone: 'America/New_York' },
      after: '2026-10-31T12:00:00Z',
      expected: '2026-11-01T05:30:00.000Z',
    },
    {
      title: 'the day after a fall-back run',
      spec: { cron: '30 1 * * *', timezone: 'America/New_York' },
      after: '2026-11-01T05:30:00Z',
      expected: '2026-11-02T06:30:00.000Z',
    },
    {
      title: 'month end: day 31 skips short months',
      spec: { cron: '0 0 31 * *', timezone: 'UTC' },
      after: '2026-03-31T00:00:00Z',
      expected: '2026-05-31T00:00:00.000Z',
    },
    {
      title: 'leap day',
      spec: { cron: '0 12 29 2 *', timezone: 'UTC' },
      after: '2026-01-01T00:00:00Z',
      expected: '2028-02-29T12:00:00.000Z',
    },
    {
      title: 'intervals align to the epoch',
      spec: { everyMs: 60_000 },
      after: '2026-01-10T00:00:30.500Z',
      expected: '2026-01-10T00:01:00.000Z',
    },
    {
      title: 'one-shot in the future',
      spec: { at: new Date('2026-02-01T00:00:00Z') },
      after: '2026-01-10T00:00:00Z',
      expected: '2026-02-01T00:00:00.000Z',
    },
    {
      title: 'one-shot in the past never runs',
      spec: { at: Date.parse('2026-01-01T00:00:00Z') },
      after: '2026-01-10T00:00:00Z',
      expected: undefined,
    },
  ];
  for (const c of cases) it(c.title, () => expect(iso(compileSchedule(c.spec)(Date.parse(c.after)))).toBe(c.expected));

  it('refuses bad cron expressions, time zones and intervals', () => {
    for (const spec of [
      { cron: '61 * * * *' },
      { cron: 'every day' },
      { cron: '* * * * *', timezone: 'Mars/Olympus' },
      { everyMs: 5 },
      { everyMs: 1.5 },
      { at: Number.NaN },
      {},
    ]) {
      expect(() => compileSchedule(spec as Parameters<typeof compileSchedule>[0])).toThrow(
        expect.objectContaining({ code: 'SCHEDULER_INVALID_SCHEDULE' }),
      );
    }
  });
});

describe('Scheduler (fake clock)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: T0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs a cron job at each occurrence in its time zone', async () => {
    const s = new Scheduler();
    const runs: JobRunContext[] = [];
    s.add({
      id: 'report',
      schedule: { cron: '0 9 * * *', timezone: 'Europe/Berlin' },
      handler: (c) => {
        runs.push(c);
      },
    });
    await s.start();
    await vi.advanceTimersByTimeAsync(2 * 86_400_000);
    expect(runs.map((r) => new Date(r.scheduledAt).toISOString())).toEqual([
      '2026-01-10T08:00:00.000Z',
      '2026-01-11T08:00:00.000Z',
    ]);
    expect(runs[0]!.trigger).toBe('schedule');
    expect(s.list()[0]).toMatchObject({ id: 'report', runs: 2, nextRunAt: Date.parse('2026-01-12T08:00:00.000Z') });
    await s.stop();
  });

  it('runs a one-shot job once and then has nothing scheduled', async () => {
    const s = new Scheduler();
    let runs = 0;
    s.add({
      id: 'once',
      schedule: { at: T0 + 5000 },
      handler: () => {
        runs++;
      },
    });
    await s.start();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(runs).toBe(1);
    expect(s.list()[0]!.nextRunAt).toBeUndefined();
  });

  it('skips an occurrence while the previous run is still going (overlap skip), or runs both (allow)', async () => {
    const s = new Scheduler();
    const active = { skip: 0, allow: 0 };
    const peak = { skip: 0, allow: 0 };
    for (const overlap of ['skip', 'allow'] as const) {
      s.add({
        id: overlap,
        overlap,
        schedule: { everyMs: 100 },
        handler: async () => {
          active[overlap]++;
          peak[overlap] = Math.max(peak[overlap], active[overlap]);
          await new Promise((r) => setTimeout(r, 250));
          active[overlap]--;
        },
      });
    }
    await s.start();
    await vi.advanceTimersByTimeAsync(1000);
    const [skip, allow] = s.list();
    expect(peak.skip).toBe(1);
    expect(skip!.skipped).toBeGreaterThan(0);
    expect(peak.allow).toBeGreaterThan(1);
    expect(allow!.skipped).toBe(0);
    expect(allow!.runs).toBe(10);
    // stop() waits for the running handlers, which wait on the fake clock.
    const stopping = s.stop();
    await vi.advanceTimersByTimeAsync(500);
    await stopping;
    expect(s.list().every((j) => j.running === 0)).toBe(true);
  });

  it('delays each occurrence by its jitter, never before the scheduled time', async () => {
    const s = new Scheduler({ random: () => 0.5 });
    const at: number[] = [];
    s.add({
      id: 'j',
      schedule: { everyMs: 10_000 },
      jitterMs: 4000,
      handler: () => {
        at.push(Date.now());
      },
    });
    await s.start();
    await vi.advanceTimersByTimeAsync(11_999);
    expect(at).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(at).toEqual([T0 + 12_000]);
    await s.stop();
  });

  it('keeps scheduling after a handler throws and reports the error', async () => {
    const errors: unknown[] = [];
    const s = new Scheduler({ onError: (e) => errors.push(e) });
    s.add({
      id: 'bad',
      schedule: { everyMs: 100 },
      handler: () => {
        throw new Error('boom');
      },
    });
    await s.start();
    await vi.advanceTimersByTimeAsync(300);
    expect(s.list()[0]).toMatchObject({ runs: 3, failures: 3 });
    expect(errors).toHaveLength(3);
    await s.stop();
  });

  it('after downtime runs a missed occurrence once (run-once) or not at all (skip), and keeps pauses', async () => {
    const path = join(dir, 'missed.db');
    const first = new Scheduler({ store: new SqliteScheduleStore(path) });
    for (const id of ['catch-up', 'skip-it', 'paused'])
      first.add({ id, schedule: { everyMs: 60_000 }, handler: () => {} });
    await first.start();
    await first.pause('paused');
    await first.stop();
    vi.setSystemTime(T0 + 5 * 60_000 + 1000); // down for five minutes: several occurrences missed

    const runs: Array<[string, JobRunContext['trigger'], number]> = [];
    const second = new Scheduler({ store: new SqliteScheduleStore(path) });
    second.add({
      id: 'catch-up',
      missed: 'run-once',
      schedule: { everyMs: 60_000 },
      handler: (c) => {
        runs.push([c.id, c.trigger, c.scheduledAt]);
      },
    });
    second.add({
      id: 'skip-it',
      missed: 'skip',
      schedule: { everyMs: 60_000 },
      handler: (c) => {
        runs.push([c.id, c.trigger, c.scheduledAt]);
      },
    });
    second.add({
      id: 'paused',
      missed: 'run-once',
      schedule: { everyMs: 60_000 },
      handler: (c) => {
        runs.push([c.id, c.trigger, c.scheduledAt]);
      },
    });
    await second.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toEqual([['catch-up', 'missed', T0 + 60_000]]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(
      runs
        .filter(([, t]) => t === 'schedule')
        .map(([id]) => id)
        .sort(),
    ).toEqual(['catch-up', 'skip-it']);
    expect(second.list().find((j) => j.id === 'paused')).toMatchObject({ paused: true, runs: 0 });
    await second.resume('paused');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(second.list().find((j) => j.id === 'paused')!.runs).toBe(1);
    await second.stop();
  });

  it('triggers a job by hand and refuses unknown ids and bad definitions', async () => {
    const s = new Scheduler();
    const triggers: string[] = [];
    s.add({
      id: 'manual',
      schedule: { cron: '0 0 1 1 *' },
      handler: (c) => {
        triggers.push(c.trigger);
      },
    });
    await s.start();
    await s.trigger('manual');
    await vi.advanceTimersByTimeAsync(0);
    expect(triggers).toEqual(['manual']);
    await expect(s.trigger('nope')).rejects.toMatchObject({ code: 'SCHEDULER_JOB_NOT_FOUND' });
    await expect(s.pause('nope')).rejects.toMatchObject({ code: 'SCHEDULER_JOB_NOT_FOUND' });
    expect(() => s.add({ id: 'manual', schedule: { everyMs: 100 }, handler: () => {} })).toThrow(
      expect.objectContaining({ code: 'SCHEDULER_DUPLICATE_JOB' }),
    );
    expect(() => s.add({ id: 'bad id', schedule: { everyMs: 100 }, handler: () => {} })).toThrow(
      expect.objectContaining({ code: 'SCHEDULER_INVALID_OPTIONS' }),
    );
    expect(() => s.add({ id: 'j', schedule: { everyMs: 100 }, jitterMs: -1, handler: () => {} })).toThrow(
      expect.objectContaining({ code: 'SCHEDULER_INVALID_OPTIONS' }),
    );
    expect(() => s.add({ id: 'c', schedule: { cron: 'nope' }, handler: () => {} })).toThrow(
      expect.objectContaining({ code: 'SCHEDULER_INVALID_SCHEDULE' }),
    );
    await s.stop();
  });
});
