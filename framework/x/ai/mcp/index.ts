export { McpToolSource, connectMcpTools } from './client.ts';
export type { McpClientTransportOptions, McpToolSourceOptions, SkippedMcpTool } from './client.ts';
export { AI_MCP_ERROR_CODES, AiMcpError, isAiMcpError } from './errors.ts';
export type { AiMcpErrorCode } from './errors.ts';
export { createMcpHandler, mountMcpServer, serveMcpOverStdio } from './server.ts';
export type { McpRouteTarget, McpServerOptions, McpStdioServerOptions } from './server.ts';
