/** A stored variant of one asset. */
export type Encoding = 'br' | 'gzip' | 'identity';

const SUFFIX: Record<Exclude<Encoding, 'identity'>, string> = { br: '.br', gzip: '.gz' };

export function getVariantSuffix(encoding: Exclude<Encoding, 'identity'>): string {
  return SUFFIX[encoding];
}

function parseAcceptEncoding(header: string): Map<string, number> {
  const q = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    if (name === '') continue;
    let weight = 1;
    for (const p of params) {
      const [k, v] = p.trim().split('=');
      if (k === 'q' && v !== undefined) weight = Number.isFinite(Number(v)) ? Math.min(1, Math.max(0, Number(v))) : 0;
    }
    q.set(name, weight);
  }
  return q;
}

/**
 * Picks the best stored variant for Accept-Encoding. Returns undefined when the client refuses identity
 * and no acceptable variant exists (a 406). Ties prefer br, then gzip, then identity: smaller first.
 */
export function selectEncoding(header: string | undefined, available: ReadonlySet<Encoding>): Encoding | undefined {
  if (header === undefined) return 'identity';
  const q = parseAcceptEncoding(header);
  const star = q.get('*');
  const weight = (e: Encoding): number => {
    const name = e === 'gzip' ? (q.has('gzip') ? 'gzip' : 'x-gzip') : e;
    // Identity is acceptable unless refused explicitly or by `*;q=0` (RFC 9110 §12.5.3), but when the
    // client did not rank it, any acceptable compressed variant is preferred.
    if (q.has(name)) return q.get(name)!;
    if (e === 'identity') return star === 0 ? 0 : Number.MIN_VALUE;
    return star ?? 0;
  };
  let best: Encoding | undefined;
  let bestQ = 0;
  for (const e of ['br', 'gzip', 'identity'] as const) {
    if (!available.has(e) && e !== 'identity') continue;
    const w = weight(e);
    if (w > bestQ) {
      best = e;
      bestQ = w;
    }
  }
  return best;
}
