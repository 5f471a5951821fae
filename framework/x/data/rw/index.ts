export { formatLsn, parseLsn } from './lsn.ts';
export { RwRouter, RwSession } from './rw-router.ts';
export type { ReplicaState, RwRouterOptions, RwStats } from './rw-router.ts';
