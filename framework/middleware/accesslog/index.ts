export { accessLog, getClientIp } from './access-log.ts';
export type { AccessLogOptions } from './access-log.ts';
