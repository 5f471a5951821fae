export type { ProtocolAdapter } from './adapter.ts';
export { ProtocolRegistry } from './registry.ts';
