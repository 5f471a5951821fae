export { CANONICAL_ORDER, createCanonicalStack } from './canonical.ts';
export type { CanonicalStackOptions } from './canonical.ts';
