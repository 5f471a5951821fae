import type { AggregateCollector, CollectorStats, MetricRecord } from './collector.ts';

type Part = Partial<AggregateCollector> | null | undefined;

/**
 * Fans every call out to several collectors. Nil entries are skipped, a collector that lacks a
 * method is skipped for that method, and one that throws does not stop the others. Stats are the
 * sums of the parts' stats (series may double-count).
 */
export class MultiCollector implements AggregateCollector {
  readonly #parts: Partial<AggregateCollector>[];
  readonly #start = new Date();

  constructor(parts: readonly Part[]) {
    this.#parts = parts.filter((p): p is Partial<AggregateCollector> => p !== null && p !== undefined);
  }

  record(record: MetricRecord): void {
    for (const p of this.#parts) safe(() => p.record?.(record));
  }
  observeHTTP(method: string, route: string, status: number, bytes: number, durationMs: number): void {
    for (const p of this.#parts) safe(() => p.observeHTTP?.(method, route, status, bytes, durationMs));
  }
  getStats(): CollectorStats {
    let total = 0;
    let errors = 0;
    let series = 0;
    let start = this.#start;
    const names: Record<string, number> = {};
    for (const p of this.#parts) {
      const s = p.getStats?.();
      if (!s) continue;
      total += s.totalRecords;
      errors += s.errorRecords;
      series += s.activeSeries;
      if (s.startTime < start) start = s.startTime;
      for (const [k, v] of Object.entries(s.nameBreakdown)) names[k] = (names[k] ?? 0) + v;
    }
    return { totalRecords: total, errorRecords: errors, activeSeries: series, startTime: start, nameBreakdown: names };
  }
  clear(): void {
    for (const p of this.#parts) safe(() => p.clear?.());
  }
}

function safe(fn: () => void): void {
  try {
    fn();
  } catch {
    // A broken collector must not break the request or the other collectors.
  }
}

/** Shorthand for `new MultiCollector(parts)`. */
export function createMultiCollector(...parts: Part[]): MultiCollector {
  return new MultiCollector(parts);
}
