export { fromNodeMiddleware } from './node-adapter.ts';
export type { NodeMiddleware } from './node-adapter.ts';
