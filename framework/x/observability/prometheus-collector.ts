import type { AggregateCollector, CollectorStats, MetricRecord } from 'plumego/metrics';
import { Registry, Summary, collectDefaultMetrics } from 'prom-client';
import { assertOption } from './errors.ts';
import { HttpSeriesStore, type HttpSeries } from './http-series.ts';

export interface PrometheusCollectorOptions {
  /** Metric name prefix. Default 'plumego'. */
  namespace?: string;
  /** Most label combinations across all metrics; beyond it HTTP series fold into route="__overflow__" and other records are dropped. Default 10,000. */
  maxSeries?: number;
  /** Request duration buckets in seconds. Default 1 ms … 10 s. */
  buckets?: readonly number[];
  /** Process and Node runtime metrics (CPU, memory, heap, GC, event-loop lag, handles). Default true. */
  runtimeMetrics?: boolean;
  /** Labels added to every series (e.g. `{ service: 'orders' }`). Default none. */
  defaultLabels?: Readonly<Record<string, string>>;
}

export interface ResolvedPrometheusCollectorOptions {
  readonly namespace: string;
  readonly maxSeries: number;
  readonly buckets: readonly number[];
  readonly runtimeMetrics: boolean;
  readonly defaultLabels: Readonly<Record<string, string>>;
}

export const DEFAULT_PROMETHEUS_OPTIONS = {
  namespace: 'plumego',
  maxSeries: 10_000,
  buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  runtimeMetrics: true,
} as const;

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function resolvePrometheusCollectorOptions(
  o: PrometheusCollectorOptions = {},
): ResolvedPrometheusCollectorOptions {
  const d = DEFAULT_PROMETHEUS_OPTIONS;
  const r = {
    namespace: o.namespace ?? d.namespace,
    maxSeries: o.maxSeries ?? d.maxSeries,
    buckets: [...(o.buckets ?? d.buckets)],
    runtimeMetrics: o.runtimeMetrics ?? d.runtimeMetrics,
    defaultLabels: { ...o.defaultLabels },
  };
  assertOption(METRIC_NAME.test(r.namespace), 'namespace');
  assertOption(Number.isInteger(r.maxSeries) && r.maxSeries > 0, 'maxSeries');
  assertOption(
    r.buckets.length > 0 &&
      r.buckets.every((b, i) => Number.isFinite(b) && b > 0 && (i === 0 || b > r.buckets[i - 1]!)),
    'buckets',
  );
  assertOption(
    Object.keys(r.defaultLabels).every((k) => LABEL_NAME.test(k) && !k.startsWith('__')),
    'defaultLabels',
  );
  return r;
}

// Methods are client-controlled; anything else is reported as OTHER so it cannot grow the label set.
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'CONNECT', 'TRACE']);
export const OVERFLOW_ROUTE = '__overflow__';
export const UNMATCHED_ROUTE = '__unmatched__';

interface RecordMetric {
  readonly summary: Summary;
  readonly labelNames: readonly string[];
  readonly seen: Set<string>;
}

/**
 * The metrics contracts (`Recorder`, `HTTPObserver`, `StatsReader`, `Resetter`) on prom-client, in a
 * private registry (never the global one). HTTP requests become `<ns>_http_requests_total` and the
 * `<ns>_http_request_duration_seconds` histogram, labelled method/route/status where route is the
 * matched pattern; label values are bounded (methods folded to OTHER, a series cap with an overflow
 * series), so a flood of odd paths or methods cannot exhaust memory.
 */
export class PrometheusCollector implements AggregateCollector {
  readonly registry: Registry;
  readonly options: ResolvedPrometheusCollectorOptions;
  readonly #http: HttpSeriesStore;
  readonly #records = new Map<string, RecordMetric>();
  #series = 0;
  #total = 0;
  #errors = 0;
  #overflowed = 0;
  #start = new Date();
  #breakdown: Record<string, number> = {};

  constructor(options: PrometheusCollectorOptions = {}) {
    const o = resolvePrometheusCollectorOptions(options);
    this.options = o;
    this.registry = new Registry();
    this.registry.setDefaultLabels({ ...o.defaultLabels });
    const ns = o.namespace;
    this.#http = new HttpSeriesStore(ns, o.buckets, this.registry);
    if (o.runtimeMetrics) collectDefaultMetrics({ register: this.registry, prefix: `${ns}_` });
  }

  /** Label combinations in use (HTTP and records). */
  get activeSeries(): number {
    return this.#series;
  }

  /** Observations folded into the overflow series or dropped because of `maxSeries`. */
  get overflowed(): number {
    return this.#overflowed;
  }

  observeHTTP(method: string, route: string, status: number, _bytes: number, durationMs: number): void {
    const m = METHODS.has(method) ? method : 'OTHER';
    const rt = route === '' ? UNMATCHED_ROUTE : route;
    const key = `${m} ${status} ${rt}`;
    const s = this.#http.series.get(key) ?? this.#newHttpSeries(key, m, rt, status);
    this.#http.observe(s, durationMs / 1000);
    this.#total++;
    if (status >= 400) this.#errors++;
    this.#breakdown['http_request'] = (this.#breakdown['http_request'] ?? 0) + 1;
  }

  record(record: MetricRecord): void {
    try {
      this.#record(record);
    } catch {
      // The Recorder contract: never throw into the caller.
      this.#overflowed++;
    }
  }

  getStats(): CollectorStats {
    return {
      totalRecords: this.#total,
      errorRecords: this.#errors,
      activeSeries: this.#series,
      startTime: this.#start,
      nameBreakdown: { ...this.#breakdown },
    };
  }

  /** Zeroes every metric and forgets all series (the registry keeps its metric definitions). */
  clear(): void {
    this.registry.resetMetrics();
    this.#http.series.clear();
    for (const r of this.#records.values()) r.seen.clear();
    this.#series = 0;
    this.#total = 0;
    this.#errors = 0;
    this.#overflowed = 0;
    this.#start = new Date();
    this.#breakdown = {};
  }

  /** The text exposition of every metric in this collector's registry. */
  readMetrics(): Promise<string> {
    return this.registry.metrics();
  }

  #newHttpSeries(key: string, method: string, route: string, status: number): HttpSeries {
    if (this.#series < this.options.maxSeries) {
      this.#series++;
      return this.#http.create(key, method, route, status);
    }
    this.#overflowed++;
    // Only the folded key is remembered past the cap, so the map stays bounded too.
    const k = `${method} ${status} ${OVERFLOW_ROUTE}`;
    const existing = this.#http.series.get(k);
    if (existing !== undefined) return existing;
    this.#series++;
    return this.#http.create(k, method, OVERFLOW_ROUTE, status);
  }

  #record(rec: MetricRecord): void {
    if (!METRIC_NAME.test(rec.name) || !Number.isFinite(rec.value)) {
      this.#errors++;
      return;
    }
    const labels = rec.labels ?? {};
    const names = Object.keys(labels).sort();
    let metric = this.#records.get(rec.name);
    if (metric === undefined) {
      if (!names.every((n) => LABEL_NAME.test(n) && !n.startsWith('__'))) return void this.#errors++;
      metric = {
        summary: new Summary({
          name: `${this.options.namespace}_${rec.name}`,
          help: `Records named ${rec.name}.`,
          labelNames: names,
          percentiles: [],
          registers: [this.registry],
        }),
        labelNames: names,
        seen: new Set(),
      };
      this.#records.set(rec.name, metric);
    }
    // prom-client fixes a metric's label names at creation; a record with other names is refused.
    if (names.length !== metric.labelNames.length || names.some((n, i) => n !== metric.labelNames[i]))
      return void this.#errors++;
    const key = names.map((n) => labels[n]).join('\u0000');
    if (!metric.seen.has(key)) {
      if (this.#series >= this.options.maxSeries) return void this.#overflowed++;
      metric.seen.add(key);
      this.#series++;
    }
    metric.summary.observe({ ...labels }, rec.value);
    this.#total++;
    if (rec.error !== undefined) this.#errors++;
    this.#breakdown[rec.name] = (this.#breakdown[rec.name] ?? 0) + 1;
  }
}

/** Creates a collector with a private registry; bad options throw here. */
export function createPrometheusCollector(options: PrometheusCollectorOptions = {}): PrometheusCollector {
  return new PrometheusCollector(options);
}
