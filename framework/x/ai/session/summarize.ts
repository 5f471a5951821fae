import { AI_PROVIDER_ERROR_CODES, isAiProviderError, type Message, type Provider } from 'plumego/x/ai/provider';
import { estimateTokens, toUnits, type TokenCounter } from './budget.ts';
import { AI_SESSION_ERROR_CODES, AiSessionError, assertOption } from './errors.ts';

/** How a session replaces its older turns by a summary once its history exceeds the token budget. */
export interface SummaryPolicy {
  /** Writes the summary: any provider, or a provider manager (`task` is passed for `by_task` routing). */
  provider: Pick<Provider, 'complete'>;
  model: string;
  /** Instruction given to the summariser. Default: `DEFAULT_SUMMARY_INSTRUCTIONS`. */
  instructions?: string;
  /** Upper bound of the summary in tokens; this much of the budget is reserved for it. Default 512. */
  maxSummaryTokens?: number;
  /**
   * Size the history aims at after summarising (system prompt + summary + recent turns kept word for word),
   * so that the next few turns fit without another summary call. Default 60% of the budget.
   */
  targetTokens?: number;
  /**
   * When the provider fails: `truncate` (default) leaves the history as it is, and the context is trimmed as
   * without a policy (the older turns are dropped for this call only); `throw` rejects with
   * `AI_SESSION_SUMMARY_FAILED`. An abort by the caller always rejects.
   */
  onFailure?: 'truncate' | 'throw';
  /** Told about every failure `truncate` absorbs (for logs and metrics); an exception it throws is ignored. */
  onError?: (error: unknown) => void;
  /**
   * Routing label for the call options, e.g. `summarize` for a `by_task` provider manager (which rejects a
   * label it does not declare, so there is no default). Providers ignore it.
   */
  task?: string;
  /** Budget of one summary call in ms. Default: the provider's own timeout. */
  timeoutMs?: number;
}

/** A summary is stored as a system message that starts with this line, right after the system prompt. */
export const SUMMARY_PREFIX = 'Summary of the earlier conversation:\n';

export const DEFAULT_SUMMARY_INSTRUCTIONS =
  'Summarise the conversation below so that an assistant can continue it without the original turns. Keep the ' +
  "user's goals, facts, names, numbers, decisions, open questions, and what each tool call returned. If a summary " +
  'so far is given, merge it in. Write plain prose addressed to nobody; reply with the summary only.';

const DEFAULT_MAX_SUMMARY_TOKENS = 512;
const DEFAULT_TARGET_SHARE = 0.6;

export function isSummaryMessage(m: Message): boolean {
  return m.role === 'system' && m.content.startsWith(SUMMARY_PREFIX);
}

/** Checks a policy at construction time (a wiring bug, never a per-call error). */
export function assertSummaryPolicy(policy: SummaryPolicy): void {
  assertOption(typeof policy?.provider?.complete === 'function', 'summary.provider', 'must be a Provider');
  assertOption(
    typeof policy.model === 'string' && policy.model.length > 0,
    'summary.model',
    'must be a non-empty string',
  );
  const max = policy.maxSummaryTokens ?? DEFAULT_MAX_SUMMARY_TOKENS;
  assertOption(Number.isInteger(max) && max > 0, 'summary.maxSummaryTokens', 'must be a positive integer');
  if (policy.targetTokens !== undefined)
    assertOption(
      Number.isInteger(policy.targetTokens) && policy.targetTokens > 0,
      'summary.targetTokens',
      'must be a positive integer',
    );
  if (policy.timeoutMs !== undefined)
    assertOption(
      Number.isFinite(policy.timeoutMs) && policy.timeoutMs > 0,
      'summary.timeoutMs',
      'must be a positive number',
    );
  assertOption(
    policy.onFailure === undefined || policy.onFailure === 'truncate' || policy.onFailure === 'throw',
    'summary.onFailure',
    'must be truncate or throw',
  );
  if (policy.onError !== undefined)
    assertOption(typeof policy.onError === 'function', 'summary.onError', 'must be a function');
  if (policy.task !== undefined)
    assertOption(
      typeof policy.task === 'string' && policy.task.length > 0,
      'summary.task',
      'must be a non-empty string',
    );
  if (policy.instructions !== undefined)
    assertOption(
      typeof policy.instructions === 'string' && policy.instructions.trim() !== '',
      'summary.instructions',
      'must be non-empty',
    );
}

function render(previous: string | undefined, turns: readonly Message[]): string {
  const lines: string[] = [];
  if (previous !== undefined) lines.push(`Summary so far:\n${previous}\n`, 'Conversation since:');
  for (const m of turns) {
    if (m.role === 'user') lines.push(`User: ${m.content}`);
    else if (m.role === 'tool')
      lines.push(`Tool result for ${m.toolCallId}${m.isError ? ' (error)' : ''}: ${m.content}`);
    else if (m.role === 'assistant') {
      if (m.content) lines.push(`Assistant: ${m.content}`);
      for (const c of m.toolCalls ?? [])
        lines.push(`Assistant called tool ${c.name} (call ${c.id}) with ${JSON.stringify(c.arguments)}`);
    } else lines.push(`System note: ${m.content}`);
  }
  return lines.join('\n');
}

export interface SummarizeOptions {
  /** The token budget the history must fit. */
  maxTokens: number;
  policy: SummaryPolicy;
  /** Default `estimateTokens`. */
  count?: TokenCounter;
  signal?: AbortSignal;
}

/**
 * Replaces the older turns of `messages` by one summary written through `policy.provider`, when the history
 * exceeds `maxTokens`. Keeps every system prompt and the newest turns word for word (up to `targetTokens`,
 * starting at a user turn); an assistant turn with tool calls goes to the same side as its results, never
 * split. A previous summary is merged into the new one. Returns `undefined` when the history fits or there
 * is nothing older to summarise (the caller trims instead). Provider errors propagate unchanged.
 */
export async function summarizeHistory(
  messages: readonly Message[],
  options: SummarizeOptions,
): Promise<Message[] | undefined> {
  const { maxTokens, policy } = options;
  const count = options.count ?? estimateTokens;
  if ((await count(messages)) <= maxTokens) return undefined;
  const maxSummary = policy.maxSummaryTokens ?? DEFAULT_MAX_SUMMARY_TOKENS;
  const summaries = messages.filter(isSummaryMessage);
  const system = messages.filter((m) => m.role === 'system' && !isSummaryMessage(m));
  const units = toUnits(messages.filter((m) => m.role !== 'system'));
  const reserve = maxSummary + (await count([{ role: 'system', content: SUMMARY_PREFIX }]));
  const hardLimit = maxTokens - reserve;
  const keepLimit = Math.min(
    hardLimit,
    (policy.targetTokens ?? Math.floor(maxTokens * DEFAULT_TARGET_SHARE)) - reserve,
  );
  const size = (from: number): Promise<number> | number => count([...system, ...units.slice(from).flat()]);

  let start = units.length;
  while (start > 0 && (await size(start - 1)) <= keepLimit) start -= 1;
  // The newest turn stays word for word whenever it fits at all, even past the target.
  if (start === units.length && start > 0 && (await size(start - 1)) <= hardLimit) start -= 1;
  // The kept part opens with a user turn: assistant turns cut off at its front are summarised, not lost.
  while (start < units.length && units[start]![0]!.role !== 'user') start += 1;
  if (start === units.length) {
    // Nothing newer than a user turn fits the target: reach back to the nearest user turn if the hard limit allows.
    let back = units.length - 1;
    while (back >= 0 && units[back]![0]!.role !== 'user') back -= 1;
    if (back >= 0 && (await size(back)) <= hardLimit) start = back;
  }
  // With no turn kept, the model would get no question to answer: leave it to trimming (which says so).
  if (start === units.length) return undefined;
  const older = units.slice(0, start).flat();
  if (older.length === 0) return undefined;

  const previous = summaries.length
    ? summaries.map((m) => m.content.slice(SUMMARY_PREFIX.length)).join('\n\n')
    : undefined;
  const answer = await policy.provider.complete(
    {
      model: policy.model,
      messages: [
        { role: 'system', content: policy.instructions ?? DEFAULT_SUMMARY_INSTRUCTIONS },
        { role: 'user', content: render(previous, older) },
      ],
      maxTokens: maxSummary,
    },
    {
      ...(policy.task === undefined ? {} : { task: policy.task }),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(policy.timeoutMs === undefined ? {} : { timeoutMs: policy.timeoutMs }),
    },
  );
  const text = answer.text.trim();
  if (text === '')
    throw new AiSessionError(AI_SESSION_ERROR_CODES.summaryFailed, 'the summariser returned an empty summary', {
      provider: answer.provider,
    });
  return [...system, { role: 'system', content: SUMMARY_PREFIX + text }, ...units.slice(start).flat()];
}

/** True for the caller's own abort: it must reach the caller whatever the failure policy says. */
export function isAbort(error: unknown, signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true || (isAiProviderError(error) && error.code === AI_PROVIDER_ERROR_CODES.aborted);
}
