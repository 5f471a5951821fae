/** One measurement. */
export interface MetricRecord {
  readonly name: string;
  readonly value: number;
  readonly labels?: Readonly<Record<string, string>>;
  /** When it happened. Default: when recorded. */
  readonly timestamp?: Date;
  /** Duration in milliseconds, for timed operations. */
  readonly durationMs?: number;
  /** Set when the measured operation failed; counted in `errorRecords`. */
  readonly error?: unknown;
}

/** Accepts generic records. Must be cheap and must never throw. */
export interface Recorder {
  record(record: MetricRecord): void;
}

/**
 * Observes finished HTTP requests. Positional arguments so the hot path allocates nothing.
 * `route` is the matched pattern (`/users/:id`), never the raw path, or '' when nothing matched.
 */
export interface HTTPObserver {
  observeHTTP(method: string, route: string, status: number, bytes: number, durationMs: number): void;
}

/** Counters a collector exposes for dashboards and tests. */
export interface CollectorStats {
  readonly totalRecords: number;
  readonly errorRecords: number;
  /** Distinct name+labels combinations seen. */
  readonly activeSeries: number;
  readonly startTime: Date;
  /** Records per metric name. */
  readonly nameBreakdown: Readonly<Record<string, number>>;
}

export interface StatsReader {
  getStats(): CollectorStats;
}

export interface Resetter {
  clear(): void;
}

/** A collector that does all four. */
export interface AggregateCollector extends Recorder, HTTPObserver, StatsReader, Resetter {}

/** Name of the record built from an HTTP observation. */
export const HTTP_REQUEST_METRIC = 'http_request';

/** The generic record for an HTTP observation: value in seconds; labels method, path, status. */
export function createHTTPRecord(
  method: string,
  route: string,
  status: number,
  bytes: number,
  durationMs: number,
): MetricRecord {
  return {
    name: HTTP_REQUEST_METRIC,
    value: durationMs / 1000,
    durationMs,
    labels: { method, path: route, status: String(status), bytes: String(bytes) },
    ...(status >= 400 ? { error: status } : {}),
  };
}
