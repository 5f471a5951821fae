export { recovery } from './recovery.ts';
export type { RecoveryOptions } from './recovery.ts';
