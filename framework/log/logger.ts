/** Structured fields attached to a log entry. Later maps win over earlier ones. */
export type Fields = Readonly<Record<string, unknown>>;

/** Severity, lowest first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export const LOG_LEVELS: Readonly<Record<LogLevel, number>> = Object.freeze({ debug: -1, info: 0, warn: 1, error: 2 });

/**
 * The logger contract every module depends on. Implementations must be cheap when a level is
 * disabled, must never throw, and must never read ambient state (request ids are passed as fields).
 */
export interface StructuredLogger {
  /** A logger whose entries all carry `fields` (merged under per-call fields). */
  withFields(fields: Fields): StructuredLogger;
  debug(msg: string, ...fields: Fields[]): void;
  info(msg: string, ...fields: Fields[]): void;
  warn(msg: string, ...fields: Fields[]): void;
  error(msg: string, ...fields: Fields[]): void;
  /** True when entries at `level` are written (skip building expensive fields otherwise). */
  isEnabled(level: LogLevel): boolean;
}

/** Merges base fields with per-call fields, later maps winning. */
export function mergeFields(base: Fields, extra: readonly Fields[]): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const f of extra) if (f) Object.assign(out, f);
  return out;
}
