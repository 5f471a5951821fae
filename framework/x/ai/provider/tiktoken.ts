import { Tiktoken, type TiktokenBPE } from 'js-tiktoken/lite';
import type { CompletionRequest } from './types.ts';

type Encoding = 'o200k_base' | 'cl100k_base';

// Ranks are a few MB each: load one on first use, never at import.
const loaded = new Map<Encoding, Promise<Tiktoken>>();

function loadEncoding(name: Encoding): Promise<Tiktoken> {
  let encoder = loaded.get(name);
  if (!encoder) {
    const ranks: Promise<{ default: TiktokenBPE }> = name === 'o200k_base' ? import('js-tiktoken/ranks/o200k_base') : import('js-tiktoken/ranks/cl100k_base');
    encoder = ranks.then((m) => new Tiktoken(m.default));
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

export async function countOpenAITokens(request: Pick<CompletionRequest, 'model' | 'messages' | 'tools'>): Promise<number> {
  const encoder = await loadEncoding(getEncodingName(request.model));
  let total = REPLY_PRIMING;
  for (const m of request.messages) {
    total += PER_MESSAGE + encoder.encode(m.role).length + encoder.encode(m.content).length;
    if (m.role === 'assistant') for (const c of m.toolCalls ?? []) total += encoder.encode(c.name + JSON.stringify(c.arguments)).length;
  }
  // Tool definitions are injected as text whose exact layout is unpublished; their JSON is a close estimate.
  for (const t of request.tools ?? []) total += encoder.encode(t.name + t.description + JSON.stringify(t.inputSchema)).length;
  return total;
}
