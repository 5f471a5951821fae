import { defineErrorFamily } from 'plumego/contract';

/** Stable codes of the record buffer. */
export const RECORD_BUFFER_ERRORS = {
  RECORD_BUFFER_INVALID_OPTIONS: { status: 500, message: 'invalid record buffer options' },
  RECORD_BUFFER_SINK_TIMEOUT: { status: 500, message: 'record sink did not finish in time' },
} as const satisfies Record<string, { status: number; message: string }>;

export type RecordBufferErrorCode = keyof typeof RECORD_BUFFER_ERRORS;

const BRAND = Symbol.for('plumego.x.observability.recordbuffer.error');
const family = defineErrorFamily({
  name: 'RecordBufferError',
  brand: BRAND,
  codes: Object.keys(RECORD_BUFFER_ERRORS) as RecordBufferErrorCode[],
});

export class RecordBufferError extends Error {
  declare readonly code: RecordBufferErrorCode;
  readonly field: string;
  readonly [BRAND] = true;

  constructor(code: RecordBufferErrorCode, field: string) {
    super(`${RECORD_BUFFER_ERRORS[code].message} (${field})`);
    family.stamp(this, code);
    this.field = field;
  }
}

export function isRecordBufferError(value: unknown): value is RecordBufferError {
  return family.is(value);
}

export function assertOption(ok: boolean, field: string): void {
  if (!ok) throw new RecordBufferError('RECORD_BUFFER_INVALID_OPTIONS', field);
}
