import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { CallToolResult, Tool as McpTool } from '@modelcontextprotocol/sdk/types.js';
import {
  AI_TOOL_ERROR_CODES,
  AiToolError,
  isAiToolError,
  type Tool,
  type ToolCapability,
  type ToolContext,
  type ToolRegistry,
} from 'plumego/x/ai/tool';
import { createValidator } from 'plumego/x/validate';
import { AI_MCP_ERROR_CODES, AiMcpError } from './errors.ts';

/** Where the MCP server is: a Streamable HTTP endpoint, or a local command spoken to over stdio. */
export type McpClientTransportOptions =
  | { type: 'http'; url: string | URL; headers?: Readonly<Record<string, string>> }
  | {
      type: 'stdio';
      command: string;
      args?: readonly string[];
      /** The child's whole environment; default the SDK's safe subset (HOME, PATH, USER, …). */
      env?: Readonly<Record<string, string>>;
      cwd?: string;
      /** The child's stderr. Default `'inherit'`. */
      stderr?: 'inherit' | 'ignore';
    };

export interface McpToolSourceOptions {
  transport: McpClientTransportOptions;
  /** Prepended to every remote name in the registry (`github_` + `search`); the result must match `[A-Za-z0-9_-]{1,64}`. Default `''`. */
  prefix?: string;
  /** Remote tool names to take; default all of them. A listed name the server lacks is an error. */
  include?: readonly string[];
  /**
   * Declared on every remote tool, so the registry's capability opt-in applies. Default `['network']` over
   * HTTP and `['shell']` over stdio (a local server process can do anything its user can).
   */
  capabilities?: readonly ToolCapability[];
  /** Per-tool timeout given to the registry; default the registry's own. */
  timeoutMs?: number;
  /** Bound on connecting and listing. Default 10 000 ms. */
  connectTimeoutMs?: number;
  /** A remote tool whose name or schema the registry cannot take: `'throw'` (default) or `'skip'` (listed in `skipped`). */
  onInvalidTool?: 'throw' | 'skip';
  /** Sent in `initialize`. Default `{ name: 'plumego', version: '1.0.0' }`. */
  clientInfo?: { name: string; version: string };
  /**
   * HTTP only: largest answer body read from the server, in bytes. Default 4 MiB. A tool answer past it is
   * `AI_TOOL_OUTPUT_TOO_LARGE` as soon as the limit is crossed (an SSE answer: the call's timeout).
   */
  maxResponseBytes?: number;
}

export interface SkippedMcpTool {
  name: string;
  reason: string;
}

const NAME = /^[A-Za-z0-9_-]{1,64}$/;
const DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
const MAX_TOOLS = 1_000;
// The registry's timer decides; the SDK's own request timeout (60 s by default) must never fire first.
const SDK_TIMEOUT_MARGIN_MS = 1_000;
const SDK_DEFAULT_CALL_TIMEOUT_MS = 600_000;

/**
 * Remote MCP tools as x/ai/tool tools: register them into a registry and every call passes the registry's
 * own checks (allow-list, schema, timeout, output size) before it leaves the process.
 */
export class McpToolSource {
  readonly tools: readonly Tool[];
  readonly skipped: readonly SkippedMcpTool[];
  readonly #client: Client;

  constructor(client: Client, tools: readonly Tool[], skipped: readonly SkippedMcpTool[]) {
    this.#client = client;
    this.tools = tools;
    this.skipped = skipped;
  }

  /** Registers every tool; returns their registry names. A duplicate name throws the registry's `AI_TOOL_INVALID_DEFINITION`. */
  registerInto(registry: ToolRegistry): string[] {
    for (const tool of this.tools) registry.register(tool);
    return this.tools.map((t) => t.name);
  }

  /** Closes the connection (and ends a stdio child). Calls after this fail with `AI_TOOL_FAILED`. */
  close(): Promise<void> {
    return this.#client.close();
  }
}

function describeServer(t: McpClientTransportOptions): string {
  return t.type === 'http' ? new URL(t.url).origin : t.command;
}

function assertOptions(options: McpToolSourceOptions): void {
  const bad = (what: string) => new AiMcpError(AI_MCP_ERROR_CODES.invalidOptions, `MCP tools: ${what}`);
  const t = options?.transport;
  if (t?.type === 'http') {
    let url: URL;
    try {
      url = new URL(t.url);
    } catch {
      throw bad('transport.url is not a URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw bad('transport.url must be http or https');
  } else if (t?.type === 'stdio') {
    if (typeof t.command !== 'string' || t.command === '') throw bad('transport.command is required');
  } else {
    throw bad("transport.type must be 'http' or 'stdio'");
  }
  if (options.prefix !== undefined && !/^[A-Za-z0-9_-]{0,32}$/.test(options.prefix))
    throw bad('prefix must match [A-Za-z0-9_-]{0,32}');
  for (const [key, value] of [
    ['timeoutMs', options.timeoutMs],
    ['connectTimeoutMs', options.connectTimeoutMs],
  ] as const) {
    if (value !== undefined && !(Number.isFinite(value) && value > 0)) throw bad(`${key} must be positive`);
  }
  const max = options.maxResponseBytes;
  if (max !== undefined && !(Number.isInteger(max) && max > 0))
    throw bad('maxResponseBytes must be a positive integer');
  if (options.onInvalidTool !== undefined && options.onInvalidTool !== 'throw' && options.onInvalidTool !== 'skip')
    throw bad("onInvalidTool must be 'throw' or 'skip'");
}

/**
 * `fetch` with a bound on the answer body: the SDK reads whole answers into memory, so a server answering
 * 1 GB would otherwise be read to the end before any output limit could apply.
 */
function createLimitedFetch(limit: number, server: string): typeof fetch {
  const tooLarge = (bytes: number) =>
    new AiToolError(AI_TOOL_ERROR_CODES.outputTooLarge, `the MCP server ${server} answered more than ${limit} bytes`, {
      server,
      bytes,
      limit,
    });
  return async (input, init) => {
    const response = await fetch(input, init);
    if (response.body === null) return response;
    const declared = Number(response.headers.get('content-length') ?? 0);
    if (declared > limit) {
      await response.body.cancel().catch(() => undefined);
      throw tooLarge(declared);
    }
    let seen = 0;
    const counted = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          seen += chunk.byteLength;
          if (seen > limit) controller.error(tooLarge(seen));
          else controller.enqueue(chunk);
        },
      }),
    );
    return new Response(counted, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}

function createTransport(t: McpClientTransportOptions, maxResponseBytes: number): Transport {
  if (t.type === 'http') {
    return new StreamableHTTPClientTransport(new URL(t.url), {
      requestInit: { headers: { ...t.headers } },
      fetch: createLimitedFetch(maxResponseBytes, describeServer(t)),
    });
  }
  return new StdioClientTransport({
    command: t.command,
    args: [...(t.args ?? [])],
    ...(t.env ? { env: { ...t.env } } : {}),
    ...(t.cwd ? { cwd: t.cwd } : {}),
    stderr: t.stderr ?? 'inherit',
  });
}

async function listAll(client: Client, timeout: number): Promise<McpTool[]> {
  const tools: McpTool[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listTools(cursor === undefined ? {} : { cursor }, { timeout });
    tools.push(...page.tools);
    cursor = page.nextCursor;
  } while (cursor !== undefined && tools.length < MAX_TOOLS);
  return tools.slice(0, MAX_TOOLS);
}

/**
 * The schema as the registry will compile it (draft 2020-12). A `$schema` naming draft-07 — what the SDK's
 * zod converter emits — is dropped: the keywords it produces mean the same in both drafts.
 */
function toInputSchema(schema: McpTool['inputSchema']): Record<string, unknown> {
  const { $schema: _, ...rest } = schema as Record<string, unknown>;
  return rest;
}

/** What the model gets: structured content when the server gave it, else the text (or the content blocks as JSON). */
function toOutput(result: CallToolResult): unknown {
  if (result.structuredContent !== undefined) return result.structuredContent;
  const content = result.content ?? [];
  if (content.every((c) => c.type === 'text')) return content.map((c) => (c as { text: string }).text).join('\n');
  return content;
}

function remoteErrorCode(result: CallToolResult): string | undefined {
  const code = (result.structuredContent as { error?: { code?: unknown } } | undefined)?.error?.code;
  return typeof code === 'string' && /^[A-Z0-9_]{1,64}$/.test(code) ? code : undefined;
}

function toTool(client: Client, remote: McpTool, options: McpToolSourceOptions, server: string): Tool {
  const name = `${options.prefix ?? ''}${remote.name}`;
  const timeout =
    options.timeoutMs === undefined ? SDK_DEFAULT_CALL_TIMEOUT_MS : options.timeoutMs + SDK_TIMEOUT_MARGIN_MS;
  return {
    name,
    description: remote.description || remote.title || remote.name,
    inputSchema: toInputSchema(remote.inputSchema),
    capabilities: options.capabilities ?? (options.transport.type === 'http' ? ['network'] : ['shell']),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    invoke: async (args: Record<string, unknown>, context: ToolContext) => {
      let result: CallToolResult;
      try {
        result = (await client.callTool({ name: remote.name, arguments: args }, undefined, {
          signal: context.signal,
          timeout,
        })) as CallToolResult;
      } catch (error) {
        // The registry's own timeout or abort: its typed error is the reason.
        if (context.signal.aborted) throw context.signal.reason;
        // The answer outgrew maxResponseBytes.
        if (isAiToolError(error)) throw error;
        throw new AiMcpError(
          AI_MCP_ERROR_CODES.callFailed,
          `MCP call of ${remote.name} on ${server} failed`,
          { tool: name, server },
          error,
        );
      }
      if (result.isError) {
        const remoteCode = remoteErrorCode(result);
        // The remote text stays on `cause` (for logs); the model reads the code and the tool's name.
        const cause = new AiMcpError(
          AI_MCP_ERROR_CODES.remoteToolError,
          `remote tool ${remote.name} answered with an error`,
          { tool: name, server, ...(remoteCode ? { remoteCode } : {}), content: result.content },
          undefined,
        );
        throw new AiToolError(
          AI_TOOL_ERROR_CODES.failed,
          `remote tool ${name} answered with an error${remoteCode ? ` (${remoteCode})` : ''}`,
          { tool: name, ...(remoteCode ? { remoteCode } : {}) },
          cause,
        );
      }
      return toOutput(result);
    },
  };
}

/**
 * Connects to an MCP server, lists its tools and wraps them as registry tools. Names and schemas are checked
 * now, so a remote tool the registry could not take fails here (or is skipped), not at the first call.
 */
export async function connectMcpTools(options: McpToolSourceOptions): Promise<McpToolSource> {
  assertOptions(options);
  const server = describeServer(options.transport);
  const timeout = options.connectTimeoutMs ?? 10_000;
  const client = new Client({ ...(options.clientInfo ?? { name: 'plumego', version: '1.0.0' }) }, { capabilities: {} });
  let remote: McpTool[];
  try {
    await client.connect(createTransport(options.transport, options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES), {
      timeout,
    });
    remote = await listAll(client, timeout);
  } catch (error) {
    await client.close().catch(() => undefined);
    throw new AiMcpError(
      AI_MCP_ERROR_CODES.connectFailed,
      `could not connect to the MCP server ${server}`,
      { server },
      error,
    );
  }
  try {
    return new McpToolSource(client, ...selectTools(client, remote, options, server));
  } catch (error) {
    await client.close().catch(() => undefined);
    throw error;
  }
}

function selectTools(
  client: Client,
  remote: readonly McpTool[],
  options: McpToolSourceOptions,
  server: string,
): [Tool[], SkippedMcpTool[]] {
  const wanted = options.include ? new Set(options.include) : undefined;
  const missing = [...(wanted ?? [])].filter((n) => !remote.some((t) => t.name === n));
  if (missing.length > 0)
    throw new AiMcpError(
      AI_MCP_ERROR_CODES.invalidRemoteTool,
      `the MCP server ${server} has no tool ${missing.join(', ')}`,
      { server, missing },
    );
  const validator = createValidator();
  const tools: Tool[] = [];
  const skipped: SkippedMcpTool[] = [];
  for (const t of remote) {
    if (wanted && !wanted.has(t.name)) continue;
    const tool = toTool(client, t, options, server);
    let reason: string | undefined;
    if (!NAME.test(tool.name)) reason = 'name must match [A-Za-z0-9_-]{1,64} (after the prefix)';
    else if (tools.some((x) => x.name === tool.name)) reason = 'duplicate name';
    else {
      try {
        validator.compile({ jsonSchema: tool.inputSchema });
      } catch {
        reason = 'inputSchema does not compile as JSON Schema 2020-12';
      }
    }
    if (reason === undefined) tools.push(tool);
    else if (options.onInvalidTool === 'skip') skipped.push({ name: t.name.slice(0, 128), reason });
    else
      throw new AiMcpError(AI_MCP_ERROR_CODES.invalidRemoteTool, `remote tool ${t.name.slice(0, 128)}: ${reason}`, {
        server,
        tool: t.name.slice(0, 128),
        reason,
      });
  }
  return [tools, skipped];
}
