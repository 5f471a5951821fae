export { loadTokenizer, resolveEncoding } from './tokenizer.ts';
export type { EncodingName, Tokenizer } from './tokenizer.ts';
