export { DEFAULT_COMPRESSION_OPTIONS, compression, resolveCompressionOptions } from './compression.ts';
export type { CompressionOptions, ResolvedCompressionOptions } from './compression.ts';
export { isCompressibleType, negotiateEncoding } from './negotiate.ts';
export type { Encoding } from './negotiate.ts';
