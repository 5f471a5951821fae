import { AI_ERROR_CODES, AiError } from './errors.ts';

/** A variable's declared type; `maxLength` bounds strings (and each list item) so one input cannot flood a prompt. */
export type VariableSpec =
  | {
      type: 'string';
      maxLength?: number;
      /** Wrap the value in `<name>…</name>` so the model can tell data from instructions. */ fence?: boolean;
    }
  | { type: 'number' }
  | { type: 'boolean' }
  | { type: 'list'; maxLength?: number; maxItems?: number };

type ValueOf<S extends VariableSpec> = S extends { type: 'string' }
  ? string
  : S extends { type: 'number' }
    ? number
    : S extends { type: 'boolean' }
      ? boolean
      : readonly string[];

export type PromptVariables<V extends Record<string, VariableSpec>> = { [K in keyof V]: ValueOf<V[K]> };

export interface PromptTemplate<V extends Record<string, VariableSpec>> {
  readonly name: string;
  readonly variables: V;
  /** Fills `{{name}}` placeholders; every declared variable is required, undeclared ones are refused. */
  render(values: PromptVariables<V>): string;
}

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;
const DEFAULT_MAX_LENGTH = 10_000;

/**
 * A prompt with typed variables. The template and the declarations must agree when it is defined (a typo
 * fails at startup, not in production), and values are checked on every render.
 */
export function definePrompt<V extends Record<string, VariableSpec>>(definition: {
  name: string;
  template: string;
  variables: V;
}): PromptTemplate<V> {
  const { name, template, variables } = definition;
  const used = new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1]!));
  const declared = new Set(Object.keys(variables));
  const undeclared = [...used].filter((v) => !declared.has(v));
  const unused = [...declared].filter((v) => !used.has(v));
  if (undeclared.length || unused.length) {
    throw new AiError(AI_ERROR_CODES.invalidTemplate, `prompt ${name}: placeholders and declared variables differ`, {
      undeclared,
      unused,
    });
  }
  if (/\{\{(?!\s*[A-Za-z_][A-Za-z0-9_]*\s*\}\})/.test(template)) {
    throw new AiError(AI_ERROR_CODES.invalidTemplate, `prompt ${name}: malformed placeholder`);
  }

  const format = (key: string, spec: VariableSpec, value: unknown): string => {
    const bad = (why: string): never => {
      throw new AiError(AI_ERROR_CODES.invalidVariables, `prompt ${name}: variable ${key} ${why}`, { variable: key });
    };
    switch (spec.type) {
      case 'string': {
        if (typeof value !== 'string') return bad('must be a string');
        if (value.length > (spec.maxLength ?? DEFAULT_MAX_LENGTH)) bad('is too long');
        // A fenced value cannot close its own fence.
        return spec.fence ? `<${key}>\n${value.replaceAll(`</${key}>`, `<\\/${key}>`)}\n</${key}>` : value;
      }
      case 'number':
        if (typeof value !== 'number' || !Number.isFinite(value)) bad('must be a finite number');
        return String(value);
      case 'boolean':
        if (typeof value !== 'boolean') bad('must be a boolean');
        return String(value);
      case 'list': {
        if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) return bad('must be a list of strings');
        if (value.length > (spec.maxItems ?? 100)) bad('has too many items');
        if (value.some((v: string) => v.length > (spec.maxLength ?? DEFAULT_MAX_LENGTH)))
          bad('has an item that is too long');
        return (value as string[]).map((v) => `- ${v.replace(/\r?\n/g, ' ')}`).join('\n');
      }
    }
  };

  return {
    name,
    variables,
    render(values) {
      if (typeof values !== 'object' || values === null)
        throw new AiError(AI_ERROR_CODES.invalidVariables, `prompt ${name}: values must be an object`);
      const extra = Object.keys(values).filter((k) => !declared.has(k));
      if (extra.length)
        throw new AiError(AI_ERROR_CODES.invalidVariables, `prompt ${name}: unknown variables`, { unknown: extra });
      const formatted = new Map<string, string>();
      for (const [key, spec] of Object.entries(variables)) {
        if (!(key in values))
          throw new AiError(AI_ERROR_CODES.invalidVariables, `prompt ${name}: variable ${key} is missing`, {
            variable: key,
          });
        formatted.set(key, format(key, spec, (values as Record<string, unknown>)[key]));
      }
      // One pass over the template: a value containing "{{x}}" is never expanded again.
      return template.replace(PLACEHOLDER, (_, key: string) => formatted.get(key)!);
    },
  };
}
