import type { Message } from 'plumego/x/ai/provider';
import { AI_SESSION_ERROR_CODES, AiSessionError } from './errors.ts';

/** Counts the tokens of a message list; may be exact (a tokenizer) or an estimate. */
export type TokenCounter = (messages: readonly Message[]) => number | Promise<number>;

/**
 * The default estimate: 4 characters per token plus 4 tokens of framing per message. Close for English with
 * current tokenizers and deliberately a little high, so a budget errs towards fitting.
 */
export function estimateTokens(messages: readonly Message[]): number {
  let total = 0;
  for (const m of messages) {
    const calls = m.role === 'assistant' ? JSON.stringify(m.toolCalls ?? []).length : 0;
    total += 4 + Math.ceil((m.content.length + calls) / 4);
  }
  return total;
}

/** Groups turns that must stay together: an assistant turn with tool calls and the tool results answering it. */
export function toUnits(messages: readonly Message[]): Message[][] {
  const units: Message[][] = [];
  for (const m of messages) {
    const last = units[units.length - 1];
    if (m.role === 'tool' && last && last[0]?.role === 'assistant' && last[0].toolCalls?.length) last.push(m);
    else units.push([m]);
  }
  return units;
}

/**
 * Trims a history to `maxTokens`: system messages always stay, then the newest turns that fit. Tool results
 * are never separated from the call that produced them, orphan tool results are dropped, and the kept
 * history starts with a user turn (vendors reject a conversation that opens with the assistant).
 * Deterministic; rejects with `AI_SESSION_BUDGET_EXCEEDED` when even the system prompt and the newest turn do not fit.
 */
export async function trimToBudget(
  messages: readonly Message[],
  maxTokens: number,
  count: TokenCounter = estimateTokens,
): Promise<Message[]> {
  const system = messages.filter((m) => m.role === 'system');
  const units = toUnits(messages.filter((m) => m.role !== 'system'));
  let start = units.length;
  // Grow the kept suffix one unit at a time while it still fits.
  while (start > 0 && (await count([...system, ...units.slice(start - 1).flat()])) <= maxTokens) start -= 1;
  let kept = units.slice(start);
  while (kept.length > 0 && kept[0]![0]!.role !== 'user') kept = kept.slice(1);
  if (kept.length === 0 && units.length > 0) {
    throw new AiSessionError(AI_SESSION_ERROR_CODES.budgetExceeded, 'the newest turn does not fit the token budget', {
      maxTokens,
    });
  }
  return [...system, ...kept.flat()];
}
