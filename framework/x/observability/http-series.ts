import { Counter, Histogram, type MetricType, type Registry } from 'prom-client';

type HttpLabel = 'method' | 'route' | 'status' | 'le';

const REQUESTS_HELP = 'HTTP requests by method, route pattern and status.';
const DURATION_HELP = 'HTTP request duration by method, route pattern and status.';
const noCollect = (): void => undefined;
// prom-client's typings declare MetricType as an enum its JavaScript does not export; the registry
// only reads these strings.
const COUNTER = 'counter' as unknown as MetricType;
const HISTOGRAM = 'histogram' as unknown as MetricType;

/** One method/route/status combination and what was observed for it. */
export interface HttpSeries {
  readonly labels: { readonly method: string; readonly route: string; readonly status: string };
  count: number;
  sum: number;
  /** Observations per bucket (not cumulative); one slot per upper bound. */
  readonly buckets: Float64Array;
}

/**
 * The request path only updates plain numbers on a series object (a few ns); prom-client's own
 * `observe`/`inc` would validate and hash the label set on every call (~0.7 µs for both). These
 * metric classes keep prom-client's names, help, types and text exposition and read the series
 * when the registry is scraped, through the `get()` every prom-client metric implements.
 */
export class HttpSeriesStore {
  readonly series = new Map<string, HttpSeries>();
  readonly bounds: readonly number[];

  constructor(ns: string, bounds: readonly number[], registry: Registry) {
    this.bounds = bounds;
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the series objects below close over the store
    const store = this;
    const requestsName = `${ns}_http_requests_total`;
    const durationName = `${ns}_http_request_duration_seconds`;
    class RequestCounter extends Counter<HttpLabel> {
      override async get() {
        const values = [...store.series.values()].map((s) => ({ labels: s.labels, value: s.count }));
        return {
          name: requestsName,
          help: REQUESTS_HELP,
          type: COUNTER,
          aggregator: 'sum' as const,
          collect: noCollect,
          values,
        };
      }
    }
    class DurationHistogram extends Histogram<HttpLabel> {
      override async get() {
        const values: { labels: Partial<Record<HttpLabel, string | number>>; value: number; metricName: string }[] = [];
        for (const s of store.series.values()) {
          let cumulative = 0;
          for (let i = 0; i < bounds.length; i++) {
            cumulative += s.buckets[i]!;
            values.push({
              labels: { ...s.labels, le: bounds[i]! },
              value: cumulative,
              metricName: `${durationName}_bucket`,
            });
          }
          values.push({ labels: { ...s.labels, le: '+Inf' }, value: s.count, metricName: `${durationName}_bucket` });
          values.push({ labels: s.labels, value: s.sum, metricName: `${durationName}_sum` });
          values.push({ labels: s.labels, value: s.count, metricName: `${durationName}_count` });
        }
        return {
          name: durationName,
          help: DURATION_HELP,
          type: HISTOGRAM,
          aggregator: 'sum' as const,
          collect: noCollect,
          values,
        };
      }
      // The registry prefers this (untyped) method over get() for the text format; both read the series.
      getForPromString() {
        return this.get();
      }
    }
    new RequestCounter({
      name: requestsName,
      help: REQUESTS_HELP,
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    });
    new DurationHistogram({
      name: durationName,
      help: DURATION_HELP,
      labelNames: ['method', 'route', 'status'],
      buckets: [...bounds],
      registers: [registry],
    });
  }

  create(key: string, method: string, route: string, status: number): HttpSeries {
    const s: HttpSeries = {
      labels: { method, route, status: String(status) },
      count: 0,
      sum: 0,
      buckets: new Float64Array(this.bounds.length),
    };
    this.series.set(key, s);
    return s;
  }

  observe(s: HttpSeries, seconds: number): void {
    s.count++;
    s.sum += seconds;
    const b = this.bounds;
    // Values above the last bound only count towards +Inf (count).
    for (let i = 0; i < b.length; i++) {
      if (seconds <= b[i]!) {
        s.buckets[i]!++;
        return;
      }
    }
  }
}
