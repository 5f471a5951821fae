import { APIError, defineErrorFamily } from 'plumego/contract';

/** Stable codes of x/gateway/transform. */
export const TRANSFORM_ERROR_CODES = {
  invalidOptions: 'TRANSFORM_INVALID_OPTIONS',
  upstreamTooLarge: 'TRANSFORM_UPSTREAM_TOO_LARGE',
  upstreamNotJson: 'TRANSFORM_UPSTREAM_NOT_JSON',
} as const;

export type TransformErrorCode = (typeof TRANSFORM_ERROR_CODES)[keyof typeof TRANSFORM_ERROR_CODES];

const BRAND = Symbol.for('plumego.x.gateway.transform.error');
const family = defineErrorFamily({ name: 'TransformError', brand: BRAND, codes: TRANSFORM_ERROR_CODES });

/** Raised when a transform is built with rules that can never work. */
export class TransformError extends Error {
  readonly code: TransformErrorCode = TRANSFORM_ERROR_CODES.invalidOptions;
  readonly [BRAND] = true;
  constructor(message: string) {
    super(message);
    family.stamp(this, this.code);
  }
}

export function isTransformError(value: unknown): value is TransformError {
  return family.is(value);
}

/** 502: the upstream body cannot go through the configured transform, so it is not relayed at all. */
export function createUpstreamBodyError(
  code: typeof TRANSFORM_ERROR_CODES.upstreamTooLarge | typeof TRANSFORM_ERROR_CODES.upstreamNotJson,
): APIError {
  const message =
    code === TRANSFORM_ERROR_CODES.upstreamTooLarge
      ? 'upstream response too large to transform'
      : 'upstream response is not valid JSON';
  return new APIError({ type: 'bad_gateway', code, message });
}
