import { defineErrorFamily, getErrorOptions } from 'plumego/contract';

/** Stable codes for every failure a resilience policy can raise. */
export const RESILIENCE_ERROR_CODES = {
  circuitOpen: 'CIRCUIT_OPEN',
  bulkheadFull: 'BULKHEAD_FULL',
  timeout: 'RESILIENCE_TIMEOUT',
  invalidOptions: 'RESILIENCE_INVALID_OPTIONS',
} as const;

export type ResilienceErrorCode = (typeof RESILIENCE_ERROR_CODES)[keyof typeof RESILIENCE_ERROR_CODES];

// A brand rather than `instanceof`, so two copies of the package still recognise each other's errors.
const BRAND = Symbol.for('plumego.x.resilience.error');
const family = defineErrorFamily({ name: 'ResilienceError', brand: BRAND, codes: RESILIENCE_ERROR_CODES });

export class ResilienceError extends Error {
  declare readonly code: ResilienceErrorCode;
  declare readonly details: Readonly<Record<string, unknown>>;
  readonly [BRAND] = true;

  constructor(code: ResilienceErrorCode, message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super(message, getErrorOptions(cause));
    family.stamp(this, code, details);
  }
}

export function isResilienceError(value: unknown): value is ResilienceError {
  return family.is(value);
}

/** Throws at factory time, never per call: bad options are a wiring bug. */
export function assertOption(ok: boolean, field: string, rule: string): void {
  if (!ok)
    throw new ResilienceError(RESILIENCE_ERROR_CODES.invalidOptions, `invalid option ${field}: ${rule}`, { field });
}
