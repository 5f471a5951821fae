export { securityHeaders } from './security-headers.ts';
export type { SecurityHeadersOptions } from './security-headers.ts';
