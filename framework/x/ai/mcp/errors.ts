import { defineErrorFamily, getErrorOptions } from 'plumego/contract';

/** Stable codes for the MCP bridge (the tool calls themselves keep x/ai/tool's codes). */
export const AI_MCP_ERROR_CODES = {
  invalidOptions: 'AI_MCP_INVALID_OPTIONS',
  connectFailed: 'AI_MCP_CONNECT_FAILED',
  invalidRemoteTool: 'AI_MCP_INVALID_REMOTE_TOOL',
  remoteToolError: 'AI_MCP_REMOTE_TOOL_ERROR',
  callFailed: 'AI_MCP_CALL_FAILED',
} as const;

export type AiMcpErrorCode = (typeof AI_MCP_ERROR_CODES)[keyof typeof AI_MCP_ERROR_CODES];

const STATUS: Record<AiMcpErrorCode, number> = {
  AI_MCP_INVALID_OPTIONS: 500,
  AI_MCP_CONNECT_FAILED: 502,
  AI_MCP_INVALID_REMOTE_TOOL: 502,
  AI_MCP_REMOTE_TOOL_ERROR: 502,
  AI_MCP_CALL_FAILED: 502,
};

// A brand rather than `instanceof`, so two copies of the package still recognise each other's errors.
const BRAND = Symbol.for('plumego.x.ai.mcp.error');
const family = defineErrorFamily({ name: 'AiMcpError', brand: BRAND, codes: AI_MCP_ERROR_CODES, status: STATUS });

export class AiMcpError extends Error {
  declare readonly code: AiMcpErrorCode;
  declare readonly status: number;
  declare readonly details: Readonly<Record<string, unknown>>;
  readonly [BRAND] = true;

  constructor(code: AiMcpErrorCode, message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super(message, getErrorOptions(cause));
    family.stamp(this, code, details);
  }
}

export function isAiMcpError(value: unknown): value is AiMcpError {
  return family.is(value);
}
