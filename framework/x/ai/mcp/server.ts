import type { Readable, Writable } from 'node:stream';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import {
  WebStandardStreamableHTTPServerTransport,
  type WebStandardStreamableHTTPServerTransportOptions,
} from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type CallToolResult,
  type ListToolsResult,
} from '@modelcontextprotocol/sdk/types.js';
import { readJson, type Handler, type Request, type ResponseWriter } from 'plumego/contract';
import type { ToolPolicy, ToolRegistry } from 'plumego/x/ai/tool';
import { AI_MCP_ERROR_CODES, AiMcpError } from './errors.ts';

type Scope = Readonly<Record<string, string>>;

export interface McpServerOptions {
  /** The tools offered; every call goes through the registry's checks (policy, schema, timeout, output limit). */
  registry: ToolRegistry;
  /** Who may list and call what; required, so a forgotten policy denies instead of allowing. */
  policy: ToolPolicy;
  /**
   * The policy scope of one HTTP request (tenant, user — typically from auth middleware's context).
   * Default `{}`. Throw (e.g. an `APIError` 401) to refuse the request before any MCP processing.
   */
  scope?: (r: Request) => Scope | Promise<Scope>;
  /** Sent to clients in the `initialize` answer. Default `{ name: 'plumego', version: '1.0.0' }`. */
  serverInfo?: { name: string; version: string };
  /** Largest JSON-RPC request body in bytes. Default 1 MiB (a bodylimit middleware's lower limit wins). */
  maxBodyBytes?: number;
  /** Answer each POST with an SSE stream instead of one JSON body. Default false. */
  sseResponses?: boolean;
  /** DNS-rebinding protection: accepted `Host` header values (`host:port`). Default: not checked. */
  allowedHosts?: readonly string[];
  /** DNS-rebinding protection: accepted `Origin` values; a request without `Origin` passes. Default: not checked. */
  allowedOrigins?: readonly string[];
  /** Told about failures that are not tool errors (they reach the client as a bare JSON-RPC internal error). */
  onError?: (error: unknown) => void;
}

/** Anything with the router's `addRoute` (an app, a router, a route group). */
export interface McpRouteTarget {
  addRoute(method: string, path: string, handler: Handler): unknown;
}

const DEFAULT_SERVER_INFO = { name: 'plumego', version: '1.0.0' } as const;
const DEFAULT_MAX_BODY_BYTES = 1 << 20;

function assertOptions(options: McpServerOptions): void {
  const bad = (what: string) => new AiMcpError(AI_MCP_ERROR_CODES.invalidOptions, `MCP server: ${what}`);
  if (typeof options?.registry?.invokeForModel !== 'function') throw bad('registry must be a ToolRegistry');
  if (typeof options.policy?.allows !== 'function') throw bad('policy is required (deny by default)');
  if (options.scope !== undefined && typeof options.scope !== 'function')
    throw bad('scope must be a function of the request');
  const max = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!Number.isInteger(max) || max <= 0) throw bad('maxBodyBytes must be a positive integer');
}

/**
 * Tool errors are results, not protocol errors (the MCP rule: the model should see them and recover):
 * `isError: true`, the registry's `{"error":{code,message,issues?}}` as text and as `structuredContent`.
 */
async function callTool(
  options: McpServerOptions,
  scope: Scope,
  name: string,
  args: Record<string, unknown> | undefined,
  signal: AbortSignal,
): Promise<CallToolResult> {
  let result;
  try {
    result = await options.registry.invokeForModel(
      { id: 'mcp', name, arguments: args ?? {} },
      { policy: options.policy, scope, signal },
    );
  } catch (error) {
    // Not a tool failure (a throwing policy, a bug): nothing of its message goes to the client.
    options.onError?.(error);
    throw new McpError(ErrorCode.InternalError, 'internal error');
  }
  const content: CallToolResult['content'] = [{ type: 'text', text: result.content }];
  const structured = asObject(result.content);
  if (!result.isError) return structured ? { content, structuredContent: structured } : { content };
  return { content, ...(structured ? { structuredContent: structured } : {}), isError: true };
}

/** A JSON object's text as `structuredContent` (MCP clients read it without parsing text); anything else stays text only. */
function asObject(text: string): Record<string, unknown> | undefined {
  if (!text.startsWith('{')) return undefined;
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function createSdkServer(options: McpServerOptions, scope: Scope): Server {
  const server = new Server(
    { ...(options.serverInfo ?? DEFAULT_SERVER_INFO) },
    { capabilities: { tools: { listChanged: false } } },
  );
  server.setRequestHandler(ListToolsRequestSchema, (): ListToolsResult => ({
    tools: options.registry.definitions(options.policy, scope).map((d) => ({
      name: d.name,
      description: d.description,
      inputSchema: d.inputSchema as ListToolsResult['tools'][number]['inputSchema'],
    })),
  }));
  server.setRequestHandler(CallToolRequestSchema, (request, extra) =>
    callTool(options, scope, request.params.name, request.params.arguments, extra.signal),
  );
  return server;
}

function toWebHeaders(r: Request): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(r.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  return headers;
}

function toWebRequest(r: Request): globalThis.Request {
  let url: URL;
  try {
    url = new URL(r.url, `http://${r.header('host') ?? 'localhost'}`);
  } catch {
    // A Host header that is not a host: the URL only feeds the SDK's request info, not routing.
    url = new URL(r.url, 'http://localhost');
  }
  return new globalThis.Request(url, { method: r.method, headers: toWebHeaders(r) });
}

async function writeWebResponse(w: ResponseWriter, response: Response, signal: AbortSignal): Promise<void> {
  response.headers.forEach((value, name) => w.setHeader(name, value));
  w.writeHead(response.status);
  if (!response.body) return w.end();
  const reader = response.body.getReader();
  const stop = () => void reader.cancel().catch(() => undefined);
  signal.addEventListener('abort', stop, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!w.write(value)) break;
      const raw = w.raw;
      if (raw?.writableNeedDrain) {
        await new Promise<void>((resolve) => {
          const go = () => {
            raw.off('drain', go).off('close', go);
            resolve();
          };
          raw.once('drain', go).once('close', go);
        });
      }
    }
  } finally {
    signal.removeEventListener('abort', stop);
    w.end();
  }
}

function methodNotAllowed(w: ResponseWriter): void {
  w.setHeader('allow', 'POST');
  w.setHeader('content-type', 'application/json');
  w.writeHead(405);
  // Stateless server: no standalone SSE stream (GET) and no session to delete (DELETE).
  w.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message: 'Method not allowed.' }, id: null }));
}

/**
 * A stateless MCP Streamable HTTP endpoint over a tool registry, as a framework handler: each POST gets a
 * fresh SDK server and transport (no session state to lose or leak between tenants); GET and DELETE
 * answer 405. Body errors (413, 415, invalid JSON) are the framework's error envelope; protocol errors
 * are JSON-RPC errors from the SDK; tool failures are `isError` results carrying x/ai/tool's codes.
 */
export function createMcpHandler(options: McpServerOptions): Handler {
  assertOptions(options);
  const maxBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  // No session id generator: the transport is stateless (and refuses to serve a second request).
  const transportOptions: WebStandardStreamableHTTPServerTransportOptions = {
    enableJsonResponse: options.sseResponses !== true,
  };
  if (options.allowedHosts || options.allowedOrigins) {
    transportOptions.enableDnsRebindingProtection = true;
    transportOptions.allowedHosts = [...(options.allowedHosts ?? [])];
    transportOptions.allowedOrigins = [...(options.allowedOrigins ?? [])];
  }
  return async (w, r) => {
    if (r.method !== 'POST') return methodNotAllowed(w);
    const scope = options.scope ? await options.scope(r) : {};
    const body = await readJson(r, { maxBytes });
    const transport = new WebStandardStreamableHTTPServerTransport(transportOptions);
    const server = createSdkServer(options, scope);
    // Client gone (or the request timed out): closing the transport aborts every running handler's signal,
    // and the handler stops waiting for an answer nobody can receive.
    let onAbort!: () => void;
    const gone = new Promise<never>((_, reject) => {
      onAbort = () => {
        void transport.close().catch(() => undefined);
        reject(r.signal.reason);
      };
    });
    gone.catch(() => undefined);
    if (r.signal.aborted) onAbort();
    else r.signal.addEventListener('abort', onAbort, { once: true });
    try {
      await server.connect(transport);
      const response = await Promise.race([transport.handleRequest(toWebRequest(r), { parsedBody: body }), gone]);
      await writeWebResponse(w, response, r.signal);
    } finally {
      r.signal.removeEventListener('abort', onAbort);
      await server.close().catch(() => undefined);
    }
  };
}

/** Mounts the endpoint at `path` (POST, plus GET and DELETE answering 405). */
export function mountMcpServer(target: McpRouteTarget, path: string, options: McpServerOptions): Handler {
  const handler = createMcpHandler(options);
  for (const method of ['POST', 'GET', 'DELETE']) target.addRoute(method, path, handler);
  return handler;
}

export interface McpStdioServerOptions extends Omit<
  McpServerOptions,
  'scope' | 'maxBodyBytes' | 'sseResponses' | 'allowedHosts' | 'allowedOrigins'
> {
  /** The one scope of this process's client. Default `{}`. */
  scope?: Scope;
  /** Default `process.stdin` / `process.stdout`. */
  stdin?: Readable;
  stdout?: Writable;
}

/** Serves the registry over stdio (the process is the server a local MCP client spawned). */
export async function serveMcpOverStdio(options: McpStdioServerOptions): Promise<{ close(): Promise<void> }> {
  const scope = options.scope ?? {};
  const { scope: _, stdin, stdout, ...rest } = options;
  assertOptions(rest);
  const server = createSdkServer(rest, scope);
  await server.connect(new StdioServerTransport(stdin, stdout));
  return { close: () => server.close() };
}
