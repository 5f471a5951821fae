import { defineErrorFamily } from 'plumego/contract';

/** Stable codes of the window metrics. */
export const WINDOW_METRICS_ERRORS = {
  WINDOW_METRICS_INVALID_OPTIONS: { status: 500, message: 'invalid window metrics options' },
} as const satisfies Record<string, { status: number; message: string }>;

export type WindowMetricsErrorCode = keyof typeof WINDOW_METRICS_ERRORS;

const BRAND = Symbol.for('plumego.x.observability.windowmetrics.error');
const family = defineErrorFamily({
  name: 'WindowMetricsError',
  brand: BRAND,
  codes: Object.keys(WINDOW_METRICS_ERRORS) as WindowMetricsErrorCode[],
});

export class WindowMetricsError extends Error {
  declare readonly code: WindowMetricsErrorCode;
  readonly field: string;
  readonly [BRAND] = true;

  constructor(code: WindowMetricsErrorCode, field: string) {
    super(`${WINDOW_METRICS_ERRORS[code].message} (${field})`);
    family.stamp(this, code);
    this.field = field;
  }
}

export function isWindowMetricsError(value: unknown): value is WindowMetricsError {
  return family.is(value);
}

export function assertOption(ok: boolean, field: string): void {
  if (!ok) throw new WindowMetricsError('WINDOW_METRICS_INVALID_OPTIONS', field);
}
