import type { Message } from 'plumego/x/ai/provider';

export type EncodingName = 'o200k_base' | 'cl100k_base';

export interface Tokenizer {
  /** The model this tokenizer was resolved for. */
  readonly model: string;
  readonly encoding: EncodingName;
  /** False when the model has no public tokenizer and counts are an estimate (Claude). */
  readonly exact: boolean;
  encode(text: string): number[];
  decode(tokens: readonly number[]): string;
  count(text: string): number;
  /** Chat messages with the per-message framing of OpenAI's published recipe (3 per message + 3). */
  countMessages(messages: readonly Message[]): number;
}

interface Encoder {
  encode(text: string, options: typeof AS_TEXT): number[];
  decode(tokens: Iterable<number>): string;
  countTokens(text: string, options: typeof AS_TEXT): number;
}

// Special-token strings (`<|endoftext|>`) in user text are text: encoding them as control tokens would let
// a prompt forge structure, and the libraries' default is to throw, which would fail a count on user input.
const AS_TEXT = { allowedSpecial: new Set<string>(), disallowedSpecial: new Set<string>() };

// Ranks are several MB each: load on first use, once per process.
const encoders = new Map<EncodingName, Promise<Encoder>>();

function loadEncoder(name: EncodingName): Promise<Encoder> {
  let encoder = encoders.get(name);
  if (!encoder) {
    encoder =
      name === 'o200k_base'
        ? import('gpt-tokenizer/encoding/o200k_base')
        : import('gpt-tokenizer/encoding/cl100k_base');
    encoders.set(name, encoder);
  }
  return encoder;
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

export async function loadTokenizer(model: string): Promise<Tokenizer> {
  const { encoding, exact } = resolveEncoding(model);
  const enc = await loadEncoder(encoding);
  const count = (text: string): number => enc.countTokens(text, AS_TEXT);
  return {
    model,
    encoding,
    exact,
    encode: (text) => enc.encode(text, AS_TEXT),
    decode: (tokens) => enc.decode(tokens),
    count,
    countMessages: (messages) => {
      let total = 3;
      for (const m of messages) {
        total += 3 + count(m.role) + count(m.content);
        if (m.role === 'assistant')
          for (const c of m.toolCalls ?? []) total += count(c.name + JSON.stringify(c.arguments));
      }
      return total;
    },
  };
}
