import { defineErrorFamily, getErrorOptions } from 'plumego/contract';

/** Stable codes for every failure a tool call can surface. */
export const AI_TOOL_ERROR_CODES = {
  notFound: 'AI_TOOL_NOT_FOUND',
  denied: 'AI_TOOL_DENIED',
  invalidArguments: 'AI_TOOL_INVALID_ARGUMENTS',
  timeout: 'AI_TOOL_TIMEOUT',
  aborted: 'AI_TOOL_ABORTED',
  outputTooLarge: 'AI_TOOL_OUTPUT_TOO_LARGE',
  failed: 'AI_TOOL_FAILED',
  invalidDefinition: 'AI_TOOL_INVALID_DEFINITION',
} as const;

export type AiToolErrorCode = (typeof AI_TOOL_ERROR_CODES)[keyof typeof AI_TOOL_ERROR_CODES];

const STATUS: Record<AiToolErrorCode, number> = {
  AI_TOOL_NOT_FOUND: 404,
  AI_TOOL_DENIED: 403,
  AI_TOOL_INVALID_ARGUMENTS: 400,
  AI_TOOL_TIMEOUT: 504,
  AI_TOOL_ABORTED: 499,
  AI_TOOL_OUTPUT_TOO_LARGE: 502,
  AI_TOOL_FAILED: 500,
  AI_TOOL_INVALID_DEFINITION: 500,
};

// A brand rather than `instanceof`, so two copies of the package still recognise each other's errors.
const BRAND = Symbol.for('plumego.x.ai.tool.error');
const family = defineErrorFamily({ name: 'AiToolError', brand: BRAND, codes: AI_TOOL_ERROR_CODES, status: STATUS });

export class AiToolError extends Error {
  declare readonly code: AiToolErrorCode;
  declare readonly status: number;
  declare readonly details: Readonly<Record<string, unknown>>;
  readonly [BRAND] = true;

  constructor(code: AiToolErrorCode, message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super(message, getErrorOptions(cause));
    family.stamp(this, code, details);
  }
}

export function isAiToolError(value: unknown): value is AiToolError {
  return family.is(value);
}

export function assertDefinition(ok: boolean, what: string): void {
  if (!ok) throw new AiToolError(AI_TOOL_ERROR_CODES.invalidDefinition, `invalid tool definition: ${what}`);
}
