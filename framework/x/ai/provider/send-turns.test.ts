import { describe, expect, it } from 'vitest';
import { openCallScope } from './call-scope.ts';
import { AI_PROVIDER_ERROR_CODES } from './errors.ts';
import { httpStream } from './http-stream.ts';
import { STREAM_PUSH } from './push.ts';
import { sendInTurn, turn } from './send-turns.ts';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('sendInTurn', () => {
  it('sends on later turns, one per turn, in the order asked', async () => {
    const sent: string[] = [];
    sendInTurn(() => sent.push('a'));
    sendInTurn(() => sent.push('b'));
    sendInTurn(() => sent.push('c'));
    expect(sent).toEqual([]);
    await Promise.resolve();
    expect(sent).toEqual([]);
    await nextTurn();
    expect(sent).toEqual(['a']);
    await nextTurn();
    expect(sent).toEqual(['a', 'b']);
    await nextTurn();
    expect(sent).toEqual(['a', 'b', 'c']);
  });

  it('keeps the order when a send asks for another, and turn() waits its place', async () => {
    const sent: string[] = [];
    sendInTurn(() => {
      sent.push('a');
      sendInTurn(() => sent.push('a2'));
    });
    const waited = turn().then(() => sent.push('t'));
    await waited;
    expect(sent).toEqual(['a', 't']);
    await nextTurn();
    expect(sent).toEqual(['a', 't', 'a2']);
  });
});

describe('a push stream waiting for its turn', () => {
  function fakeStream(sends: { count: number }) {
    return httpStream('fake', () => ({
      scope: openCallScope(undefined, 60_000, 30_000),
      decoder: { push: () => undefined, end: () => undefined },
      send: () => {
        sends.count++;
        return Promise.reject(new Error('refused'));
      },
    }));
  }

  it('sends nothing when cancelled before its turn, and its sink hears nothing', async () => {
    const sends = { count: 0 };
    const ended: unknown[] = [];
    const control = fakeStream(sends)[STREAM_PUSH]({ events: () => true, end: (e) => ended.push(e) });
    control.cancel();
    for (let i = 0; i < 3; i++) await nextTurn();
    expect(sends.count).toBe(0);
    expect(ended).toEqual([]);
  });

  it('sends on its turn and ends with the typed failure of the send', async () => {
    const sends = { count: 0 };
    const ended: unknown[] = [];
    fakeStream(sends)[STREAM_PUSH]({ events: () => true, end: (e) => ended.push(e) });
    expect(sends.count).toBe(0);
    await expect.poll(() => ended.length).toBe(1);
    expect(sends.count).toBe(1);
    expect(ended[0]).toMatchObject({ code: AI_PROVIDER_ERROR_CODES.upstream });
  });
});
