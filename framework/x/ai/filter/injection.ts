/** One heuristic signal of a prompt-injection attempt. */
export interface InjectionSignal {
  name: string;
  pattern: RegExp;
}

/**
 * Phrases that try to override the instructions a model was given. Heuristics, not a classifier: they catch
 * the common copy-paste attacks and miss paraphrases; measured precision/recall are in the README.
 */
export const DEFAULT_INJECTION_SIGNALS: readonly InjectionSignal[] = [
  {
    name: 'ignore_instructions',
    pattern:
      /\b(?:ignore|disregard|forget|override)\b[^.\n]{0,40}\b(?:previous|prior|above|earlier|all|your|the)\b[^.\n]{0,20}\b(?:instructions?|prompts?|rules|directions|guidelines)\b/i,
  },
  {
    name: 'reveal_system_prompt',
    pattern:
      /\b(?:reveal|show|print|repeat|output|leak|tell me)\b[^.\n]{0,30}\b(?:your|the)\s+(?:system prompt|hidden (?:prompt|instructions)|initial instructions|instructions above)\b/i,
  },
  {
    name: 'role_override',
    pattern:
      /\byou are now\b[^.\n]{0,40}\b(?:unrestricted|unfiltered|jailbroken|free|DAN|no longer)\b|\b(?:developer|god|jailbreak) mode\b|\bact as (?:an? )?(?:unrestricted|unfiltered|jailbroken)\b/i,
  },
  {
    name: 'fake_delimiter',
    pattern:
      /<\|(?:im_start|im_end|system|endoftext)\|>|^\s*#{2,}\s*(?:system|new instructions?)\b|^\s*\[(?:system|INST)\]/im,
  },
  {
    name: 'exfiltration',
    pattern:
      /\b(?:send|post|upload|exfiltrate|forward)\b[^.\n]{0,60}\b(?:to|at)\b\s+(?:https?:\/\/|the (?:url|webhook))/i,
  },
];

export interface InjectionReport {
  flagged: boolean;
  /** Names of the signals that matched (never the matched text). */
  signals: string[];
}

/** Flags text that contains any injection signal; use it on retrieved documents and tool results, not only on user input. */
export function detectPromptInjection(
  text: string,
  signals: readonly InjectionSignal[] = DEFAULT_INJECTION_SIGNALS,
): InjectionReport {
  const hits = signals.filter((s) => s.pattern.test(text)).map((s) => s.name);
  return { flagged: hits.length > 0, signals: hits };
}
