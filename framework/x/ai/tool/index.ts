export { builtinTools, calculatorTool, echoTool, evaluateExpression, timestampTool } from './builtins.ts';
export { AI_TOOL_ERROR_CODES, AiToolError, isAiToolError } from './errors.ts';
export type { AiToolErrorCode } from './errors.ts';
export { createAllowListPolicy, createScopedAllowListPolicy } from './policy.ts';
export type { ToolPolicy } from './policy.ts';
export { ToolRegistry, createToolRegistry, toToolMessage } from './registry.ts';
export type { InvokeOptions, ToolRegistryOptions, ToolResult } from './registry.ts';
export { DANGEROUS_CAPABILITIES, defineTool } from './tool.ts';
export type { Tool, ToolCapability, ToolContext } from './tool.ts';
