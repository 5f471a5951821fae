import { createHash } from 'node:crypto';
import type { Request } from 'plumego/contract';
import type { Backend } from './backend.ts';
import { assertGatewayOption } from './errors.ts';

/**
 * Chooses a backend for one request among the available ones (never empty). `effectiveWeight`
 * scales a backend's weight during slow start (0 < w ≤ weight).
 */
export interface Balancer {
  readonly name: string;
  pick(backends: readonly Backend[], r: Request, effectiveWeight: (b: Backend) => number): Backend;
}

/** Plain rotation; ignores weights. */
export function createRoundRobinBalancer(): Balancer {
  let next = 0;
  return {
    name: 'round_robin',
    pick(backends) {
      const b = backends[next % backends.length]!;
      next = (next + 1) % 1_000_000_007;
      return b;
    },
  };
}

/**
 * Smooth weighted round robin (nginx): every pick adds each weight to its running score, takes the
 * highest and subtracts the total, so a 5:1:1 split interleaves instead of bursting.
 */
export function createWeightedRoundRobinBalancer(): Balancer {
  const current = new Map<string, number>();
  return {
    name: 'weighted_round_robin',
    pick(backends, _r, effectiveWeight) {
      let total = 0;
      let best: Backend | undefined;
      let bestScore = -Infinity;
      for (const b of backends) {
        const w = effectiveWeight(b);
        total += w;
        const score = (current.get(b.id) ?? 0) + w;
        current.set(b.id, score);
        if (score > bestScore) {
          bestScore = score;
          best = b;
        }
      }
      current.set(best!.id, bestScore - total);
      return best!;
    },
  };
}

/** Uniform random choice weighted by effective weight; `random` is injectable for tests. */
export function createRandomBalancer(random: () => number = Math.random): Balancer {
  return {
    name: 'random',
    pick(backends, _r, effectiveWeight) {
      let total = 0;
      for (const b of backends) total += effectiveWeight(b);
      let x = random() * total;
      for (const b of backends) {
        x -= effectiveWeight(b);
        if (x < 0) return b;
      }
      return backends[backends.length - 1]!;
    },
  };
}

/** Fewest requests in flight relative to weight; ties go to the earlier backend. */
export function createLeastConnectionsBalancer(): Balancer {
  return {
    name: 'least_connections',
    pick(backends, _r, effectiveWeight) {
      let best = backends[0]!;
      let bestLoad = best.inflight / effectiveWeight(best);
      for (let i = 1; i < backends.length; i++) {
        const b = backends[i]!;
        const load = b.inflight / effectiveWeight(b);
        if (load < bestLoad) {
          best = b;
          bestLoad = load;
        }
      }
      return best;
    },
  };
}

function hash32(key: string): number {
  return createHash('sha1').update(key).digest().readUInt32BE(0);
}

/** Where a consistent-hash key comes from. */
export type HashKeySource = { ip: true } | { header: string };

export interface ConsistentHashOptions {
  /** Hash the client address (`{ ip: true }`, default) or a request header (`{ header: 'x-user-id' }`). */
  key?: HashKeySource;
  /** Ring points per unit of weight. Default 100. */
  replicas?: number;
}

/**
 * A hash ring (Karger et al.): a key keeps its backend while the set is stable, and only keys owned
 * by a backend that leaves move. Requests without the header fall back to the client address.
 */
export function createConsistentHashBalancer(options: ConsistentHashOptions = {}): Balancer {
  const replicas = options.replicas ?? 100;
  assertGatewayOption(
    Number.isInteger(replicas) && replicas >= 1 && replicas <= 1000,
    'replicas',
    'an integer between 1 and 1000',
  );
  const source = options.key ?? { ip: true };
  const header = 'header' in source ? source.header.toLowerCase() : undefined;
  assertGatewayOption(header === undefined || /^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(header), 'key.header', 'a header name');
  let ringKey = '';
  let points: Uint32Array = new Uint32Array(0);
  let owners: Backend[] = [];
  const build = (backends: readonly Backend[]): void => {
    const entries: [number, Backend][] = [];
    for (const b of backends) for (let i = 0; i < replicas * b.weight; i++) entries.push([hash32(`${b.id}#${i}`), b]);
    entries.sort((a, b) => a[0] - b[0]);
    points = Uint32Array.from(entries, (e) => e[0]);
    owners = entries.map((e) => e[1]);
  };
  return {
    name: 'consistent_hash',
    pick(backends, r) {
      const key = backends.map((b) => b.id).join('\n');
      if (key !== ringKey) {
        build(backends);
        ringKey = key;
      }
      const raw = header === undefined ? undefined : r.header(header);
      const h = hash32(raw ?? r.remoteAddress);
      let lo = 0;
      let hi = points.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (points[mid]! < h) lo = mid + 1;
        else hi = mid;
      }
      return owners[lo === points.length ? 0 : lo]!;
    },
  };
}
