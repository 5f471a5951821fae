export { AbuseGuard, createAbuseGuard } from './abuse-guard.ts';
export type { AbuseGuardOptions } from './abuse-guard.ts';
