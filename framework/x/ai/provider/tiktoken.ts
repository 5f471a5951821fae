import { loadTokenizer } from 'plumego/x/ai/tokenizer';
import type { CompletionRequest } from './types.ts';

// The chat format adds ~3 tokens per message and 3 to prime the reply (OpenAI's published counting recipe).
const PER_MESSAGE = 3;
const REPLY_PRIMING = 3;

// x/ai/tokenizer's counter (tiktoken's tokens, checked against js-tiktoken there): one implementation for the
// provider and the tokenizer module, sharing its ranks and its per-encoding count memo across requests. Its
// model → encoding choice is the one this file made before: cl100k for gpt-4 / gpt-3.5 / embedding models,
// o200k for everything else.
export async function countOpenAITokens(
  request: Pick<CompletionRequest, 'model' | 'messages' | 'tools'>,
): Promise<number> {
  const tokenizer = await loadTokenizer(request.model);
  const count = (text: string): number => tokenizer.count(text);
  let total = REPLY_PRIMING;
  for (const m of request.messages) {
    total += PER_MESSAGE + count(m.role) + count(m.content);
    if (m.role === 'assistant') for (const c of m.toolCalls ?? []) total += count(c.name + JSON.stringify(c.arguments));
  }
  // Tool definitions are injected as text whose exact layout is unpublished; their JSON is a close estimate.
  for (const t of request.tools ?? []) total += count(t.name + t.description + JSON.stringify(t.inputSchema));
  return total;
}
