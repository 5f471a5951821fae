import { AI_TOOL_ERROR_CODES, AiToolError } from './errors.ts';
import { defineTool, type Tool } from './tool.ts';

/** Returns its input; handy to test a model's tool-calling loop. */
export const echoTool: Tool<{ text: string }> = defineTool({
  name: 'echo',
  description: 'Returns the given text unchanged.',
  inputSchema: {
    type: 'object',
    properties: { text: { type: 'string', maxLength: 10_000 } },
    required: ['text'],
    additionalProperties: false,
  },
  capabilities: ['pure'],
  invoke: ({ text }) => text,
});

/** The current time, optionally in an IANA time zone. */
export const timestampTool: Tool<{ timeZone?: string }> = defineTool({
  name: 'timestamp',
  description: 'Returns the current date and time (ISO 8601, and local time in the given IANA time zone).',
  inputSchema: {
    type: 'object',
    properties: { timeZone: { type: 'string', maxLength: 64 } },
    additionalProperties: false,
  },
  capabilities: ['clock'],
  invoke: ({ timeZone }) => {
    const now = new Date();
    if (timeZone === undefined) return { iso: now.toISOString() };
    let local: string;
    try {
      local = new Intl.DateTimeFormat('en-CA', { timeZone, dateStyle: 'short', timeStyle: 'long' }).format(now);
    } catch {
      throw new AiToolError(AI_TOOL_ERROR_CODES.invalidArguments, 'unknown time zone', { field: 'timeZone' });
    }
    return { iso: now.toISOString(), timeZone, local };
  },
});

/**
 * Arithmetic without `eval`: a recursive-descent parser over numbers, + - * / % ^ and parentheses, with
 * bounded input length and nesting so a hostile expression cannot exhaust the stack.
 */
export function evaluateExpression(source: string): number {
  const tokens = source.match(/\d+(?:\.\d+)?(?:e[+-]?\d+)?|[-+*/%^()]|\S/gi) ?? [];
  let pos = 0;
  let depth = 0;
  const fail = (why: string): never => {
    throw new AiToolError(AI_TOOL_ERROR_CODES.invalidArguments, `invalid expression: ${why}`, { field: 'expression' });
  };
  const peek = (): string | undefined => tokens[pos];
  const primary = (): number => {
    const t = tokens[pos++];
    if (t === undefined) return fail('unexpected end');
    if (t === '(') {
      if (++depth > 32) fail('nested too deeply');
      const v = sum();
      if (tokens[pos++] !== ')') fail('missing )');
      depth -= 1;
      return v;
    }
    if (t === '-') return -unary();
    if (t === '+') return unary();
    if (!/^\d/.test(t)) fail(`unexpected '${t.slice(0, 8)}'`);
    return Number(t);
  };
  const unary = (): number => primary();
  const power = (): number => {
    const base = unary();
    if (peek() === '^') {
      pos += 1;
      return base ** power();
    }
    return base;
  };
  const product = (): number => {
    let v = power();
    for (let op = peek(); op === '*' || op === '/' || op === '%'; op = peek()) {
      pos += 1;
      const r = power();
      v = op === '*' ? v * r : op === '/' ? v / r : v % r;
    }
    return v;
  };
  const sum = (): number => {
    let v = product();
    for (let op = peek(); op === '+' || op === '-'; op = peek()) {
      pos += 1;
      const r = product();
      v = op === '+' ? v + r : v - r;
    }
    return v;
  };
  const value = sum();
  if (pos !== tokens.length) fail(`unexpected '${String(tokens[pos]).slice(0, 8)}'`);
  if (!Number.isFinite(value)) fail('result is not a finite number');
  return value;
}

export const calculatorTool: Tool<{ expression: string }> = defineTool({
  name: 'calculator',
  description: 'Evaluates an arithmetic expression with + - * / % ^ and parentheses.',
  inputSchema: {
    type: 'object',
    properties: { expression: { type: 'string', minLength: 1, maxLength: 200 } },
    required: ['expression'],
    additionalProperties: false,
  },
  capabilities: ['pure'],
  invoke: ({ expression }) => ({ result: evaluateExpression(expression) }),
});

/** The safe built-ins; no shell, file-system or network tool exists here. */
export const builtinTools: readonly Tool<never>[] = [echoTool, calculatorTool, timestampTool];
