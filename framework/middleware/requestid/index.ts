export { decodeRequestId, newRequestId, requestId } from './request-id.ts';
export type { RequestIdOptions } from './request-id.ts';
