import {
  CountCache,
  buildPairTable,
  buildRankMap,
  countTokens,
  decodeTokens,
  encodeTokens,
  type Vocabulary,
} from './bpe.ts';
import { AiTokenizerError } from './errors.ts';
import { cl100kPieceEnd, o200kPieceEnd } from './pretokenize.ts';

export type EncodingName = 'o200k_base' | 'cl100k_base';

/** What countMessages reads from a chat message; x/ai/provider's `Message` is one. */
export interface CountableMessage {
  readonly role: string;
  readonly content: string;
  readonly toolCalls?: readonly { readonly name: string; readonly arguments: unknown }[];
}

export interface TokenizerOptions {
  /**
   * Give this tokenizer its own piece → count memo of this many entries (0: none) instead of the one shared by
   * every tokenizer of the encoding in the process (16 384 entries). For memory limits, or a cold measurement.
   */
  countCacheSize?: number;
}

export interface Tokenizer {
  /** The model this tokenizer was resolved for. */
  readonly model: string;
  readonly encoding: EncodingName;
  /** False when the model has no public tokenizer and counts are an estimate (Claude). */
  readonly exact: boolean;
  encode(text: string): number[];
  /** Throws AiTokenizerError AI_TOKENIZER_UNKNOWN_TOKEN for an id outside the encoding. */
  decode(tokens: readonly number[]): string;
  count(text: string): number;
  /** Chat messages with the per-message framing of OpenAI's published recipe (3 per message + 3). */
  countMessages(messages: readonly CountableMessage[]): number;
}

/** Entries of the per-encoding shared count memo: ~2-3 MB at most for typical pieces. */
const SHARED_COUNT_CACHE = 16_384;

// Control tokens of tiktoken's published encodings (openai_public.py), for decode only: special-token strings
// in user text (`<|endoftext|>`) are encoded as text, so a prompt cannot forge structure and a count on user
// input never throws.
const SPECIAL: Record<EncodingName, ReadonlyMap<number, string>> = {
  o200k_base: new Map([
    [199_999, '<|endoftext|>'],
    [200_018, '<|endofprompt|>'],
  ]),
  cl100k_base: new Map([
    [100_257, '<|endoftext|>'],
    [100_258, '<|fim_prefix|>'],
    [100_259, '<|fim_middle|>'],
    [100_260, '<|fim_suffix|>'],
    [100_276, '<|endofprompt|>'],
  ]),
};

interface LoadedEncoding {
  vocab: Vocabulary;
  shared: CountCache;
}

// Ranks are several MB each: load on first use, once per process.
const encodings = new Map<EncodingName, Promise<LoadedEncoding>>();

async function loadRanks(name: EncodingName): Promise<readonly (string | readonly number[] | undefined)[]> {
  // gpt-tokenizer ships tiktoken's vocabularies as plain arrays (rank = index), the fastest form to load.
  const mod =
    name === 'o200k_base'
      ? await import('gpt-tokenizer/bpeRanks/o200k_base')
      : await import('gpt-tokenizer/bpeRanks/cl100k_base');
  return mod.default;
}

function loadEncoding(name: EncodingName): Promise<LoadedEncoding> {
  let loaded = encodings.get(name);
  if (!loaded) {
    loaded = loadRanks(name).then((tokens) => {
      const ranks = buildRankMap(tokens);
      return {
        vocab: {
          ranks,
          pairs: buildPairTable(ranks),
          tokens,
          special: SPECIAL[name],
          pieceEnd: name === 'o200k_base' ? o200kPieceEnd : cl100kPieceEnd,
        },
        shared: new CountCache(SHARED_COUNT_CACHE),
      };
    });
    encodings.set(name, loaded);
  }
  return loaded;
}

/**
 * Which encoding a model uses. OpenAI's gpt-4 / gpt-3.5 / embedding models use cl100k; gpt-4o, 4.1, o-series,
 * gpt-5 use o200k. Claude models have no public tokenizer: they are counted with o200k and marked inexact —
 * use the Anthropic provider's count-tokens endpoint when the number matters (billing, hard limits).
 * Unknown models get o200k, inexact.
 */
export function resolveEncoding(model: string): { encoding: EncodingName; exact: boolean } {
  if (/^(gpt-4(?!o|\.)|gpt-3\.5|text-embedding-3|text-embedding-ada)/.test(model))
    return { encoding: 'cl100k_base', exact: true };
  if (/^(gpt-4o|gpt-4\.1|gpt-5|o\d)/.test(model)) return { encoding: 'o200k_base', exact: true };
  return { encoding: 'o200k_base', exact: false };
}

/** Throws AiTokenizerError AI_TOKENIZER_INVALID_OPTIONS when `countCacheSize` is not a non-negative integer. */
export async function loadTokenizer(model: string, options: TokenizerOptions = {}): Promise<Tokenizer> {
  const size = options.countCacheSize;
  if (size !== undefined && !(Number.isSafeInteger(size) && size >= 0))
    throw new AiTokenizerError(
      'AI_TOKENIZER_INVALID_OPTIONS',
      `countCacheSize must be a non-negative integer, got ${String(size)}`,
    );
  const { encoding, exact } = resolveEncoding(model);
  const { vocab, shared } = await loadEncoding(encoding);
  const cache = size === undefined ? shared : new CountCache(size);
  const count = (text: string): number => countTokens(vocab, cache, text);
  return {
    model,
    encoding,
    exact,
    encode: (text) => encodeTokens(vocab, text),
    decode: (tokens) => decodeTokens(vocab, tokens),
    count,
    countMessages: (messages) => {
      let total = 3;
      for (const m of messages) {
        total += 3 + count(m.role) + count(m.content);
        for (const c of m.toolCalls ?? []) total += count(c.name + JSON.stringify(c.arguments));
      }
      return total;
    },
  };
}
