import { describe, it, expect, afterAll, inject } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { Leaderboard } from './leaderboard.ts';

const url = inject('services').redis;
const key = `plumego-test:board:${randomBytes(4).toString('hex')}`;

describe.skipIf(!url)('Leaderboard on a Redis sorted set', () => {
  const redis = url ? new Redis(url) : undefined;
  afterAll(async () => {
    await redis?.del(key, `${key}:asc`);
    redis?.disconnect();
  });

  it('ranks by score with stable ties, increments atomically and pages', async () => {
    const board = new Leaderboard({ redis: redis as Redis, key });
    await board.setScore('ann', 50);
    await board.setScore('bob', 70);
    await board.setScore('cid', 70);
    await Promise.all(Array.from({ length: 10 }, () => board.incrementScore('dan', 3)));
    expect(await board.getScore('dan')).toBe(30);
    expect(await board.readPage(0, 2)).toEqual([
      { member: 'cid', score: 70, rank: 0 },
      { member: 'bob', score: 70, rank: 1 },
    ]);
    expect(await board.getRank('ann')).toBe(2);
    expect(await board.getRank('nobody')).toBeUndefined();
    expect(await board.getScore('nobody')).toBeUndefined();
    expect((await board.readAround('ann', 1)).map((e) => e.member)).toEqual(['bob', 'ann', 'dan']);
    expect(await board.readAround('nobody', 1)).toEqual([]);
    expect(await board.remove('dan')).toBe(true);
    expect(await board.remove('dan')).toBe(false);
    expect(await board.size()).toBe(3);
  });

  it('orders ascending when asked and refuses bad input', async () => {
    const board = new Leaderboard({ redis: redis as Redis, key: `${key}:asc`, order: 'asc' });
    await board.setScore('fast', 9.5);
    await board.setScore('slow', 31.25);
    expect((await board.readPage(0, 10)).map((e) => e.member)).toEqual(['fast', 'slow']);
    await expect(board.setScore('', 1)).rejects.toMatchObject({ code: 'PLUMEGO_ERR_CACHE_INVALID_KEY' });
    await expect(board.setScore('x', Number.NaN)).rejects.toMatchObject({ code: 'PLUMEGO_ERR_CACHE_INVALID_VALUE' });
    await expect(board.incrementScore('x', Infinity)).rejects.toMatchObject({
      code: 'PLUMEGO_ERR_CACHE_INVALID_VALUE',
    });
    await expect(board.readPage(-1, 5)).rejects.toMatchObject({ code: 'PLUMEGO_ERR_CACHE_INVALID_VALUE' });
    await expect(board.readPage(0, 0)).rejects.toMatchObject({ code: 'PLUMEGO_ERR_CACHE_INVALID_VALUE' });
    expect(() => new Leaderboard({ redis: redis as Redis, key: '' })).toThrow(
      expect.objectContaining({ reason: 'field:key' }),
    );
    expect(() => new Leaderboard({ redis: redis as Redis, key, order: 'sideways' as never })).toThrow(
      expect.objectContaining({ reason: 'field:order' }),
    );
  });
});
