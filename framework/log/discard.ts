import type { Fields, LogLevel, StructuredLogger } from './logger.ts';

class DiscardLogger implements StructuredLogger {
  withFields(_fields: Fields): StructuredLogger {
    return this;
  }
  debug(): void {}
  info(): void {}
  warn(): void {}
  error(): void {}
  isEnabled(_level: LogLevel): boolean {
    return false;
  }
  flush(): void {}
}

const DISCARD = new DiscardLogger();

/** A logger that drops everything (the default when an app is given none). */
export function createDiscardLogger(): StructuredLogger & { flush(): void } {
  return DISCARD;
}
