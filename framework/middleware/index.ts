export { Chain, createChain } from './chain.ts';
export type { Handler, Middleware } from 'plumego/contract';
