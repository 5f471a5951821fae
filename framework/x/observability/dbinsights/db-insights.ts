import type { Recorder } from 'plumego/metrics';
import { assertOption } from './errors.ts';
import { fingerprintSql } from './fingerprint.ts';

/**
 * One finished statement. x/data/sql's `QueryEvent` has this shape, so `insights.onQuery` plugs
 * straight into `new SqlClient({ onQuery })`; other drivers can call it themselves.
 */
export interface QueryObservation {
  readonly sql: string;
  readonly name?: string | undefined;
  readonly durationMs: number;
  readonly rowCount: number;
  readonly ok: boolean;
  readonly errorCode?: string | undefined;
  readonly inTransaction?: boolean;
}

export interface StatementStats {
  readonly fingerprint: string;
  /** The caller's label of the most recent call, or ''. */
  readonly name: string;
  readonly count: number;
  readonly errors: number;
  readonly totalMs: number;
  readonly meanMs: number;
  readonly maxMs: number;
  readonly rows: number;
  /** Failures by error code. */
  readonly errorCodes: Readonly<Record<string, number>>;
}

export interface SlowQuery {
  readonly fingerprint: string;
  readonly name: string;
  readonly durationMs: number;
  readonly ok: boolean;
  readonly at: string;
}

export interface DbInsightsReport {
  readonly statements: readonly StatementStats[];
  /** The most recent slow statements, newest last. */
  readonly slowQueries: readonly SlowQuery[];
  /** Observations of statements beyond `maxStatements`, not tracked. */
  readonly untracked: number;
}

export interface DbInsightsOptions {
  /** Distinct fingerprints tracked. Default 500. */
  maxStatements?: number;
  /** Statements at least this slow enter the slow-query log. Default 500 ms. */
  slowQueryMs?: number;
  /** Slow queries kept. Default 100. */
  slowLogSize?: number;
  /** Also records `db_query` (seconds; labels `statement` = the caller's name or 'unnamed', `ok`) — e.g. a PrometheusCollector. */
  recorder?: Recorder;
  /** Clock, for tests. */
  now?: () => number;
}

interface MutableStats {
  fingerprint: string;
  name: string;
  count: number;
  errors: number;
  totalMs: number;
  maxMs: number;
  rows: number;
  errorCodes: Record<string, number>;
}

type SortKey = 'totalMs' | 'count' | 'maxMs' | 'errors';

/**
 * Per-statement database insights from query hooks: calls, errors by code, total/mean/max time and
 * rows per statement fingerprint (literals stripped), plus a bounded slow-query log. Answers "which
 * statements cost the most", "which fail", "what was slow just now".
 */
export class DbInsights {
  /** Pass as `onQuery` to x/data/sql's `SqlClient`. Never throws. */
  readonly onQuery: (event: QueryObservation) => void;
  readonly #stats = new Map<string, MutableStats>();
  readonly #slow: SlowQuery[] = [];
  // Fingerprinting runs regexes; the raw text of recent statements maps to its fingerprint directly.
  readonly #fingerprints = new Map<string, string>();
  readonly #max: number;
  readonly #slowMs: number;
  readonly #slowSize: number;
  readonly #recorder: Recorder | undefined;
  readonly #now: () => number;
  #untracked = 0;

  constructor(options: DbInsightsOptions = {}) {
    this.#max = options.maxStatements ?? 500;
    this.#slowMs = options.slowQueryMs ?? 500;
    this.#slowSize = options.slowLogSize ?? 100;
    this.#recorder = options.recorder;
    this.#now = options.now ?? Date.now;
    assertOption(Number.isInteger(this.#max) && this.#max > 0, 'maxStatements');
    assertOption(Number.isFinite(this.#slowMs) && this.#slowMs >= 0, 'slowQueryMs');
    assertOption(Number.isInteger(this.#slowSize) && this.#slowSize >= 0, 'slowLogSize');
    this.onQuery = (e) => {
      try {
        this.#observe(e);
      } catch {
        // A hook must never fail the query it observes.
      }
    };
  }

  /** The `top` statements by `sortBy` (default total time), the slow log and the untracked count. */
  getReport(options: { top?: number; sortBy?: SortKey } = {}): DbInsightsReport {
    const key = options.sortBy ?? 'totalMs';
    const statements = [...this.#stats.values()]
      .map((s) => ({ ...s, errorCodes: { ...s.errorCodes }, meanMs: s.totalMs / s.count }))
      .sort((a, b) => b[key] - a[key] || a.fingerprint.localeCompare(b.fingerprint))
      .slice(0, options.top ?? 20);
    return { statements, slowQueries: [...this.#slow], untracked: this.#untracked };
  }

  reset(): void {
    this.#stats.clear();
    this.#slow.length = 0;
    this.#untracked = 0;
  }

  #fingerprint(sql: string): string {
    let fp = this.#fingerprints.get(sql);
    if (fp === undefined) {
      fp = fingerprintSql(sql);
      if (this.#fingerprints.size >= this.#max * 2) this.#fingerprints.clear();
      this.#fingerprints.set(sql, fp);
    }
    return fp;
  }

  #observe(e: QueryObservation): void {
    if (typeof e?.sql !== 'string' || !Number.isFinite(e.durationMs)) return;
    const fp = this.#fingerprint(e.sql);
    const name = e.name ?? '';
    let s = this.#stats.get(fp);
    if (s === undefined) {
      if (this.#stats.size >= this.#max) {
        this.#untracked++;
      } else {
        s = { fingerprint: fp, name, count: 0, errors: 0, totalMs: 0, maxMs: 0, rows: 0, errorCodes: {} };
        this.#stats.set(fp, s);
      }
    }
    if (s !== undefined) {
      s.count++;
      s.totalMs += e.durationMs;
      if (e.durationMs > s.maxMs) s.maxMs = e.durationMs;
      s.rows += e.rowCount;
      if (name !== '') s.name = name;
      if (!e.ok) {
        s.errors++;
        const code = e.errorCode ?? 'UNKNOWN';
        s.errorCodes[code] = (s.errorCodes[code] ?? 0) + 1;
      }
    }
    if (e.durationMs >= this.#slowMs && this.#slowSize > 0) {
      this.#slow.push({
        fingerprint: fp,
        name,
        durationMs: e.durationMs,
        ok: e.ok,
        at: new Date(this.#now()).toISOString(),
      });
      if (this.#slow.length > this.#slowSize) this.#slow.shift();
    }
    this.#recorder?.record({
      name: 'db_query',
      value: e.durationMs / 1000,
      durationMs: e.durationMs,
      labels: { statement: name === '' ? 'unnamed' : name, ok: e.ok ? 'true' : 'false' },
      ...(e.ok ? {} : { error: e.errorCode ?? 'UNKNOWN' }),
    });
  }
}
