import type { CompletionRequest } from './types.ts';

type Encoding = 'o200k_base' | 'cl100k_base';

interface Encoder {
  countTokens(text: string, options: typeof AS_TEXT): number;
}

// Special-token strings in prompts are counted as the text they are (the library default would throw).
const AS_TEXT = { allowedSpecial: new Set<string>(), disallowedSpecial: new Set<string>() };

// Ranks are a few MB each: load one on first use, never at import.
const loaded = new Map<Encoding, Promise<Encoder>>();

function loadEncoding(name: Encoding): Promise<Encoder> {
  let encoder = loaded.get(name);
  if (!encoder) {
    encoder =
      name === 'o200k_base'
        ? import('gpt-tokenizer/encoding/o200k_base')
        : import('gpt-tokenizer/encoding/cl100k_base');
    loaded.set(name, encoder);
  }
  return encoder;
}

/** gpt-4 / gpt-3.5 use cl100k; gpt-4o, 4.1, o-series, gpt-5 and unknown models are counted with o200k. */
export function getEncodingName(model: string): Encoding {
  return /^(gpt-4(?!o|\.)|gpt-3\.5|text-embedding-3|text-embedding-ada)/.test(model) ? 'cl100k_base' : 'o200k_base';
}

// The chat format adds ~3 tokens per message and 3 to prime the reply (OpenAI's published counting recipe).
const PER_MESSAGE = 3;
const REPLY_PRIMING = 3;

export async function countOpenAITokens(
  request: Pick<CompletionRequest, 'model' | 'messages' | 'tools'>,
): Promise<number> {
  const encoder = await loadEncoding(getEncodingName(request.model));
  const count = (text: string): number => encoder.countTokens(text, AS_TEXT);
  let total = REPLY_PRIMING;
  for (const m of request.messages) {
    total += PER_MESSAGE + count(m.role) + count(m.content);
    if (m.role === 'assistant') for (const c of m.toolCalls ?? []) total += count(c.name + JSON.stringify(c.arguments));
  }
  // Tool definitions are injected as text whose exact layout is unpublished; their JSON is a close estimate.
  for (const t of request.tools ?? []) total += count(t.name + t.description + JSON.stringify(t.inputSchema));
  return total;
}
