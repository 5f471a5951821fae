import { afterAll, describe, expect, it } from 'vitest';
import { createRequest } from 'plumego/contract';
import { Backend } from './backend.ts';
import {
  createConsistentHashBalancer,
  createLeastConnectionsBalancer,
  createRandomBalancer,
  createRoundRobinBalancer,
  createWeightedRoundRobinBalancer,
} from './balancer.ts';
import { isGatewayError } from './errors.ts';

const SETTINGS = { connections: 1, keepAliveTimeoutMs: 1000, connectTimeoutMs: 1000, maxResponseHeaderBytes: 16384 };
const made: Backend[] = [];
function backend(name: string, weight = 1): Backend {
  const b = new Backend({ url: `http://${name}.test`, weight }, SETTINGS);
  made.push(b);
  return b;
}
afterAll(async () => {
  await Promise.all(made.map((b) => b.dispatcher.close()));
});

const r = createRequest({ url: '/' });
const weightOf = (b: Backend): number => b.weight;
const names = (list: Backend[]): string => list.map((b) => b.host.replace('.test', '')).join('');

describe('balancers', () => {
  it('round robin cycles through the backends in order', () => {
    const set = [backend('a'), backend('b'), backend('c')];
    const rr = createRoundRobinBalancer();
    expect(names(Array.from({ length: 7 }, () => rr.pick(set, r, weightOf)))).toBe('abcabca');
  });

  it('smooth weighted round robin interleaves a 5:1:1 split as nginx does', () => {
    const set = [backend('a', 5), backend('b'), backend('c')];
    const wrr = createWeightedRoundRobinBalancer();
    expect(names(Array.from({ length: 14 }, () => wrr.pick(set, r, weightOf)))).toBe('aabacaaaabacaa');
  });

  it('weighted round robin follows the effective weight during slow start', () => {
    const set = [backend('a', 2), backend('b', 2)];
    const wrr = createWeightedRoundRobinBalancer();
    const picks = Array.from({ length: 10 }, () => wrr.pick(set, r, (b) => (b === set[1] ? 0.5 : 2)));
    expect(picks.filter((b) => b === set[1])).toHaveLength(2);
  });

  it('random picks by weighted share of the injected draw', () => {
    const set = [backend('a', 3), backend('b', 1)];
    const draws = [0, 0.7, 0.74, 0.76, 0.999];
    const rand = createRandomBalancer(() => draws.shift()!);
    expect(names(Array.from({ length: 5 }, () => rand.pick(set, r, weightOf)))).toBe('aaabb');
  });

  it('least connections picks the lowest in-flight count per unit of weight', () => {
    const [a, b, c] = [backend('a'), backend('b', 4), backend('c')];
    a.inflight = 3;
    b.inflight = 2;
    c.inflight = 1;
    const lc = createLeastConnectionsBalancer();
    expect(lc.pick([a, b, c], r, weightOf)).toBe(b);
    b.inflight = 8;
    expect(lc.pick([a, b, c], r, weightOf)).toBe(c);
  });

  it('consistent hash keeps a client on one backend and moves only the keys of a backend that leaves', () => {
    const set = [backend('a'), backend('b'), backend('c')];
    const ch = createConsistentHashBalancer({ key: { header: 'x-user' } });
    const keys = Array.from({ length: 300 }, (_, i) => `user-${i}`);
    const req = (k: string) => createRequest({ url: '/', headers: { 'x-user': k } });
    const before = keys.map((k) => ch.pick(set, req(k), weightOf));
    expect(keys.map((k) => ch.pick(set, req(k), weightOf))).toEqual(before);
    const counts = new Map<Backend, number>();
    for (const b of before) counts.set(b, (counts.get(b) ?? 0) + 1);
    for (const b of set) expect(counts.get(b)!).toBeGreaterThan(50);
    const without = [set[0]!, set[2]!];
    const after = keys.map((k) => ch.pick(without, req(k), weightOf));
    for (let i = 0; i < keys.length; i++) if (before[i] !== set[1]) expect(after[i]).toBe(before[i]);
  });

  it('consistent hash by IP falls back to the peer address', () => {
    const set = [backend('a'), backend('b')];
    const ch = createConsistentHashBalancer();
    const first = ch.pick(set, r, weightOf);
    for (let i = 0; i < 5; i++) expect(ch.pick(set, r, weightOf)).toBe(first);
  });

  it('consistent hash rejects a bad header name and a bad replica count', () => {
    expect(() => createConsistentHashBalancer({ key: { header: 'bad header' } })).toThrow();
    let caught: unknown;
    try {
      createConsistentHashBalancer({ replicas: 0 });
    } catch (e) {
      caught = e;
    }
    expect(isGatewayError(caught)).toBe(true);
  });
});
