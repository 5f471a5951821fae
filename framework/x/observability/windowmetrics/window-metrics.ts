import type { HTTPObserver, MetricRecord, Recorder } from 'plumego/metrics';
import { assertOption } from './errors.ts';
import { WindowSeries, type WindowStats } from './window-series.ts';

export interface WindowMetricsOptions {
  /** Length of the sliding window. Default 60,000 ms. */
  windowMs?: number;
  /** Slices the window is cut into (resolution = windowMs / slices). Default 60. */
  slices?: number;
  /** Most series (name + labels); observations for new series beyond it are dropped and counted. Default 1,000. */
  maxSeries?: number;
  /** Values kept per slice for percentiles. Default 128. */
  samplesPerSlice?: number;
  /** Clock in ms, for tests. Default Date.now. */
  now?: () => number;
}

/**
 * "What happened in the last minute" for dashboards, ops views and adaptive logic: rate, errors,
 * mean/min/max and p50/p95/p99 per series over a sliding window, in fixed memory. It is a metrics
 * `Recorder` (value of each record) and an `HTTPObserver` (series `http_request` labelled method,
 * route, status class; value in ms), so it sits beside a Prometheus collector in a MultiCollector.
 */
export class WindowMetrics implements Recorder, HTTPObserver {
  readonly windowMs: number;
  readonly #sliceMs: number;
  readonly #slices: number;
  readonly #maxSeries: number;
  readonly #samples: number;
  readonly #now: () => number;
  readonly #series = new Map<string, WindowSeries>();
  #dropped = 0;

  constructor(options: WindowMetricsOptions = {}) {
    this.windowMs = options.windowMs ?? 60_000;
    this.#slices = options.slices ?? 60;
    this.#maxSeries = options.maxSeries ?? 1_000;
    this.#samples = options.samplesPerSlice ?? 128;
    this.#now = options.now ?? Date.now;
    assertOption(Number.isInteger(this.windowMs) && this.windowMs > 0, 'windowMs');
    assertOption(Number.isInteger(this.#slices) && this.#slices > 0 && this.windowMs % this.#slices === 0, 'slices');
    assertOption(Number.isInteger(this.#maxSeries) && this.#maxSeries > 0, 'maxSeries');
    assertOption(Number.isInteger(this.#samples) && this.#samples > 0, 'samplesPerSlice');
    this.#sliceMs = this.windowMs / this.#slices;
  }

  /** Observations refused because `maxSeries` was reached. */
  get dropped(): number {
    return this.#dropped;
  }

  record(record: MetricRecord): void {
    if (typeof record?.name !== 'string' || !Number.isFinite(record.value)) return;
    const labels = record.labels ?? {};
    this.#observe(record.name, labels, record.value, record.error !== undefined, record.timestamp?.getTime());
  }

  observeHTTP(method: string, route: string, status: number, _bytes: number, durationMs: number): void {
    const labels = { method, route: route === '' ? '__unmatched__' : route, status: `${Math.floor(status / 100)}xx` };
    this.#observe('http_request', labels, durationMs, status >= 500, undefined);
  }

  /** Stats of every series with observations inside the window, optionally only those named `name`. */
  getSnapshot(name?: string): WindowStats[] {
    const now = this.#now();
    const out: WindowStats[] = [];
    for (const s of this.#series.values()) {
      if (name !== undefined && s.name !== name) continue;
      const stats = s.read(now, this.windowMs);
      if (stats !== undefined) out.push(stats);
    }
    return out;
  }

  /** Stats of one series (name and exact labels), or undefined when it saw nothing inside the window. */
  getSeries(name: string, labels: Readonly<Record<string, string>> = {}): WindowStats | undefined {
    return this.#series.get(keyOf(name, labels))?.read(this.#now(), this.windowMs);
  }

  #observe(
    name: string,
    labels: Readonly<Record<string, string>>,
    value: number,
    error: boolean,
    at: number | undefined,
  ): void {
    const key = keyOf(name, labels);
    let s = this.#series.get(key);
    if (s === undefined) {
      if (this.#series.size >= this.#maxSeries) {
        this.#dropped++;
        return;
      }
      s = new WindowSeries(name, { ...labels }, this.#slices, this.#sliceMs, this.#samples);
      this.#series.set(key, s);
    }
    const now = this.#now();
    // Late timestamps older than the window would land in a recycled slice: count them now instead.
    s.observe(at !== undefined && at > now - this.windowMs && at <= now ? at : now, value, error);
  }
}

function keyOf(name: string, labels: Readonly<Record<string, string>>): string {
  let key = name;
  for (const k of Object.keys(labels).sort()) key += `\u0000${k}\u0001${labels[k]}`;
  return key;
}
