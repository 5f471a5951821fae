import type { CallOptions, CompletionRequest, Message, Provider } from 'plumego/x/ai/provider';
import { AI_FILTER_ERROR_CODES, AiFilterError } from './errors.ts';
import { DEFAULT_REDACTION_RULES, type RedactionRule } from './rules.ts';

export interface RedactorOptions {
  /** Default `DEFAULT_REDACTION_RULES` (secrets, then PII). */
  rules?: readonly RedactionRule[];
  /** Rule names to skip (e.g. `['ipv4']`). Default none. */
  disable?: readonly string[];
  /** Replacement text; `{name}` is the rule's name. Default `[REDACTED:{name}]`. */
  replacement?: string;
}

export interface RedactionResult {
  text: string;
  /** Matches replaced per rule; never the matched text itself. */
  findings: Record<string, number>;
}

export interface Redactor {
  redact(text: string): RedactionResult;
  /** Redacts the content of every message (and tool-call arguments, as JSON strings). */
  redactMessages(messages: readonly Message[]): { messages: Message[]; findings: Record<string, number> };
}

/** Builds a redactor; bad rules (non-global pattern, duplicate or unknown name) fail here, not per call. */
export function createRedactor(options: RedactorOptions = {}): Redactor {
  const all = options.rules ?? DEFAULT_REDACTION_RULES;
  const names = new Set(all.map((r) => r.name));
  if (names.size !== all.length)
    throw new AiFilterError(AI_FILTER_ERROR_CODES.invalidOptions, 'redaction rule names must be unique');
  for (const name of options.disable ?? []) {
    if (!names.has(name))
      throw new AiFilterError(AI_FILTER_ERROR_CODES.invalidOptions, `unknown redaction rule to disable: ${name}`);
  }
  for (const r of all) {
    if (!r.pattern.global)
      throw new AiFilterError(
        AI_FILTER_ERROR_CODES.invalidOptions,
        `redaction rule ${r.name} needs a global (g) pattern`,
      );
  }
  const disabled = new Set(options.disable ?? []);
  const rules = all.filter((r) => !disabled.has(r.name));
  const template = options.replacement ?? '[REDACTED:{name}]';

  const redact = (text: string): RedactionResult => {
    const findings: Record<string, number> = {};
    let out = text;
    for (const rule of rules) {
      out = out.replace(rule.pattern, (match) => {
        if (rule.accept && !rule.accept(match)) return match;
        findings[rule.name] = (findings[rule.name] ?? 0) + 1;
        return template.replaceAll('{name}', rule.name);
      });
    }
    return { text: out, findings };
  };

  return {
    redact,
    redactMessages(messages) {
      const findings: Record<string, number> = {};
      const add = (f: Record<string, number>) => {
        for (const [k, v] of Object.entries(f)) findings[k] = (findings[k] ?? 0) + v;
      };
      const out = messages.map((m): Message => {
        const r = redact(m.content);
        add(r.findings);
        if (m.role !== 'assistant' || !m.toolCalls?.length) return { ...m, content: r.text };
        const toolCalls = m.toolCalls.map((c) => {
          const a = redact(JSON.stringify(c.arguments));
          add(a.findings);
          return { ...c, arguments: JSON.parse(a.text) as Record<string, unknown> };
        });
        return { ...m, content: r.text, toolCalls };
      });
      return { messages: out, findings };
    },
  };
}

/**
 * A provider that redacts every request's messages before they leave the process (prompts, history, tool
 * results). `onRedact` sees rule counts only, never the text.
 */
export function withRedaction(
  provider: Provider,
  redactor: Redactor,
  onRedact?: (findings: Record<string, number>) => void,
): Provider {
  const clean = <R extends Pick<CompletionRequest, 'messages'>>(request: R): R => {
    const { messages, findings } = redactor.redactMessages(request.messages);
    if (onRedact && Object.keys(findings).length) onRedact(findings);
    return { ...request, messages };
  };
  return {
    name: provider.name,
    complete: (request: CompletionRequest, options?: CallOptions) => provider.complete(clean(request), options),
    stream: (request: CompletionRequest, options?: CallOptions) => provider.stream(clean(request), options),
    listModels: (options?: CallOptions) => provider.listModels(options),
    countTokens: (request, options?: CallOptions) => provider.countTokens(clean(request), options),
  };
}
