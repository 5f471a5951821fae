import { formatJsonLine, formatTextLine } from './format.ts';
import { createDiscardLogger } from './discard.ts';
import { LOG_LEVELS, mergeFields, type Fields, type LogLevel, type StructuredLogger } from './logger.ts';
import { LineSink, type LogOutput } from './sink.ts';

export type LogFormat = 'json' | 'text' | 'discard';

export interface LoggerOptions {
  /** Output format. Default `json`. */
  format?: LogFormat;
  /** Minimum level written. Default `info`. */
  level?: LogLevel;
  /** Destination for debug/info/warn. Default `process.stdout`. */
  output?: LogOutput;
  /** Destination for error entries. Default: `output`. */
  errorOutput?: LogOutput;
  /** Fields on every entry. Default none. */
  fields?: Fields;
  /** Batch lines (see `LineSink`). Default true. */
  buffered?: boolean;
  /** With `buffered`, the longest a line waits before it is written, in ms. Default 50. */
  flushIntervalMs?: number;
  /** Name shown in text mode's `[source]` slot. Default `plumego`. */
  source?: string;
  /** Clock, for tests. Default `() => new Date()`. */
  now?: () => Date;
}

export interface ResolvedLoggerOptions {
  readonly format: LogFormat;
  readonly level: LogLevel;
  readonly output: LogOutput;
  readonly errorOutput: LogOutput;
  readonly fields: Fields;
  readonly buffered: boolean;
  readonly flushIntervalMs: number;
  readonly source: string;
  readonly now: () => Date;
}

/** Thrown by `createLogger` for options it cannot honour. */
export class LoggerOptionsError extends Error {
  readonly code = 'LOG_INVALID_OPTIONS';
  constructor(message: string) {
    super(`log: ${message}`);
    this.name = 'LoggerOptionsError';
  }
}

/** Fills defaults and validates; bad options fail here, never per entry. */
export function resolveLoggerOptions(options: LoggerOptions = {}): ResolvedLoggerOptions {
  const format = options.format ?? 'json';
  if (format !== 'json' && format !== 'text' && format !== 'discard')
    throw new LoggerOptionsError(`unknown format "${String(format)}"`);
  const level = options.level ?? 'info';
  if (
    options.flushIntervalMs !== undefined &&
    !(options.flushIntervalMs > 0 && Number.isFinite(options.flushIntervalMs))
  ) {
    throw new LoggerOptionsError('flushIntervalMs must be a positive number');
  }
  if (!Object.hasOwn(LOG_LEVELS, level)) throw new LoggerOptionsError(`unknown level "${String(level)}"`);
  const output = options.output ?? process.stdout;
  return {
    format,
    level,
    output,
    errorOutput: options.errorOutput ?? output,
    fields: { ...(options.fields ?? {}) },
    buffered: options.buffered ?? true,
    flushIntervalMs: options.flushIntervalMs ?? 50,
    source: options.source ?? 'plumego',
    now: options.now ?? cachedNow,
  };
}

let lastMs = -1;
let lastDate = new Date(0);
/** `new Date()`, reusing one object per millisecond (a busy access log writes many lines per ms). */
function cachedNow(): Date {
  const ms = Date.now();
  if (ms !== lastMs) {
    lastMs = ms;
    lastDate = new Date(ms);
  }
  return lastDate;
}

class Shared {
  constructor(
    readonly opts: ResolvedLoggerOptions,
    readonly out: LineSink,
    readonly err: LineSink,
  ) {}
}

class LineLogger implements StructuredLogger {
  readonly #min: number;
  readonly #noBase: boolean;
  constructor(
    private readonly shared: Shared,
    private readonly fields: Fields,
  ) {
    this.#min = LOG_LEVELS[shared.opts.level];
    this.#noBase = Object.keys(fields).length === 0;
  }
  withFields(fields: Fields): StructuredLogger {
    return new LineLogger(this.shared, { ...this.fields, ...fields });
  }
  isEnabled(level: LogLevel): boolean {
    return LOG_LEVELS[level] >= this.#min;
  }
  // One optional map is the common call; more maps are read from `arguments`, so the common call
  // allocates no rest array.
  debug(msg: string, fields?: Fields): void {
    if (arguments.length > 2) this.#logMany('debug', msg, arguments);
    else this.#log('debug', msg, fields);
  }
  info(msg: string, fields?: Fields): void {
    if (arguments.length > 2) this.#logMany('info', msg, arguments);
    else this.#log('info', msg, fields);
  }
  warn(msg: string, fields?: Fields): void {
    if (arguments.length > 2) this.#logMany('warn', msg, arguments);
    else this.#log('warn', msg, fields);
  }
  error(msg: string, fields?: Fields): void {
    if (arguments.length > 2) this.#logMany('error', msg, arguments);
    else this.#log('error', msg, fields);
  }
  /** Writes pending buffered lines now. */
  flush(): void {
    this.shared.out.flush();
    this.shared.err.flush();
  }
  #logMany(level: LogLevel, msg: string, args: IArguments): void {
    if (LOG_LEVELS[level] < this.#min) return;
    this.#write(level, msg, mergeFields(this.fields, Array.prototype.slice.call(args, 1) as Fields[]));
  }
  #log(level: LogLevel, msg: string, fields: Fields | undefined): void {
    if (LOG_LEVELS[level] < this.#min) return;
    // Formatters only read the map, so a single map (or the base fields alone) is used as is.
    const merged =
      fields === undefined || fields === null
        ? this.fields
        : this.#noBase
          ? fields
          : mergeFields(this.fields, [fields]);
    this.#write(level, msg, merged as Record<string, unknown>);
  }
  #write(level: LogLevel, msg: string, fields: Record<string, unknown>): void {
    const o = this.shared.opts;
    const time = o.now();
    const line =
      o.format === 'json'
        ? formatJsonLine(time, level, msg, fields)
        : formatTextLine(time, level, msg, fields, o.source);
    (level === 'error' ? this.shared.err : this.shared.out).push(line);
  }
}

/** A JSON-lines, glog-style text, or discard logger (see `LoggerOptions`). */
export function createLogger(options: LoggerOptions = {}): StructuredLogger & { flush(): void } {
  const o = resolveLoggerOptions(options);
  if (o.format === 'discard') return createDiscardLogger();
  const interval = o.buffered ? o.flushIntervalMs : 0;
  const out = new LineSink(o.output, interval);
  const err = o.errorOutput === o.output ? out : new LineSink(o.errorOutput, interval);
  return new LineLogger(new Shared(o, out, err), o.fields);
}
