export { RECORD_BUFFER_ERRORS, RecordBufferError, isRecordBufferError } from './errors.ts';
export type { RecordBufferErrorCode } from './errors.ts';
export { RecordBuffer, createRecordBuffer } from './record-buffer.ts';
export type { RecordBufferOptions, RecordBufferStats, RecordSink } from './record-buffer.ts';
