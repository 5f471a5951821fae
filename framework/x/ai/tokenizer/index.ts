export { AI_TOKENIZER_ERROR_CODES, AiTokenizerError, isAiTokenizerError } from './errors.ts';
export type { AiTokenizerErrorCode } from './errors.ts';
export { loadTokenizer, resolveEncoding } from './tokenizer.ts';
export type { CountableMessage, EncodingName, Tokenizer, TokenizerOptions } from './tokenizer.ts';
