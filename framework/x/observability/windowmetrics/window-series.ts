/** Aggregates of one slice of time. Samples are a bounded reservoir used for percentiles. */
interface Slice {
  start: number;
  count: number;
  errors: number;
  sum: number;
  min: number;
  max: number;
  samples: number[];
  seen: number;
}

/** What one series looked like over the window. Percentiles are estimates from a bounded sample. */
export interface WindowStats {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly count: number;
  readonly errors: number;
  /** Observations per second over the window. */
  readonly ratePerSec: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

/**
 * A ring of `sliceCount` slices of `sliceMs` each: an observation lands in the slice of its time,
 * slices older than the window are recycled in place, so memory per series is fixed. Each slice
 * keeps at most `samplesPerSlice` values (reservoir sampling with a deterministic stride, so tests
 * and runs agree) for percentile estimates.
 */
export class WindowSeries {
  readonly #slices: Slice[];
  readonly #sliceMs: number;
  readonly #samplesPerSlice: number;

  constructor(
    readonly name: string,
    readonly labels: Readonly<Record<string, string>>,
    sliceCount: number,
    sliceMs: number,
    samplesPerSlice: number,
  ) {
    this.#sliceMs = sliceMs;
    this.#samplesPerSlice = samplesPerSlice;
    this.#slices = Array.from({ length: sliceCount }, () => ({
      start: -1,
      count: 0,
      errors: 0,
      sum: 0,
      min: Infinity,
      max: -Infinity,
      samples: [],
      seen: 0,
    }));
  }

  observe(now: number, value: number, error: boolean): void {
    const start = now - (now % this.#sliceMs);
    const s = this.#slices[Math.floor(start / this.#sliceMs) % this.#slices.length]!;
    if (s.start !== start) {
      s.start = start;
      s.count = s.errors = s.sum = s.seen = 0;
      s.min = Infinity;
      s.max = -Infinity;
      s.samples.length = 0;
    }
    s.count++;
    if (error) s.errors++;
    s.sum += value;
    if (value < s.min) s.min = value;
    if (value > s.max) s.max = value;
    // Keep every k-th value once full, replacing round-robin: bounded and reproducible.
    s.seen++;
    if (s.samples.length < this.#samplesPerSlice) s.samples.push(value);
    else s.samples[s.seen % this.#samplesPerSlice] = value;
  }

  /** Stats over the slices still inside the window ending at `now`; undefined when there are none. */
  read(now: number, windowMs: number): WindowStats | undefined {
    const from = now - windowMs;
    let count = 0;
    let errors = 0;
    let sum = 0;
    let min = Infinity;
    let max = -Infinity;
    const samples: number[] = [];
    for (const s of this.#slices) {
      if (s.start < 0 || s.start + this.#sliceMs <= from || s.start > now) continue;
      count += s.count;
      errors += s.errors;
      sum += s.sum;
      min = Math.min(min, s.min);
      max = Math.max(max, s.max);
      for (const v of s.samples) samples.push(v);
    }
    if (count === 0) return undefined;
    samples.sort((a, b) => a - b);
    const q = (p: number): number => samples[Math.min(samples.length - 1, Math.ceil((p / 100) * samples.length) - 1)]!;
    return {
      name: this.name,
      labels: this.labels,
      count,
      errors,
      ratePerSec: count / (windowMs / 1000),
      sum,
      min,
      max,
      mean: sum / count,
      p50: q(50),
      p95: q(95),
      p99: q(99),
    };
  }
}
