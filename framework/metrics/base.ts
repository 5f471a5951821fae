import { HTTP_REQUEST_METRIC, type AggregateCollector, type CollectorStats, type MetricRecord } from './collector.ts';

/**
 * Counts records in memory: totals, errors (an `error` field, or HTTP status ≥ 400), series and a
 * per-name breakdown. A reference implementation and a test double; exporters live in
 * x/observability.
 */
export class BaseMetricsCollector implements AggregateCollector {
  #total = 0;
  #errors = 0;
  #start = new Date();
  readonly #series = new Set<string>();
  readonly #byName = new Map<string, number>();
  /** HTTP series seen: method → route → statuses (nested lookups on strings Node and the router reuse). */
  readonly #httpSeries = new Map<string, Map<string, Set<number>>>();
  #httpSeriesCount = 0;

  record(record: MetricRecord): void {
    this.#count(record.name, record.labels, record.error !== undefined);
  }

  observeHTTP(method: string, route: string, status: number, _bytes: number, _durationMs: number): void {
    this.#total++;
    if (status >= 400) this.#errors++;
    this.#byName.set(HTTP_REQUEST_METRIC, (this.#byName.get(HTTP_REQUEST_METRIC) ?? 0) + 1);
    let byRoute = this.#httpSeries.get(method);
    if (byRoute === undefined) this.#httpSeries.set(method, (byRoute = new Map()));
    let statuses = byRoute.get(route);
    if (statuses === undefined) byRoute.set(route, (statuses = new Set()));
    if (!statuses.has(status)) {
      statuses.add(status);
      this.#httpSeriesCount++;
    }
  }

  getStats(): CollectorStats {
    return {
      totalRecords: this.#total,
      errorRecords: this.#errors,
      activeSeries: this.#series.size + this.#httpSeriesCount,
      startTime: this.#start,
      nameBreakdown: Object.fromEntries(this.#byName),
    };
  }

  clear(): void {
    this.#total = 0;
    this.#errors = 0;
    this.#start = new Date();
    this.#series.clear();
    this.#byName.clear();
    this.#httpSeries.clear();
    this.#httpSeriesCount = 0;
  }

  #count(name: string, labels: Readonly<Record<string, string>> | undefined, isError: boolean): void {
    this.#total++;
    if (isError) this.#errors++;
    this.#byName.set(name, (this.#byName.get(name) ?? 0) + 1);
    let key = name;
    if (labels) for (const k of Object.keys(labels).sort()) key += `|${k}=${labels[k]}`;
    this.#series.add(key);
  }
}

/** Drops everything; `getStats` reports zeros. */
export class NoopCollector implements AggregateCollector {
  readonly #start = new Date();
  record(_record: MetricRecord): void {}
  observeHTTP(_method: string, _route: string, _status: number, _bytes: number, _durationMs: number): void {}
  getStats(): CollectorStats {
    return { totalRecords: 0, errorRecords: 0, activeSeries: 0, startTime: this.#start, nameBreakdown: {} };
  }
  clear(): void {}
}

/** A shared no-op collector. */
export function createNoopCollector(): AggregateCollector {
  return new NoopCollector();
}
